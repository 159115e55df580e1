"""The queries behind the worklists and the home pages' "patients needing attention".

The pharmacist's list is a plain query. The nurse's calendar is the protocol engine's
(`advice["schedule"]` and `advice["next"]`) minus what is recorded as done: a MonitoringCheck
(patient, kind, due date) ticked by a nurse, or the record itself (a trough, a lipid panel, a
platelet count or a blood pressure dated on/after the due date, a visit of that label done).

Cost: one pass reads every followed patient (a current or pending prescription) with
`prefetch_clinical` in chunks, so the number of queries does not depend on the number of
patients, but the engine runs once per followed patient (see `scan`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sirolimus_app.models import AuditEvent, LabResult, MonitoringCheck, Patient, Prescription
from sirolimus_app.services.engine import advise_patient, local_date, prefetch_clinical

Status = Prescription.Status
Kind = MonitoringCheck.Kind

OVERDUE, TODAY, WEEK = "overdue", "today", "week"
SECTIONS = {
    OVERDUE: _("En retard"),
    TODAY: _("Aujourd'hui"),
    WEEK: _("Dans les 7 jours"),
}
WEEK_DAYS = 7
# A missed periodic item is superseded by the next one of its kind, and every kind recurs
# at least yearly (AE-LIPIDS), so ticks older than this can no longer change the list.
CHECKS_LOOKBACK = timedelta(days=400)
PRESCAN_CHUNK = 500  # patients prefetched together: bounds memory, not the query count
TROUGH_KINDS = (Kind.TROUGH, Kind.CONTROL)
BEFORE_MORNING_DOSE = _("Prélever juste avant la prise du matin")
_KIND_ORDER = {kind: rank for rank, kind in enumerate(
    (Kind.CONTROL, Kind.TROUGH, Kind.VISIT, Kind.CBC, Kind.BLOOD_PRESSURE, Kind.LIPIDS))}
FOLLOWED_STATUSES = (*Prescription.CURRENT_STATUSES, Status.PROPOSED, Status.VALIDATED)


# --- the pharmacist ------------------------------------------------------------------------

def _changes_after_proposal(patient_id, proposed_at):
    """Audit lines of a patient's record written after a proposal (a trough, a weight, a
    suspension…), apart from the proposal itself and the nurses' ticks."""
    return (AuditEvent.objects.filter(patient_id=patient_id, at__gt=proposed_at)
            .exclude(action="prescription.propose")
            .exclude(object_type=MonitoringCheck._meta.label))


def pending_prescriptions():
    """Proposals awaiting validation, oldest first, with what their cards show.

    `new_data` flags a patient whose record changed after the proposal: the stored working
    may then no longer be what the protocol advises.
    """
    return (Prescription.objects.filter(status=Status.PROPOSED)
            .select_related("patient", "proposed_by", "replaces")
            .annotate(new_data=Exists(_changes_after_proposal(OuterRef("patient_id"),
                                                              OuterRef("proposed_at"))))
            .order_by("proposed_at", "pk"))


def changed_since_proposal(prescription: Prescription) -> bool:
    return _changes_after_proposal(prescription.patient_id, prescription.proposed_at).exists()


# --- the nurse -----------------------------------------------------------------------------

@dataclass
class DueItem:
    """One calendar item of one patient: a sample to take, a visit, a measurement."""

    patient: Patient
    date: date
    kind: str
    label: str
    rules: list[str]
    instruction: str = ""
    done: bool = False
    check: MonitoringCheck | None = None  # the nurse's tick, when that is how it was done
    section: str = ""
    days_late: int = 0

    @property
    def recordable(self) -> bool:
        """Whether a nurse can tick it (the engine may add kinds the database does not know)."""
        return self.kind in Kind.values

    @property
    def kind_display(self) -> str:
        return Kind(self.kind).label if self.recordable else self.kind

    @property
    def section_display(self) -> str:
        return SECTIONS.get(self.section, "")

    @property
    def is_sample(self) -> bool:
        return self.kind in (*TROUGH_KINDS, Kind.CBC, Kind.LIPIDS)


@dataclass
class Attention:
    code: str
    label: str
    rule: str = ""
    detail: str = ""


@dataclass
class PatientScan:
    patient: Patient
    advice: dict | None
    problems: list
    items: list[DueItem] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)


def followed_patients():
    """Patients on sirolimus or about to start it: the only ones with a calendar to follow."""
    return Patient.objects.filter(Exists(Prescription.objects.filter(
        patient_id=OuterRef("pk"), status__in=FOLLOWED_STATUSES)))


def scan(today: date | None = None, patients=None) -> list[PatientScan]:
    """Run the engine for every followed patient (or the given queryset) and work out what is
    due and who needs attention. A fixed number of queries per PRESCAN_CHUNK patients."""
    today = today or timezone.localdate()
    patients = followed_patients() if patients is None else patients
    ticks = _ticks(patients, today)
    return [scan_patient(patient, today, ticks) for patient in
            prefetch_clinical(patients.order_by("pk")).iterator(chunk_size=PRESCAN_CHUNK)]


def _ticks(patients, today: date) -> dict[tuple, MonitoringCheck]:
    checks = (MonitoringCheck.objects
              .filter(patient__in=patients.values("pk"), due_date__gte=today - CHECKS_LOOKBACK)
              .select_related("recorded_by"))
    return {(c.patient_id, c.kind, c.due_date): c for c in checks}


def scan_patient(patient: Patient, today: date, ticks: dict) -> PatientScan:
    result = advise_patient(patient, today)
    found = PatientScan(patient, result.advice, result.problems)
    if result.advice is not None:
        found.items = _due_items(patient, result.advice, today, ticks)
        found.attention = _attention(patient, result.advice, found.items)
    elif any(p.status == Status.PROPOSED for p in patient.prescriptions.all()):
        found.attention = [_awaiting_validation()]
    return found


def _calendar(advice: dict) -> list[dict]:
    """The schedule, plus what `next` adds to it (e.g. an overdue trough), without repeats."""
    seen, items = set(), []
    for item in [*advice.get("schedule", []), *advice.get("next", [])]:
        key = (item["kind"], item["date"], item.get("label", ""))
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def _due_items(patient: Patient, advice: dict, today: date, ticks: dict) -> list[DueItem]:
    """Items due in the coming week or overdue; of the overdue ones, only the latest of each
    kind, since a missed periodic item is caught up by doing the latest one."""
    done_on = _done_dates(patient)
    horizon = today + timedelta(days=WEEK_DAYS)
    # Before the first dose only the pre-treatment work-up is real: the rest of the engine's
    # calendar assumes a start today and moves every day until the proposal is validated.
    started = any(p.status in Prescription.CURRENT_STATUSES for p in patient.prescriptions.all())
    latest_past: dict[str, DueItem] = {}
    items: list[DueItem] = []
    for raw in _calendar(advice):
        day = date.fromisoformat(raw["date"])
        # A conditional item (e.g. the trough after an increase not prescribed yet) becomes a
        # real one in the schedule once the prescription it depends on exists.
        if (day > horizon or raw.get("condition")
                or not (started or "PRE-WORKUP" in raw.get("rules", []))):
            continue
        kind = raw["kind"]
        check = ticks.get((patient.pk, kind, day))
        item = DueItem(
            patient=patient, date=day, kind=kind, label=raw.get("label", ""),
            rules=list(raw.get("rules", [])),
            instruction=raw.get("instruction_fr") or (
                str(BEFORE_MORNING_DOSE) if kind in TROUGH_KINDS else ""),
            check=check,
            done=check is not None or _done_by_record(kind, raw.get("label", ""), day, done_on),
        )
        if day >= today:
            item.section = TODAY if day == today else WEEK
            items.append(item)
        elif kind not in latest_past or latest_past[kind].date <= day:
            latest_past[kind] = item
    for item in latest_past.values():
        if not item.done:
            item.section, item.days_late = OVERDUE, (today - item.date).days
            items.append(item)
    return items


def _done_dates(patient: Patient) -> dict:
    """From the prefetched records: the dates each kind of item was done on."""
    labs = patient.lab_results.all()
    return {
        Kind.TROUGH: [local_date(t.sampled_at) for t in patient.troughs.all()],
        Kind.CBC: [local_date(lab.sampled_at) for lab in labs
                   if lab.kind == LabResult.Kind.PLATELETS],
        Kind.LIPIDS: [local_date(lab.sampled_at) for lab in labs
                      if lab.kind in (LabResult.Kind.CHOLESTEROL, LabResult.Kind.TRIGLYCERIDES)],
        Kind.BLOOD_PRESSURE: [v.done_date for v in patient.visits.all()
                              if v.done_date and v.systolic_bp],
        "visit_labels": {v.label for v in patient.visits.all() if v.done_date},
    }


def _done_by_record(kind: str, label: str, day: date, done_on: dict) -> bool:
    if kind == Kind.VISIT:
        return label in done_on["visit_labels"]
    dates = done_on.get(Kind.TROUGH if kind in TROUGH_KINDS else kind, [])
    return any(done >= day for done in dates)


def _awaiting_validation() -> Attention:
    return Attention("awaiting_validation", str(_("Prescription en attente de validation")))


def _attention(patient: Patient, advice: dict, items: list[DueItem]) -> list[Attention]:
    """Why this patient needs someone's attention today, from the engine's alerts and the
    calendar; empty when all is in order."""
    found = []
    statuses = {p.status for p in patient.prescriptions.all()}
    alerts = advice.get("alerts", [])
    for alert in alerts:
        # The engine's critical TOX-SUSPEND says "suspend now"; once suspended it says
        # "stay suspended", which is not this.
        if (alert["rule"] == "TOX-SUSPEND" and alert["severity"] == "critical"
                and Status.ACTIVE in statuses):
            found.append(Attention("toxic_trough", str(_("Résiduel toxique sans suspension")),
                                   "TOX-SUSPEND", _message(alert)))
            break
    for item in items:
        if item.section == OVERDUE and item.kind in TROUGH_KINDS:
            found.append(Attention(
                "overdue_trough", str(_("Taux résiduel en retard")),
                item.rules[0] if item.rules else "TDM-STEADY-STATE",
                str(_("%(label)s prévu le %(date)s")) % {
                    "label": item.label, "date": item.date.strftime("%d/%m/%Y")}))
    if Status.PROPOSED in statuses:
        found.append(_awaiting_validation())
    # RESP-DELAY is a warning or critical alert at 3 months (adjust first, or stop); at 4
    # weeks it is only information.
    if advice.get("response", {}).get("status") == "no_response":
        late = [a for a in alerts if a["rule"] == "RESP-DELAY"
                and a["severity"] in ("warning", "critical")]
        if late:
            found.append(Attention("no_response", str(_("Pas de réponse à 3 mois")),
                                   "RESP-DELAY", _message(late[-1])))
    return found


def _message(alert: dict) -> str:
    return alert.get("message_fr") or alert.get("message", "")


# --- what the pages show -------------------------------------------------------------------

SECTION_ORDER = {OVERDUE: 0, TODAY: 1, WEEK: 2}


def nurse_items(scans: list[PatientScan]) -> list[DueItem]:
    """Every patient's due items in the order a nurse works through them: overdue, today, the
    week; by date, then patient, then samples before visits."""
    items = [item for s in scans for item in s.items]
    return sorted(items, key=lambda i: (SECTION_ORDER[i.section], i.date,
                                        i.patient.last_name, i.patient.first_name, i.patient.pk,
                                        _KIND_ORDER.get(i.kind, 9), i.label))


def section_counts(items: list[DueItem]) -> dict[str, int]:
    """Pending (not done) items per section."""
    counts = defaultdict(int)
    for item in items:
        if not item.done:
            counts[item.section] += 1
    return {key: counts[key] for key in SECTIONS}


def needing_attention(scans: list[PatientScan]) -> list[PatientScan]:
    """Patients with at least one reason for attention, the most urgent first."""
    urgency = {"toxic_trough": 0, "overdue_trough": 1, "no_response": 2,
               "awaiting_validation": 3}
    flagged = [s for s in scans if s.attention]
    return sorted(flagged, key=lambda s: (min(urgency.get(a.code, 9) for a in s.attention),
                                          s.patient.last_name, s.patient.first_name))
