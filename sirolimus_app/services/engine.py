"""The bridge between the database and the protocol engine.

The web app builds exactly the course document that `python -m protocol advise` reads, so the
pages, the command line and other hospital systems share one implementation and one contract.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

import protocol
from sirolimus_app.models import LabResult, Patient, Prescription
from sirolimus_app.models.clinical import valid


@dataclass
class PatientAdvice:
    course: dict
    advice: dict | None  # None when the course is not valid (see problems)
    problems: list  # protocol.CourseError problems: what is missing or implausible


def local_date(moment) -> date:
    """The hospital's (settings.TIME_ZONE, Europe/Paris) date of an aware moment. The zone is
    named rather than looked up as the current one: pages convert hundreds of these."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def dose_history(prescriptions) -> list[dict]:
    """The doses the child actually took, in the engine's format (0 mg = suspension/stop)."""
    entries: list[dict] = []
    given = sorted((p for p in prescriptions if p.status in Prescription.GIVEN_STATUSES),
                   key=lambda p: (p.start_date, p.pk))
    for prescription in given:
        entries.append({"start": prescription.start_date.isoformat(),
                        "mg_per_day": float(prescription.mg_per_day)})
        if prescription.suspended_on:
            entries.append({"start": prescription.suspended_on.isoformat(), "mg_per_day": 0})
        if prescription.status == Prescription.Status.STOPPED and prescription.end_date:
            entries.append({"start": prescription.end_date.isoformat(), "mg_per_day": 0,
                            "stop": True})
    # Two entries on the same day (e.g. a suspension the day a dose started): the later wins.
    by_day: dict[str, dict] = {}
    for entry in entries:
        by_day[entry["start"]] = entry
    return list(by_day.values())


def build_course(patient: Patient, today: date | None = None) -> dict:
    """Everything the protocol needs to know about this patient today, as a course document.

    Expects a patient fetched with `prefetch_clinical()` so this costs no further query.
    Records voided as entry errors are left out: they no longer count.
    """
    today = today or timezone.localdate()
    measurement = next(iter(valid(patient.measurements.all())), None)
    labs = valid(patient.lab_results.all())
    platelets = [lab for lab in labs if lab.kind == LabResult.Kind.PLATELETS]
    lipids = [lab for lab in labs
              if lab.kind in (LabResult.Kind.CHOLESTEROL, LabResult.Kind.TRIGLYCERIDES)]
    bp_visits = [v for v in valid(patient.visits.all()) if v.systolic_bp and v.done_date]
    comeds = [c.name for c in valid(patient.comedications.all())
              if c.start_date <= today and (c.end_date is None or c.end_date >= today)]

    patient_doc = {
        "birth_date": patient.birth_date.isoformat(),
        "weight_kg": float(measurement.weight_kg) if measurement else None,
        "height_cm": float(measurement.height_cm) if measurement else None,
        "bsa_formula": patient.bsa_formula,
        "diagnosis_date": patient.diagnosis_date.isoformat(),
        "severity_signs": patient.severity_signs,
        "workup_updated": patient.workup_updated,
        "evans": patient.evans,
        "alps_features": patient.alps_features,
        "other_autoimmunity": patient.other_autoimmunity,
        "allergies": patient.allergy_list,
        "sirolimus_hypersensitivity": patient.sirolimus_hypersensitivity,
        "vzv_immune": patient.vzv_immune,
        "comedications": comeds,
        "prolonged_corticosteroids": patient.prolonged_corticosteroids,
        "immunodeficiency": patient.immunodeficiency,
        "obs_cerevance_registered": patient.obs_cerevance_registered,
        "sex": patient.sex,
    }
    if patient.itp_phase:
        patient_doc["itp_phase"] = patient.itp_phase

    def latest(dates) -> str | None:
        past = [day for day in dates if day <= today]
        return max(past).isoformat() if past else None

    return {
        "today": today.isoformat(),
        "patient": patient_doc,
        "form": patient.form,
        "doses": dose_history(patient.prescriptions.all()),
        "troughs": [
            {"date": local_date(t.sampled_at).isoformat(), "value": float(t.value_ng_ml),
             "unit": "ng/ml", "assay": t.assay if t.assay != "unknown" else None}
            for t in sorted(valid(patient.troughs.all()), key=lambda t: t.sampled_at)
        ],
        "platelets": [
            {"date": local_date(p.sampled_at).isoformat(), "value": float(p.value_canonical),
             "unit": "G/L", "bleeding": p.bleeding}
            for p in sorted(platelets, key=lambda p: p.sampled_at)
        ],
        "workup": {
            "cbc": latest(local_date(p.sampled_at) for p in platelets),
            "lipids": latest(local_date(p.sampled_at) for p in lipids),
            "blood_pressure": latest(v.done_date for v in bp_visits),
        },
        "adverse_events": [
            {"date": e.onset_date.isoformat(), "kind": e.kind,
             "declared": e.declared_on.isoformat() if e.declared_on else None}
            for e in valid(patient.adverse_events.all())
        ],
    }


def prefetch_clinical(queryset, *, with_authors: bool = False):
    """What build_course reads, fetched in a fixed number of queries whatever the history;
    `with_authors` joins who proposed and reviewed each prescription (the pages show them)."""
    prescriptions = Prescription.objects.all()
    if with_authors:
        prescriptions = prescriptions.select_related("proposed_by", "reviewed_by")
    return queryset.prefetch_related("measurements", "lab_results", "visits", "comedications",
                                     Prefetch("prescriptions", queryset=prescriptions),
                                     "troughs", "adverse_events")


def _drop_nones(document: dict) -> dict:
    """The engine treats an absent optional field as unknown; None would be a wrong type."""
    return {k: (_drop_nones(v) if isinstance(v, dict) else v)
            for k, v in document.items() if v is not None}


def advise_patient(patient: Patient, today: date | None = None) -> PatientAdvice:
    course = build_course(patient, today)
    try:
        parsed = protocol.parse_course(_drop_nones(course))
    except protocol.CourseError as error:
        return PatientAdvice(course=course, advice=None, problems=list(error.problems))
    return PatientAdvice(course=course, advice=protocol.advise(parsed).to_dict(), problems=[])
