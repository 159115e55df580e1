"""The queries behind the worklists and the home pages' "patients needing attention".

The pharmacist's list is a plain query. The nurse's calendar and the reasons for attention
are read from what services.schedule derived from the protocol engine (models.schedule): no
engine runs here, and the number of queries depends neither on the number of patients nor
on their history. What changes with the date alone is decided here, against today, in SQL:
- due today or in the coming week: every item, done (shown as such) or not;
- overdue: an item not done, due before today and not yet superseded by the next item of
  its kind, since a missed periodic item is caught up by doing the latest one;
- "no response at 3 months": from the date stored for it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from sirolimus_app.models import (
    AuditEvent,
    MonitoringCheck,
    Patient,
    PatientStatus,
    Prescription,
    ScheduleItem,
)
from sirolimus_app.models.schedule import (  # noqa: F401 (the section codes, for callers)
    OVERDUE,
    TODAY,
    TROUGH_KINDS,
    URGENCY,
    WEEK,
    section_of,
)

Status = Prescription.Status
Kind = MonitoringCheck.Kind

WEEK_DAYS = 7


# --- the pharmacist ------------------------------------------------------------------------

def _changes_after_proposal(patient_id, proposed_at):
    """Audit lines of a patient's record written after a proposal (a trough, a weight, a
    suspension…), apart from the proposal itself and the nurses' ticks."""
    return (AuditEvent.objects.filter(patient_id=patient_id, at__gt=proposed_at)
            .exclude(action="prescription.propose")
            .exclude(object_type=MonitoringCheck._meta.label))


def proposals_waiting():
    """Proposals awaiting validation, oldest first, with their patients."""
    return (Prescription.objects.filter(status=Status.PROPOSED).select_related("patient")
            .order_by("proposed_at", "pk"))


def pending_prescriptions():
    """Proposals awaiting validation, oldest first, with what their cards show.

    `new_data` flags a patient whose record changed after the proposal: the stored working
    may then no longer be what the protocol advises.
    """
    return (proposals_waiting().select_related("proposed_by", "replaces")
            .annotate(new_data=Exists(_changes_after_proposal(OuterRef("patient_id"),
                                                              OuterRef("proposed_at")))))


def changed_since_proposal(prescription: Prescription) -> bool:
    return _changes_after_proposal(prescription.patient_id, prescription.proposed_at).exists()


# --- the nurse -----------------------------------------------------------------------------

def _open(today: date) -> Q:
    """Not done, and not superseded by the next item of its kind as of today."""
    return Q(done=False, superseded_on__gte=today)


def _listed(today: date) -> Q:
    """On the worklist today: due up to a week ahead, and either not past or still open.
    One range of due dates, which the index reads in order."""
    return (Q(due_date__lte=today + timedelta(days=WEEK_DAYS))
            & (Q(due_date__gte=today) | _open(today)))


def _section(section: str, today: date) -> Q:
    """Within the listed items."""
    return {OVERDUE: Q(due_date__lt=today), TODAY: Q(due_date=today),
            WEEK: Q(due_date__gt=today)}[section]


_WORK_ORDER = ("due_date", "patient__last_name", "patient__first_name", "patient_id", "position")


def due_items(today: date, section: str = ""):
    """Every followed patient's items on the worklist today (or in one section), in the order
    a nurse works through them: overdue, today, the week; by date, then patient, then samples
    before visits."""
    items = ScheduleItem.objects.filter(_listed(today))
    if section:
        items = items.filter(_section(section, today))
    return items.select_related("patient", "tick__recorded_by").order_by(*_WORK_ORDER)


def due_now(today: date):
    """The items overdue or due today and not done yet, in the same order: what the home
    pages show first (no tick to show, none is done)."""
    return (ScheduleItem.objects.filter(_open(today), due_date__lte=today)
            .select_related("patient").order_by(*_WORK_ORDER))


def section_counts(today: date, fresh: "Freshness") -> dict[str, dict[str, int]]:
    """Per section: the items listed ("all") and those not done yet ("pending"); all overdue
    items are pending. The overdue ones are summed from the statuses when all were computed
    today, counted from the items otherwise."""
    if fresh.computed_today:
        overdue = PatientStatus.objects.aggregate(n=Sum("overdue_items", default=0))["n"]
    else:
        overdue = ScheduleItem.objects.filter(_open(today), due_date__lt=today).count()
    counts = {kind: {OVERDUE: overdue, TODAY: 0, WEEK: 0} for kind in ("all", "pending")}
    coming = ScheduleItem.objects.filter(
        due_date__gte=today, due_date__lte=today + timedelta(days=WEEK_DAYS))
    for row in coming.order_by().values("due_date", "done").annotate(n=Count("pk")):
        section = section_of(row["due_date"], today)
        counts["all"][section] += row["n"]
        if not row["done"]:
            counts["pending"][section] += row["n"]
    return counts


def followed_patients():
    """Patients on sirolimus or about to start it: the only ones with a calendar to follow."""
    return Patient.objects.filter(schedule_status__treatment__in=PatientStatus.FOLLOWED)


def unavailable_calendars():
    """Followed patients whose calendar the engine could not compute (incomplete record)."""
    return (PatientStatus.objects.filter(calendar__in=PatientStatus.UNAVAILABLE)
            .select_related("patient").order_by("last_name", "first_name", "patient_id"))


@dataclass(frozen=True)
class Freshness:
    """How current the stored statuses are today."""

    missing: int  # patients without any (created outside the services, before the nightly)
    stale: int  # computed before today: the nightly refresh did not run

    @property
    def not_current(self) -> int:
        """Patients whose items due on a moving date (the pre-treatment work-up, the 48 h
        control) may be late by the days since their computation, or who are not listed."""
        return self.missing + self.stale

    @property
    def computed_today(self) -> bool:
        """Whether every status's figures of the day (urgency, overdue items) hold today."""
        return self.stale == 0


def freshness(today: date) -> Freshness:
    known = PatientStatus.objects.count()
    return Freshness(missing=Patient.objects.count() - known,
                     stale=PatientStatus.objects.filter(computed_for__lt=today).count())


# --- who needs attention -------------------------------------------------------------------

@dataclass
class PatientScan:
    """One followed patient today: the items on the worklist, and the overdue troughs among
    the reasons for attention (presenters.attention says them)."""

    patient: Patient
    status: PatientStatus
    items: list[ScheduleItem] = field(default_factory=list)  # on today's worklist
    late: list[ScheduleItem] = field(default_factory=list)  # overdue troughs


def _overdue_troughs(today: date):
    return ScheduleItem.objects.filter(_open(today), due_date__lt=today, kind__in=TROUGH_KINDS)


def _ranked_on(today: date):
    """Statuses of the patients needing attention, each with its `urgency` evaluated against
    `today` from the stored flags and calendar rows (what services.schedule.urgency_on says
    in Python)."""
    late = _overdue_troughs(today).values("patient_id")
    reasons = {
        "toxic_trough": Q(toxic_trough=True),
        "forbidden": ~Q(critical_detail=""),
        "overdue_trough": Q(patient_id__in=late),
        "no_response": Q(no_response_from__lte=today),
        "awaiting_validation": Q(awaiting_validation=True),
    }
    flagged = Q()
    for condition in reasons.values():
        flagged |= condition
    return PatientStatus.objects.filter(flagged).annotate(urgency_today=Case(
        *[When(reasons[code], then=Value(rank)) for rank, code in enumerate(URGENCY)]))


def attention_page(today: date, size: int,
                   fresh: Freshness) -> tuple[list[PatientStatus], int]:
    """The `size` patients who need attention most urgently (then by name), and how many
    need it in all: the stored urgency, read through its index, when every status was
    computed today; every reason evaluated against today otherwise."""
    if fresh.computed_today:
        ranked = PatientStatus.objects.filter(urgency__isnull=False).order_by(
            "urgency", "last_name", "first_name", "patient_id")
    else:
        ranked = _ranked_on(today).order_by("urgency_today", "last_name", "first_name",
                                            "patient_id")
    top = list(ranked.values_list("pk", flat=True)[:size])
    shown = PatientStatus.objects.select_related("patient").in_bulk(top)
    return [shown[pk] for pk in top], ranked.count()


def late_troughs(statuses, today: date) -> dict[int, list[ScheduleItem]]:
    """Each patient's overdue troughs, in one query for all the given statuses (what their
    reasons for attention need beyond the status: presenters.attention)."""
    late = defaultdict(list)
    for item in (_overdue_troughs(today).filter(patient_id__in=[s.pk for s in statuses])
                 .order_by("due_date", "pk")):
        late[item.patient_id].append(item)
    return late


def scan(today: date | None = None, patients=None) -> list[PatientScan]:
    """The followed patients (all, or those of the `patients` queryset) with their items on
    today's worklist and their reasons for attention, in a fixed number of queries."""
    today = today or timezone.localdate()
    statuses = (PatientStatus.objects.filter(treatment__in=PatientStatus.FOLLOWED)
                .select_related("patient").order_by("patient_id"))
    if patients is not None:
        statuses = statuses.filter(patient__in=patients)
    statuses = list(statuses)
    items = defaultdict(list)
    for item in due_items(today).filter(patient_id__in=[s.pk for s in statuses]):
        items[item.patient_id].append(item)
    late = late_troughs(statuses, today)
    return [PatientScan(s.patient, s, items[s.pk], late[s.pk]) for s in statuses]
