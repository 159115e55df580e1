"""The queries behind the worklists and the home pages' "patients needing attention".

The pharmacist's list is a plain query. The nurse's calendar and the reasons for attention
are read from what services.schedule derived from the protocol engine (models.schedule): no
engine runs here, and the number of queries depends neither on the number of patients nor
on their history. What changes with the date alone is decided here, against today, in SQL:
- booked today or in the coming week (its appointment, the working day the engine gives it):
  every item, done (shown as such) or not;
- overdue: an item not done, booked before today and not yet superseded by the next item of
  its kind, since a missed periodic item is caught up by doing the latest one;
- "no response at 3 months": from the date stored for it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
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
# Every date below is the item's appointment, the working day the engine booked it on (an item
# due on a Saturday is done on the Friday or the Monday): it is what the nurse works to, what
# the sections, counts and lateness follow. The protocol date (due_date) names the item.

def _open(today: date) -> Q:
    """Not done, and not superseded by the next item of its kind as of today."""
    return Q(done=False, superseded_on__gte=today)


def _listed(today: date) -> Q:
    """On the worklist today: booked up to a week ahead, and either not past or still open.
    One range of appointments, which the index reads in order."""
    return (Q(appointment__lte=today + timedelta(days=WEEK_DAYS))
            & (Q(appointment__gte=today) | _open(today)))


def _section(section: str, today: date) -> Q:
    """Within the listed items."""
    return {OVERDUE: Q(appointment__lt=today), TODAY: Q(appointment=today),
            WEEK: Q(appointment__gt=today)}[section]


# A child's day (one row of the worklist): by day, then patient; within it, the patient's
# calendar order (samples before visits).
_DAY_ORDER = ("appointment", "patient__last_name", "patient__first_name", "patient_id")
_WORK_ORDER = (*_DAY_ORDER, "position")


def _listed_items(today: date, section: str = ""):
    items = ScheduleItem.objects.filter(_listed(today))
    return items.filter(_section(section, today)) if section else items


def due_items(today: date, section: str = ""):
    """Every followed patient's items on the worklist today (or in one section), in the order
    a nurse works through them: overdue, today, the week; by day, then patient, then samples
    before visits."""
    return (_listed_items(today, section).select_related("patient", "tick__recorded_by")
            .order_by(*_WORK_ORDER))


def due_days(today: date, section: str = ""):
    """The (patient id, appointment) pairs of the worklist, one per child's day, in the same
    order: what its pages count and cut, so that a child's day is never split."""
    # The names sorted on depend on the patient: DISTINCT still gives one pair per day.
    return (_listed_items(today, section).values_list("patient_id", "appointment")
            .order_by(*_DAY_ORDER).distinct())


def items_of_days(today: date, days: list[tuple[int, date]]) -> list[ScheduleItem]:
    """The worklist items of these children's days (a page of due_days), in work order."""
    if not days:
        return []
    # Two IN lists the indexes answer, then the exact pairs: an OR of one term per child's
    # day is planned and compiled term by term.
    wanted = set(days)
    rows = due_items(today).filter(patient_id__in={p for p, _day in wanted},
                                   appointment__in={day for _p, day in wanted})
    return [row for row in rows if (row.patient_id, row.appointment) in wanted]


def due_now(today: date):
    """The items overdue or booked today and not done yet, in the same order: what the home
    pages show first (no tick to show, none is done)."""
    return (ScheduleItem.objects.filter(_open(today), appointment__lte=today)
            .select_related("patient").order_by(*_WORK_ORDER))


def section_counts(today: date) -> dict[str, dict[str, int]]:
    """Per section, from one query over the listed items grouped by day: the items still to
    do ("pending": not done, and not conditional, which waits for its condition; every
    listed overdue item is not done) and the children's days ("days": the rows of the
    worklist, done or not, what its pages count)."""
    counts = {kind: {OVERDUE: 0, TODAY: 0, WEEK: 0} for kind in ("pending", "days")}
    per_day = (_listed_items(today).order_by().values("appointment")
               .annotate(pending=Count("pk", filter=Q(done=False, conditional=False)),
                         children=Count("patient_id", distinct=True)))
    for row in per_day:
        section = section_of(row["appointment"], today)
        counts["pending"][section] += row["pending"]
        counts["days"][section] += row["children"]
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
        """Whether every status's figure of the day (its urgency) holds today."""
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
    """Troughs past their appointment and not done (a conditional one waits for its
    condition): what services.schedule.urgency_on says in Python."""
    return ScheduleItem.objects.filter(_open(today), appointment__lt=today, conditional=False,
                                       kind__in=TROUGH_KINDS)


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
