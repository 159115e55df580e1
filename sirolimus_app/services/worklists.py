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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sirolimus_app.i18n import calendar_label, in_language
from sirolimus_app.models import (
    AuditEvent,
    MonitoringCheck,
    Patient,
    PatientStatus,
    Prescription,
    ScheduleItem,
)
from sirolimus_app.models.schedule import TROUGH_KINDS, URGENCY

Status = Prescription.Status
Kind = MonitoringCheck.Kind

OVERDUE, TODAY, WEEK = "overdue", "today", "week"
SECTIONS = {
    OVERDUE: gettext_lazy("En retard"),
    TODAY: gettext_lazy("Aujourd'hui"),
    WEEK: gettext_lazy("Dans les 7 jours"),
}
WEEK_DAYS = 7
BEFORE_MORNING_DOSE = gettext_lazy("Prélever juste avant la prise du matin")
_KIND_LABELS = dict(Kind.choices)


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

def section_of(day: date, today: date) -> str:
    """The section of a listed item due on `day`."""
    return OVERDUE if day < today else TODAY if day == today else WEEK


@dataclass
class DueItem:
    """One calendar item of one patient as a worklist shows it today."""

    patient: Patient
    date: date
    kind: str
    label: str
    rules: list[str]
    instruction: str = ""
    done: bool = False
    check: MonitoringCheck | None = None  # the nurse's tick, when that is how it was done
    conditional: bool = False  # waits for a condition (ScheduleItem.conditional): no tick
    section: str = ""
    days_late: int = 0

    @classmethod
    def of(cls, row: ScheduleItem, today: date) -> "DueItem":
        section = section_of(row.due_date, today)
        return cls(patient=row.patient, date=row.due_date, kind=row.kind,
                   label=calendar_label(row.label),
                   rules=row.rules, done=row.done, check=row.tick, section=section,
                   conditional=row.conditional,
                   days_late=(today - row.due_date).days if section == OVERDUE else 0,
                   instruction=in_language(row.instruction, row.instruction_en) or (
                       str(BEFORE_MORNING_DOSE) if row.kind in TROUGH_KINDS else ""))

    @property
    def recordable(self) -> bool:
        """Whether a nurse can tick it (the engine may add kinds the database does not know;
        a conditional item is not to be done yet)."""
        return self.kind in _KIND_LABELS and not self.conditional

    @property
    def with_vitals(self) -> bool:
        """Ticked with the blood pressure (and weight, height) measured, not in one click."""
        return self.kind in (Kind.VISIT, Kind.BLOOD_PRESSURE)

    @property
    def kind_display(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    @property
    def section_display(self) -> str:
        return SECTIONS.get(self.section, "")

    @property
    def late_display(self) -> str:
        return ngettext("%(days)s jour de retard", "%(days)s jours de retard",
                        self.days_late) % {"days": self.days_late}

    @property
    def condition_display(self) -> str:
        """What a conditional item waits for."""
        if self.kind == Kind.CONTROL:
            return _("Conditionnel : seulement une fois la suspension enregistrée (48 h après "
                     "l'arrêt)")
        return _("Conditionnel : selon la décision du prescripteur")

    @property
    def tick_display(self) -> str:
        """The label of the button that records the item as done."""
        if self.kind in (*TROUGH_KINDS, Kind.CBC, Kind.LIPIDS):
            return _("Prélèvement fait")
        return {Kind.VISIT: _("Visite faite"), Kind.BLOOD_PRESSURE: _("TA mesurée")}.get(
            self.kind, _("Fait"))


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


def dress(rows, today: date) -> list[DueItem]:
    """The rows of one page as the templates show them."""
    return [DueItem.of(row, today) for row in rows]


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
class Attention:
    code: str
    label: str
    rule: str = ""
    detail: str = ""


@dataclass
class PatientScan:
    """One followed patient today: the items on the worklist and the reasons for attention."""

    patient: Patient
    status: PatientStatus
    items: list[DueItem] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)


def _overdue_troughs(today: date):
    return ScheduleItem.objects.filter(_open(today), due_date__lt=today, kind__in=TROUGH_KINDS)


def _ranked_on(today: date):
    """Statuses of the patients needing attention, each with its `urgency` evaluated against
    `today` from the stored flags and calendar rows (what services.schedule.urgency_on says
    in Python)."""
    late = _overdue_troughs(today).values("patient_id")
    reasons = {
        "toxic_trough": Q(toxic_trough=True),
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


def attention_of(statuses, today: date) -> dict[int, list[Attention]]:
    """Each patient's reasons for attention, in one query for all the given statuses."""
    statuses = list(statuses)
    late = defaultdict(list)
    for item in (_overdue_troughs(today).filter(patient_id__in=[s.pk for s in statuses])
                 .order_by("due_date", "pk")):
        late[item.patient_id].append(item)
    return {status.pk: _reasons(status, late[status.pk], today) for status in statuses}


def _reasons(status: PatientStatus, late: list[ScheduleItem], today: date) -> list[Attention]:
    found = []
    if status.toxic_trough:
        found.append(Attention("toxic_trough", _("Résiduel toxique sans suspension"),
                               "TOX-SUSPEND",
                               in_language(status.toxic_detail, status.toxic_detail_en)))
    for item in late:
        found.append(Attention(
            "overdue_trough", _("Taux résiduel en retard"),
            item.rules[0] if item.rules else "TDM-STEADY-STATE",
            _("%(label)s prévu le %(date)s") % {
                "label": calendar_label(item.label),
                "date": item.due_date.strftime("%d/%m/%Y")}))
    if status.awaiting_validation:
        found.append(Attention("awaiting_validation",
                               _("Prescription en attente de validation")))
    if status.no_response_from is not None and status.no_response_from <= today:
        # The engine's own message once it said so; a date foreseen, until the next refresh.
        detail = in_language(status.no_response_detail, status.no_response_detail_en) or _(
            "Toujours pas de réponse à 3 mois de traitement (%(date)s) : voir la conduite à "
            "tenir dans le dossier.") % {"date": status.no_response_from.strftime("%d/%m/%Y")}
        found.append(Attention("no_response", _("Pas de réponse à 3 mois"), "RESP-DELAY",
                               detail))
    return found


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
    for item in dress(due_items(today).filter(patient_id__in=[s.pk for s in statuses]), today):
        items[item.patient.pk].append(item)
    attention = attention_of(statuses, today)
    return [PatientScan(s.patient, s, items[s.pk], attention[s.pk]) for s in statuses]
