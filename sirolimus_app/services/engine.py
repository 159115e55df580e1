"""The bridge between the database and the protocol engine.

The web app builds the engine's typed course from its records and reads the typed advice
(Decimals stay Decimals); the command line reads the same course as JSON
(protocol.course_document), checked by the same rules (protocol.check_course), so the pages,
the command line and other hospital systems share one implementation and one contract.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

import protocol
from protocol import Advice, Course, Problem, course
from sirolimus_app.localtime import local_date
from sirolimus_app.models import LabResult, Patient, Prescription


@dataclass
class PatientAdvice:
    course: Course
    advice: Advice | None  # None when the course is not valid (see problems)
    problems: list[Problem]  # what is missing or implausible, as the CLI would list it


def dose_history(prescriptions) -> tuple[course.DoseEntry, ...]:
    """The doses the child actually took (0 mg = suspension/stop), sorted by start."""
    entries: list[course.DoseEntry] = []
    given = sorted((p for p in prescriptions if p.status in Prescription.GIVEN_STATUSES),
                   key=lambda p: (p.start_date, p.pk))
    for prescription in given:
        entries.append(course.DoseEntry(prescription.start_date, prescription.mg_per_day))
        if prescription.suspended_on:
            entries.append(course.DoseEntry(prescription.suspended_on, Decimal(0)))
        if prescription.status == Prescription.Status.STOPPED and prescription.end_date:
            entries.append(course.DoseEntry(prescription.end_date, Decimal(0), stop=True))
    # Two entries on the same day (e.g. a suspension the day a dose started): the later wins.
    by_day = {entry.start: entry for entry in entries}
    return tuple(sorted(by_day.values(), key=lambda entry: entry.start))


def build_course(patient: Patient, today: date | None = None) -> Course:
    """Everything the protocol needs to know about this patient today, as the engine's typed
    course (check it with protocol.check_course before advising).

    Expects a patient fetched with `prefetch_clinical()` so this costs no further query.
    """
    today = today or timezone.localdate()
    measurement = patient.measurements.all()[0] if patient.measurements.all() else None
    labs = list(patient.lab_results.all())
    platelets = sorted((lab for lab in labs if lab.kind == LabResult.Kind.PLATELETS),
                       key=lambda lab: lab.sampled_at)
    lipids = [lab for lab in labs
              if lab.kind in (LabResult.Kind.CHOLESTEROL, LabResult.Kind.TRIGLYCERIDES)]
    bp_visits = [v for v in patient.visits.all() if v.systolic_bp and v.done_date]
    comeds = tuple(c.name.strip() for c in patient.comedications.all()
                   if c.start_date <= today and (c.end_date is None or c.end_date >= today)
                   and c.name.strip())

    def latest(dates) -> date | None:
        past = [day for day in dates if day <= today]
        return max(past) if past else None

    troughs = []
    for t in sorted(patient.troughs.all(), key=lambda t: t.sampled_at):
        ng_ml = float(t.value_ng_ml)
        troughs.append(course.Trough(local_date(t.sampled_at), ng_ml, ng_ml, "ng/ml",
                                     course.ASSAYS.get(t.assay)))
    return Course(
        today=today,
        patient=course.Patient(
            birth_date=patient.birth_date,
            weight_kg=float(measurement.weight_kg) if measurement else None,
            height_cm=float(measurement.height_cm) if measurement else None,
            bsa_formula=patient.bsa_formula,
            itp_phase=patient.itp_phase or None,
            diagnosis_date=patient.diagnosis_date,
            severity_signs=patient.severity_signs,
            allergies=tuple(patient.allergy_list),
            sirolimus_hypersensitivity=patient.sirolimus_hypersensitivity,
            vzv_immune=patient.vzv_immune,
            comedications=comeds,
            prolonged_corticosteroids=patient.prolonged_corticosteroids,
            immunodeficiency=patient.immunodeficiency,
            sex=patient.sex or None,
            evans=patient.evans,
            alps_features=patient.alps_features,
            other_autoimmunity=patient.other_autoimmunity,
            workup_updated=patient.workup_updated,
            obs_cerevance_registered=patient.obs_cerevance_registered,
        ),
        form=patient.form,
        doses=dose_history(patient.prescriptions.all()),
        troughs=tuple(troughs),
        platelets=tuple(course.PlateletCount(local_date(p.sampled_at), float(p.value_canonical),
                                             p.bleeding) for p in platelets),
        workup=course.Workup(
            cbc=latest(local_date(p.sampled_at) for p in platelets),
            lipids=latest(local_date(p.sampled_at) for p in lipids),
            blood_pressure=latest(v.done_date for v in bp_visits),
        ),
        adverse_events=tuple(sorted(
            (course.AdverseEvent(e.onset_date, e.kind, e.declared_on)
             for e in patient.adverse_events.all()), key=lambda e: e.date)),
    )


def prefetch_clinical(queryset, *, with_authors: bool = False):
    """What build_course reads, fetched in a fixed number of queries whatever the history;
    `with_authors` joins who proposed and reviewed each prescription (the pages show them)."""
    prescriptions = Prescription.objects.all()
    if with_authors:
        prescriptions = prescriptions.select_related("proposed_by", "reviewed_by")
    return queryset.prefetch_related("measurements", "lab_results", "visits", "comedications",
                                     Prefetch("prescriptions", queryset=prescriptions),
                                     "troughs", "adverse_events")


def advise_patient(patient: Patient, today: date | None = None) -> PatientAdvice:
    built = build_course(patient, today)
    problems = protocol.check_course(built)
    return PatientAdvice(course=built, advice=None if problems else protocol.advise(built),
                         problems=problems)
