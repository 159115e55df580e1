"""The bridge between the database and the protocol engine.

The web app builds the engine's typed course from its records and reads the typed advice
(Decimals stay Decimals); the command line reads the same course as JSON
(protocol.course_document), checked by the same rules (protocol.check_course), so the pages,
the command line and other hospital systems share one implementation and one contract.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

import protocol
from protocol import Advice, Course, Problem, course
from sirolimus_app.localtime import local_date
from sirolimus_app.models import LabResult, Patient, Prescription
from sirolimus_app.models.clinical import valid


@dataclass
class PatientAdvice:
    course: Course
    advice: Advice | None  # None when the course is not valid (see problems)
    problems: list[Problem]  # what is missing or implausible, as the CLI would list it


@dataclass(frozen=True)
class Records:
    """One patient's clinical records as build_course reads them: every kind, in its model's
    order, voided ones included (build_course leaves them out); model instances, or rows
    with the columns it reads (fetch_records)."""
    measurements: list
    lab_results: list
    visits: list
    comedications: list
    checks: list
    prescriptions: list
    troughs: list
    adverse_events: list

    @classmethod
    def of(cls, patient: Patient) -> "Records":
        """Those of a patient fetched with `prefetch_clinical` (no query)."""
        return cls(*(list(getattr(patient, kind.name).all()) for kind in fields(cls)))


# The columns build_course and services.schedule.derive read of each kind: fetch_records reads
# only these, as rows (a model instance per record, with who entered it and when, cost more
# than the engine run). A column read but not fetched would fail the engine run:
# tests/web/test_schedule.py derives a record with every kind both ways.
VOIDABLE = ("pk", "patient_id", "voided_at")
READ = {
    "measurements": (*VOIDABLE, "measured_on", "weight_kg", "height_cm"),
    "lab_results": (*VOIDABLE, "kind", "sampled_at", "value_canonical", "bleeding"),
    "visits": (*VOIDABLE, "label", "done_date", "systolic_bp"),
    "comedications": (*VOIDABLE, "name", "start_date", "end_date"),
    "checks": (*VOIDABLE, "kind", "due_date", "done_at"),
    "prescriptions": ("pk", "patient_id", "status", "start_date", "end_date", "suspended_on",
                      "mg_per_day", "form"),
    "troughs": (*VOIDABLE, "sampled_at", "value_ng_ml", "assay"),
    "adverse_events": (*VOIDABLE, "kind", "onset_date", "declared_on"),
}


def fetch_records(patient_ids: Iterable[int]) -> dict[int, "Records"]:
    """The records of many patients, one query per kind, each record a named row of its
    columns in READ (the values its model's fields give, in its model's order): what
    prefetch_clinical reads for build_course, for the nightly refresh and the pharmacist's
    worklist."""
    ids = list(patient_ids)
    by_kind = []
    for kind in fields(Records):
        model = Patient._meta.get_field(kind.name).related_model
        grouped = defaultdict(list)
        for record in (model._default_manager.filter(patient_id__in=ids)
                       .values_list(*READ[kind.name], named=True)):
            grouped[record.patient_id].append(record)
        by_kind.append(grouped)
    return {pk: Records(*(grouped[pk] for grouped in by_kind)) for pk in ids}


def dose_history(prescriptions) -> tuple[course.DoseEntry, ...]:
    """The doses the child actually took (0 mg = suspension/stop), sorted by start."""
    entries: list[course.DoseEntry] = []
    given = sorted((p for p in prescriptions if p.status in Prescription.GIVEN_STATUSES),
                   key=lambda p: (p.start_date, p.pk))
    for prescription in given:
        entries.append(course.DoseEntry(prescription.start_date, prescription.mg_per_day,
                                        form=prescription.form))
        if prescription.suspended_on:
            entries.append(course.DoseEntry(prescription.suspended_on, Decimal(0)))
        if prescription.status == Prescription.Status.STOPPED and prescription.end_date:
            entries.append(course.DoseEntry(prescription.end_date, Decimal(0), stop=True))
    # Two entries on the same day (e.g. a suspension the day a dose started): the later wins.
    by_day = {entry.start: entry for entry in entries}
    return tuple(sorted(by_day.values(), key=lambda entry: entry.start))


def build_course(patient: Patient, today: date | None = None,
                 records: Records | None = None) -> Course:
    """Everything the protocol needs to know about this patient today, as the engine's typed
    course (check it with protocol.check_course before advising).

    Expects a patient fetched with `prefetch_clinical()`, or its `records` from
    `fetch_records`, so this costs no further query. Records voided as entry errors are left
    out: they no longer count.
    """
    today = today or timezone.localdate()
    if records is None:
        records = Records.of(patient)
    measurement = next(iter(valid(records.measurements)), None)
    labs = valid(records.lab_results)
    platelets = sorted((lab for lab in labs if lab.kind == LabResult.Kind.PLATELETS),
                       key=lambda lab: lab.sampled_at)
    lipids = [lab for lab in labs
              if lab.kind in (LabResult.Kind.CHOLESTEROL, LabResult.Kind.TRIGLYCERIDES)]
    visits = valid(records.visits)
    bp_visits = [v for v in visits if v.systolic_bp and v.done_date]
    comedications = tuple(
        course.Comedication(c.name.strip(), c.start_date, c.end_date)
        for c in sorted(valid(records.comedications), key=lambda c: (c.start_date, c.pk))
        if c.name.strip())

    def latest(dates) -> date | None:
        past = [day for day in dates if day <= today]
        return max(past) if past else None

    troughs = []
    for t in sorted(valid(records.troughs), key=lambda t: t.sampled_at):
        ng_ml = float(t.value_ng_ml)
        troughs.append(course.Trough(local_date(t.sampled_at), ng_ml, ng_ml, "ng/ml",
                                     course.ASSAYS.get(t.assay), ref=f"trough:{t.pk}"))
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
            comedications=tuple(c.name for c in comedications if c.taken_on(today)),
            comedication_history=comedications,
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
        doses=dose_history(records.prescriptions),
        troughs=tuple(troughs),
        platelets=tuple(course.PlateletCount(local_date(p.sampled_at), float(p.value_canonical),
                                             p.bleeding, ref=f"lab:{p.pk}") for p in platelets),
        workup=course.Workup(
            cbc=latest(local_date(p.sampled_at) for p in platelets),
            lipids=latest(local_date(p.sampled_at) for p in lipids),
            blood_pressure=latest(v.done_date for v in bp_visits),
        ),
        adverse_events=tuple(sorted(
            (course.AdverseEvent(e.onset_date, e.kind, e.declared_on)
             for e in valid(records.adverse_events)), key=lambda e: e.date)),
        records=_records(lipids, visits, valid(records.checks)),
    )


def _records(lipids, visits, ticks) -> tuple[course.Record, ...]:
    """The other records that fulfil calendar items (the engine decides which fulfils which):
    lipid panels, blood pressures, visits done with their label, and the nurse's ticks with
    the date of the item they answer."""
    found = [course.Record("lipids", local_date(lab.sampled_at), f"lab:{lab.pk}")
             for lab in lipids]
    for v in visits:
        if v.done_date is None:
            continue
        found.append(course.Record("visit", v.done_date, f"visit:{v.pk}", v.label))
        if v.systolic_bp:
            found.append(course.Record("blood_pressure", v.done_date, f"visit:{v.pk}"))
    found += [course.Record(t.kind, local_date(t.done_at), f"check:{t.pk}", due=t.due_date)
              for t in ticks]
    return tuple(sorted(found, key=lambda r: (r.date, r.ref)))


def prefetch_clinical(queryset, *, with_authors: bool = False):
    """What build_course reads, fetched in a fixed number of queries whatever the history;
    `with_authors` joins who proposed and reviewed each prescription (the pages show them)."""
    prescriptions = Prescription.objects.all()
    if with_authors:
        prescriptions = prescriptions.select_related("proposed_by", "reviewed_by")
    # The kinds of Records, so that the pages and the nightly refresh read the same ones.
    return queryset.prefetch_related(*(
        Prefetch(kind.name, queryset=prescriptions) if kind.name == "prescriptions"
        else kind.name for kind in fields(Records)))


def advise_patient(patient: Patient, today: date | None = None,
                   records: Records | None = None, *,
                   with_calendar: bool = True) -> PatientAdvice:
    built = build_course(patient, today, records)
    problems = protocol.check_course(built)
    advice = None if problems else protocol.advise(built, with_calendar=with_calendar)
    return PatientAdvice(course=built, advice=advice, problems=problems)
