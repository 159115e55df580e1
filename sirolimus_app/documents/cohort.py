"""The pseudonymised export for the OBS'CEREVANCE cohort (FOLLOW-COHORT).

Two CSV tables, described column by column in docs/cohort-data-dictionary.md: one row per
patient, and one row per dated observation. Only patients registered in the cohort are
exported. Nothing identifies a child directly: no name, no hospital number, no free text
(notes, reasons, descriptions may name people); the birth date is cut to year and month, and
every other date becomes a day count from the first day of sirolimus (J0).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from protocol.eligibility import derived_phase
from protocol.troughs import TOXIC_ABOVE_NG_ML
from sirolimus_app.models import LabResult, Patient, Prescription, TroughLevel
from sirolimus_app.models.clinical import valid
from sirolimus_app.services import audit
from sirolimus_app.services.engine import advise_patient, local_date, prefetch_clinical

PATIENT_COLUMNS = [
    "study_code", "birth_month", "sex", "age_at_diagnosis_months", "itp_phase_at_start",
    "severity_signs", "workup_updated", "evans", "alps_features", "other_autoimmunity",
    "sirolimus_hypersensitivity", "vzv_immune", "immunodeficiency",
    "prolonged_corticosteroids", "form", "day0", "sirolimus_start_month",
    "age_at_start_months", "diagnosis_to_start_months", "start_mg_per_day",
    "start_mg_per_m2_per_day", "bsa_formula", "status", "current_mg_per_day",
    "days_followed", "response_status", "response_confirmed", "response_since_day",
    "troughs_n", "trough_max_ng_ml", "troughs_above_15_n", "adverse_events_n",
    "adverse_events_grade_3_plus_n", "exported_on",
]
EVENT_COLUMNS = ["study_code", "day", "event", "value", "unit", "code", "qualifier"]
TOXIC_NG_ML = Decimal(str(TOXIC_ABOVE_NG_ML))  # TOX-SUSPEND
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def registered_patients():
    """The cohort's patients with all their records, in a fixed number of queries."""
    return prefetch_clinical(Patient.objects.filter(obs_cerevance_registered=True)
                             ).order_by("study_code")


def _disarmed(segment: str) -> str:
    armed = segment.startswith(FORMULA_STARTS) or segment.lstrip().startswith(FORMULA_STARTS)
    return "'" + segment if armed else segment


def safe_cell(value) -> str:
    """Text as a spreadsheet will show it, never run it: a leading quote disarms formulas,
    in every `;`-separated segment too (French Excel splits on `;` whatever the quoting).
    Numbers are written as numbers (a negative day count is not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | Decimal | float):
        return str(value)
    return ";".join(_disarmed(segment) for segment in str(value).split(";"))


def to_csv(columns: list[str], rows: Iterable[list]) -> str:
    """Every field quoted: a separator or a line break inside a value stays inside it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


@dataclass(frozen=True)
class Course:
    """One patient's course as the export counts it."""

    patient: Patient
    given: list[Prescription]  # oldest first
    day0: date  # first day of sirolimus, or the diagnosis date if not started

    @classmethod
    def of(cls, patient: Patient) -> "Course":
        given = sorted((p for p in patient.prescriptions.all()
                        if p.status in Prescription.GIVEN_STATUSES),
                       key=lambda p: (p.start_date, p.pk))
        return cls(patient, given, given[0].start_date if given else patient.diagnosis_date)

    @property
    def started(self) -> bool:
        return bool(self.given)

    def day(self, on: date) -> int:
        return (on - self.day0).days


def _status(course: Course) -> tuple[str, Decimal]:
    if not course.started:
        return "not_started", Decimal(0)
    last = course.given[-1]
    if last.status == Prescription.Status.STOPPED:
        return "stopped", Decimal(0)
    if last.status == Prescription.Status.SUSPENDED:
        return "suspended", Decimal(0)
    return "on_treatment", last.mg_per_day


def patient_row(course: Course, today: date) -> list:
    p = course.patient
    first = course.given[0] if course.started else None
    status, current_mg = _status(course)
    end = course.given[-1].end_date if status == "stopped" else today
    advice = advise_patient(p, today).advice
    response = advice.response if advice else None
    since = response.since if response else None
    troughs = [t.value_ng_ml for t in valid(p.troughs.all())]
    events = list(valid(p.adverse_events.all()))
    start = first.start_date if first else None
    return [
        p.study_code, f"{p.birth_date:%Y-%m}", p.sex,
        months_between(p.birth_date, p.diagnosis_date),
        (p.itp_phase or derived_phase(p.diagnosis_date, start)) if start else "",
        p.severity_signs, p.workup_updated, p.evans, p.alps_features, p.other_autoimmunity,
        p.sirolimus_hypersensitivity, p.vzv_immune, p.immunodeficiency,
        p.prolonged_corticosteroids, p.form,
        "sirolimus_start" if start else "diagnosis",
        f"{start:%Y-%m}" if start else "",
        months_between(p.birth_date, start) if start else "",
        months_between(p.diagnosis_date, start) if start else "",
        first.mg_per_day if first else "", first.mg_per_m2_per_day if first else "",
        first.bsa_formula if first else "",
        status, current_mg, course.day(end) if start else "",
        response.status if response else "",
        response.confirmed if response else "",
        course.day(since) if since else "",
        len(troughs), max(troughs, default=""), sum(t > TOXIC_NG_ML for t in troughs),
        len(events), sum(e.severity in ("3", "4") for e in events),
        today.isoformat(),
    ]


def event_rows(course: Course) -> Iterator[list]:
    """Every dated observation of one patient, in date order within each kind."""
    p, day, code = course.patient, course.day, course.patient.study_code
    for rx in course.given:
        yield [code, day(rx.start_date), "dose", rx.mg_per_day, "mg/day", rx.action, rx.form]
        yield [code, day(rx.start_date), "dose_per_m2", rx.mg_per_m2_per_day, "mg/m2/day",
               rx.action, rx.bsa_formula]
        if rx.suspended_on:
            yield [code, day(rx.suspended_on), "suspension", 0, "mg/day", "", ""]
        if rx.status == Prescription.Status.STOPPED and rx.end_date:
            yield [code, day(rx.end_date), "stop", 0, "mg/day", "", ""]
    for t in sorted(valid(p.troughs.all()), key=lambda t: t.sampled_at):
        assay = "" if t.assay == TroughLevel.Assay.UNKNOWN else t.assay
        yield [code, day(local_date(t.sampled_at)), "trough", t.value_ng_ml, "ng/ml", assay,
               ""]
    for lab in sorted(valid(p.lab_results.all()), key=lambda lab: (lab.kind, lab.sampled_at)):
        bleeding = "bleeding" if lab.kind == LabResult.Kind.PLATELETS and lab.bleeding else ""
        yield [code, day(local_date(lab.sampled_at)), lab.kind, lab.value_canonical,
               LabResult.CANONICAL_UNITS[lab.kind], "", bleeding]
    for m in sorted(valid(p.measurements.all()), key=lambda m: m.measured_on):
        yield [code, day(m.measured_on), "weight", m.weight_kg, "kg", "", ""]
        yield [code, day(m.measured_on), "height", m.height_cm, "cm", "", ""]
    for v in sorted(valid(p.visits.all()), key=lambda v: v.done_date or v.planned_date):
        if not v.done_date:
            continue
        yield [code, day(v.done_date), "visit", "", "", v.label, v.response]
        if v.systolic_bp:
            yield [code, day(v.done_date), "bp_systolic", v.systolic_bp, "mmHg", v.label, ""]
        if v.diastolic_bp:
            yield [code, day(v.done_date), "bp_diastolic", v.diastolic_bp, "mmHg", v.label, ""]
    for e in sorted(valid(p.adverse_events.all()), key=lambda e: e.onset_date):
        yield [code, day(e.onset_date), "adverse_event", int(e.severity), "grade", e.kind,
               e.action_taken]
        if e.declared_on:
            yield [code, day(e.declared_on), "pharmacovigilance_declared", "", "", e.kind, ""]
    for c in sorted(valid(p.comedications.all()), key=lambda c: c.start_date):
        name = c.name.strip().lower()
        yield [code, day(c.start_date), "comedication_start", "", "", name, ""]
        if c.end_date:
            yield [code, day(c.end_date), "comedication_end", "", "", name, ""]


def patients_csv(patients, today: date | None = None) -> tuple[str, int]:
    today = today or timezone.localdate()
    rows = [patient_row(Course.of(p), today) for p in patients]
    return to_csv(PATIENT_COLUMNS, rows), len(rows)


def events_csv(patients) -> tuple[str, int]:
    courses = [Course.of(p) for p in patients]
    return to_csv(EVENT_COLUMNS, (row for c in courses for row in event_rows(c))), len(courses)


@transaction.atomic
def record_export(user, table: str, patient_count: int) -> None:
    """Who exported which table, when, and for how many patients: a data disclosure leaves a
    trace in the audit trail like any change."""
    audit.record(user, "cohort.export", user, before=None,
                 after={"table": table, "patients": patient_count})
