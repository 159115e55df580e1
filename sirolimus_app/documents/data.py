"""What each document needs, gathered as plain data before any rendering.

Each function takes objects already fetched by the access helpers (patient with
`get_patient_record_for_user`, prescription with `get_prescription_for_user`) and runs the
protocol engine once; the templates then only lay the data out. Texts of the engine come in
the interface language (sirolimus_app.presenters).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from protocol import Advice
from protocol.response import CR_G_L, R_G_L
from protocol.supply import Supply
from protocol.supply import monthly as monthly_supply
from sirolimus_app.documents.charts import Chart
from sirolimus_app.documents.charts import patient_charts as draw_patient_charts
from sirolimus_app.models import Dispensing, LabResult, Patient, Prescription
from sirolimus_app.models.clinical import valid
from sirolimus_app.presenters import advice as present
from sirolimus_app.presenters.calendar import DueItem, due_items
from sirolimus_app.presenters.decisions import change_lines, forbidden_lines, pharmacist_check
from sirolimus_app.presenters.family import FamilyDay, family_days, place
from sirolimus_app.presenters.formatting import tablets_text
from sirolimus_app.services import decisions
from sirolimus_app.services.engine import advise_patient, dose_history


@dataclass(frozen=True)
class Made:
    """Who made a document and when: printed on every page."""

    at: datetime
    by: str

    @classmethod
    def now(cls, user) -> "Made":
        return cls(timezone.localtime(), user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class GivenDose:
    """A prescription as the child takes it: ml of solution or which tablets."""

    prescription: Prescription
    tablets: str  # '1 comprimé à 2 mg + 1 comprimé à 0,5 mg', empty for the solution

    @classmethod
    def of(cls, prescription: Prescription | None) -> "GivenDose | None":
        if prescription is None:
            return None
        return cls(prescription, tablets_text(prescription.tablets))

    @property
    def suspended(self) -> bool:
        return self.prescription.status == Prescription.Status.SUSPENDED


def current_prescription(patient: Patient) -> Prescription | None:
    """The dose being taken (or suspended) now, from the prefetched prescriptions."""
    return next((p for p in patient.prescriptions.all()
                 if p.status in Prescription.CURRENT_STATUSES), None)


def upcoming_prescription(patient: Patient) -> Prescription | None:
    """A validated prescription waiting for its start date."""
    return next((p for p in patient.prescriptions.all()
                 if p.status == Prescription.Status.VALIDATED), None)


# --- 1. the monitoring schedule, for the family ------------------------------------------

@dataclass
class ScheduleDocument:
    """The family's calendar: plain words, no rule ID (they are on the summary and the
    patient page, for the clinicians)."""

    patient: Patient
    made: Made | None
    today: date
    dose: GivenDose | None
    upcoming: GivenDose | None
    days: list[FamilyDay]
    problems: list[present.ProblemRow]
    establishment: dict = field(default_factory=dict)
    appointment_time: time | None = None  # settings.APPOINTMENT_TIME, the unit's

    @property
    def coming_days(self) -> list[FamilyDay]:
        return [day for day in self.days if not day.past]

    @property
    def past_days(self) -> list[FamilyDay]:
        return [day for day in self.days if day.past]

    @property
    def dose_time(self) -> time | None:
        return self.patient.dose_time

    @property
    def unit_phone(self) -> str:
        return self.establishment.get("service_phone", "")

    @property
    def place(self) -> str:
        return place(self.establishment)

    @property
    def forms(self) -> set[str]:
        """The presentations the family gives now or from the next prescription, for how to
        give them (SMPC-ADMIN) and keep them (SMPC-STORAGE)."""
        return {given.prescription.form for given in (self.dose, self.upcoming) if given}


def schedule(patient: Patient, user, today: date | None = None) -> ScheduleDocument:
    today = today or timezone.localdate()
    result = advise_patient(patient, today)
    items = result.advice.schedule if result.advice else ()
    return ScheduleDocument(
        patient=patient, made=Made.now(user), today=today,
        dose=GivenDose.of(current_prescription(patient)),
        upcoming=GivenDose.of(upcoming_prescription(patient)),
        days=family_days(due_items(items), today),
        problems=present.problem_rows(result.problems, {}),
        establishment=settings.ESTABLISHMENT, appointment_time=settings.APPOINTMENT_TIME,
    )


# --- 2. the treatment summary ------------------------------------------------------------

PLATELET_COLUMNS = 3


@dataclass
class PlateletRow:
    lab: LabResult

    @property
    def band(self) -> str:
        """Which of the response thresholds (IWG, Rodeghiero 2009) the count reaches."""
        value = self.lab.value_canonical
        if value >= CR_G_L:
            return f"≥ {CR_G_L:g}"
        return f"≥ {R_G_L:g}" if value >= R_G_L else f"< {R_G_L:g}"


@dataclass
class SummaryDocument:
    patient: Patient
    made: Made
    today: date
    advice: Advice | None
    problems: list[present.ProblemRow]
    itp_phase: str
    day_of_treatment: int | None
    eligibility: list[present.Check]
    prescriptions: list[Prescription]  # the doses given, oldest first
    pending: list[Prescription]  # proposed or validated, not yet taken
    troughs: list[present.TroughRow]  # oldest first, with the engine's reading
    platelets: list[PlateletRow]
    response: present.Response | None
    adverse_events: list
    comedications: list
    visits: list
    alerts: list[present.Alert]
    proposals: list[present.Proposal]
    next_items: list[DueItem]
    # The calendar from today on, with its rule IDs: the clinicians' copy of what the
    # family's calendar says in plain words.
    coming_items: list[DueItem]
    taper: present.TaperPlan | None
    current: GivenDose | None
    charts: list[Chart]

    @property
    def platelet_grid(self) -> list[list[PlateletRow | None]]:
        """The counts in three columns side by side, read down the first one first (a plain
        table: fewer cells, and multi-column layout is slow to render)."""
        per_column = -(-len(self.platelets) // PLATELET_COLUMNS)
        columns = [self.platelets[i * per_column:(i + 1) * per_column]
                   for i in range(PLATELET_COLUMNS)]
        return [[column[row] if row < len(column) else None for column in columns]
                for row in range(per_column)]


def summary(patient: Patient, user, today: date | None = None) -> SummaryDocument:
    today = today or timezone.localdate()
    result = advise_patient(patient, today)
    advice = result.advice
    prescriptions = sorted(patient.prescriptions.all(), key=lambda p: (p.start_date, p.pk))
    phase = (advice.itp_phase if advice else None) or patient.itp_phase
    troughs = valid(patient.troughs.all())
    return SummaryDocument(
        patient=patient, made=Made.now(user), today=today, advice=advice,
        problems=present.problem_rows(result.problems, {}),
        itp_phase=str(dict(Patient.Phase.choices).get(phase, phase or "")),
        day_of_treatment=advice.day_of_treatment if advice else None,
        eligibility=present.eligibility_checks(advice, {}),
        prescriptions=[p for p in prescriptions if p.status in Prescription.GIVEN_STATUSES],
        pending=[p for p in prescriptions
                 if p.status in (Prescription.Status.PROPOSED, Prescription.Status.VALIDATED)],
        troughs=present.trough_rows(troughs, advice, limit=len(troughs))[::-1],
        platelets=[PlateletRow(lab) for lab in sorted(
            (lab for lab in valid(patient.lab_results.all())
             if lab.kind == LabResult.Kind.PLATELETS),
            key=lambda lab: lab.sampled_at)],
        response=present.response(advice),
        adverse_events=sorted(valid(patient.adverse_events.all()), key=lambda e: e.onset_date),
        comedications=sorted(valid(patient.comedications.all()), key=lambda c: c.start_date),
        visits=sorted((v for v in valid(patient.visits.all()) if v.done_date),
                      key=lambda v: v.done_date),
        alerts=present.alerts(advice.alerts if advice else ()),
        proposals=present.proposals(advice, current_prescription(patient)),
        next_items=due_items(advice.next if advice else ()),
        coming_items=coming_items(advice.schedule if advice else (), today),
        taper=present.taper_plan(advice),
        current=GivenDose.of(current_prescription(patient)),
        charts=patient_charts(patient, today),
    )


def coming_items(items, today: date) -> list[DueItem]:
    """The engine's calendar items booked from `today` on, by working day."""
    due = [item for item in due_items(items) if (item.appointment or item.day) >= today]
    return sorted(due, key=lambda item: item.appointment or item.day)


def patient_charts(patient: Patient, today: date | None = None) -> list[Chart]:
    """The SVG charts of a patient fetched with `prefetch_clinical` (no further query)."""
    return draw_patient_charts(patient, dose_history(patient.prescriptions.all()),
                               today or timezone.localdate())


# --- 3. the pharmacist's dose sheet ------------------------------------------------------

@dataclass
class DoseSheet:
    prescription: Prescription
    patient: Patient
    made: Made
    dose: GivenDose
    working: dict | None  # the engine's working, numbers as Decimals
    alerts: list[present.Alert]  # the alerts the engine raised when the dose was proposed
    rules: list[str]
    month: Supply | None  # a month of this dose, in whole bottles (COST-MONTHLY)
    dispensings: list[Dispensing]
    # The record as it is when the sheet is printed (issue 14): what the pharmacist checks.
    check: object = None  # presenters.decisions.PharmacistCheck
    changes: list = field(default_factory=list)  # old → new since the proposal (proposed only)
    forbidden: list = field(default_factory=list)  # (rule, text) of today's critical alerts


def dose_sheet(prescription: Prescription, user) -> DoseSheet:
    """Everything the pharmacist checked, as recorded when the dose was proposed."""
    recorded = prescription.working or {}
    dose = recorded.get("dose") or {}
    return DoseSheet(
        prescription=prescription, patient=prescription.patient, made=Made.now(user),
        dose=GivenDose.of(prescription),
        working=present.working(dose.get("working") or recorded.get("detail")),
        alerts=present.alerts(recorded.get("alerts", [])),
        rules=list(prescription.rules or dose.get("rules", [])),
        month=monthly_supply(prescription.mg_per_day, prescription.form),
        dispensings=list(prescription.dispensings.select_related("dispensed_by")),
        **_check_today(prescription),
    )


def _check_today(prescription: Prescription) -> dict:
    assessment = decisions.assessments([prescription])[prescription.pk]
    proposed = prescription.status == Prescription.Status.PROPOSED
    return {"check": pharmacist_check(assessment, timezone.localdate()),
            "changes": change_lines(assessment.changes, assessment.weight_date)
            if proposed else [],
            "forbidden": forbidden_lines(assessment.forbidden) if proposed else []}
