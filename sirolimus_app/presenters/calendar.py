"""The monitoring calendar as pages, documents and worklists show it: one item type
(DueItem), its labels, and the one rule for when an item counts as done."""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sirolimus_app.i18n import calendar_label, in_language
from sirolimus_app.models import MonitoringCheck, Patient, ScheduleItem
from sirolimus_app.models.schedule import OVERDUE, TODAY, TROUGH_KINDS, WEEK, section_of
from sirolimus_app.presenters.formatting import engine_text

Kind = MonitoringCheck.Kind
# The kinds' names, as the engine's calendar names them (the same as the nurses' ticks).
KIND_LABELS = {
    "trough": gettext_lazy("Taux résiduel"),
    "control": gettext_lazy("Contrôle du taux résiduel à 48 h"),
    "visit": gettext_lazy("Visite"),
    "cbc": gettext_lazy("NFS"),
    "lipids": gettext_lazy("Bilan lipidique"),
    "blood_pressure": gettext_lazy("Tension artérielle"),
}
BEFORE_MORNING_DOSE = gettext_lazy("Prélever juste avant la prise du matin")
SECTIONS = {OVERDUE: gettext_lazy("En retard"), TODAY: gettext_lazy("Aujourd'hui"),
            WEEK: gettext_lazy("Dans les 7 jours")}


@dataclass
class DueItem:
    """One calendar item: from the engine's calendar (patient page, documents) or from the
    stored calendar (worklists, with the patient, its tick and its section today)."""

    day: date
    kind: str
    label: str  # in the interface language
    rules: list[str]
    instruction: str
    overdue: bool = False
    conditional: bool = False  # due only if the prescriber takes the option it belongs to
    patient: Patient | None = None
    done: bool = False
    check: MonitoringCheck | None = None  # the nurse's tick, when that is how it was done
    section: str = ""
    days_late: int = 0
    raw_label: str = ""  # as the engine writes it (the key of a visit, of a nurse's tick)
    appointment: date | None = None  # the engine's working day for it
    fulfilled_on: date | None = None  # the engine's word: the record that fulfils it…
    fulfilled_kind: str = ""  # …its kind ("trough", "platelets", "visit", "control"…)
    fulfilled_ref: str = ""  # …and the app's reference of it ("trough:12", "check:3"…)
    # Why the engine put it there (protocol.monitoring.Reason), for the family's sentences;
    # from the engine's calendar only (the stored rows do not keep them).
    reason: str = ""
    month: int | None = None  # the month of treatment of a follow-up
    drug: str = ""  # the interacting drug, in the interface language

    @classmethod
    def of_row(cls, row: ScheduleItem, today: date) -> "DueItem":
        # The worklist sections and lateness follow the working day the engine booked: an
        # item due on a Saturday and booked on the Monday is not late on the Saturday.
        section = section_of(row.appointment, today)
        return cls(day=row.due_date, kind=row.kind, label=calendar_label(row.label),
                   raw_label=row.label, rules=row.rules, patient=row.patient, done=row.done,
                   check=row.tick, section=section, overdue=section == OVERDUE,
                   conditional=row.conditional, appointment=row.appointment,
                   fulfilled_on=row.fulfilled_on, fulfilled_kind=row.fulfilled_kind,
                   fulfilled_ref=row.fulfilled_ref,
                   days_late=(today - row.appointment).days if section == OVERDUE else 0,
                   instruction=in_language(row.instruction, row.instruction_en) or (
                       str(BEFORE_MORNING_DOSE) if row.kind in TROUGH_KINDS else ""))

    @property
    def date(self) -> date:  # the worklist templates' name for it
        return self.day

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    kind_display = kind_label

    @property
    def recordable(self) -> bool:
        """Whether a nurse can tick it (the engine may add kinds the database does not know;
        a conditional item is not to be done yet)."""
        return self.kind in Kind.values and not self.conditional

    @property
    def with_vitals(self) -> bool:
        """Ticked with the blood pressure (and weight, height) measured, not in one click."""
        return self.kind in (Kind.VISIT, Kind.BLOOD_PRESSURE)

    @property
    def condition_display(self) -> str:
        """What a conditional item waits for."""
        if self.kind == Kind.CONTROL:
            return _("Conditionnel : seulement une fois la suspension enregistrée (48 h après "
                     "l'arrêt)")
        return _("Conditionnel : selon la décision du prescripteur")

    @property
    def section_display(self) -> str:
        return str(SECTIONS.get(self.section, ""))

    @property
    def late_display(self) -> str:
        return ngettext("%(days)s jour de retard", "%(days)s jours de retard",
                        self.days_late) % {"days": self.days_late}

    @property
    def done_display(self) -> str:
        """"fait le …" and which record, from the engine's fulfilment (every page and
        document says it with this one sentence)."""
        if self.fulfilled_on is None:
            return ""
        day = date_format(self.fulfilled_on, "SHORT_DATE_FORMAT")
        # The refs are the app's own (services.engine build_course): a nurse's tick is
        # "check:<pk>".
        if self.check is not None and self.fulfilled_ref.startswith("check:"):
            who = self.check.recorded_by.get_full_name() or self.check.recorded_by.get_username()
            what = _("coché par %(who)s") % {"who": who}
        elif self.fulfilled_kind == Kind.VISIT:
            what = _("visite %(label)s") % {"label": self.label}
        else:
            what = _("prélèvement du %(day)s") % {"day": day}
        return _("fait le %(day)s (%(what)s)") % {"day": day, "what": what}

    @property
    def tick_display(self) -> str:
        """The label of the button that records the item as done."""
        if self.kind in (*TROUGH_KINDS, Kind.CBC, Kind.LIPIDS):
            return _("Prélèvement fait")
        return {Kind.VISIT: _("Visite faite"), Kind.BLOOD_PRESSURE: _("TA mesurée")}.get(
            self.kind, _("Fait"))


def due_items(items) -> list[DueItem]:
    """The engine's calendar items (protocol.monitoring.Item) as DueItems."""
    return [DueItem(day=i.date, kind=i.kind, label=calendar_label(i.label), raw_label=i.label,
                    rules=list(i.rules), instruction=engine_text(i, "instruction"),
                    overdue=i.overdue, conditional=bool(i.condition),
                    appointment=i.appointment, done=i.done,
                    fulfilled_on=i.fulfilled.date if i.fulfilled else None,
                    fulfilled_kind=i.fulfilled.kind if i.fulfilled else "",
                    fulfilled_ref=(i.fulfilled.ref or "") if i.fulfilled else "",
                    reason=i.reason or "", month=i.month,
                    drug=in_language(i.substance.name_fr, i.substance.name_en)
                    if i.substance else "")
            for i in items or ()]


def worklist_items(rows, today: date) -> list[DueItem]:
    """Stored calendar rows (services.worklists) as the worklists show them today."""
    return [DueItem.of_row(row, today) for row in rows]


@dataclass
class DueDay:
    """One child's items booked on one working day: one row of the nurse's worklist, each
    item with its own state and tick."""

    patient: Patient
    appointment: date
    items: list[DueItem]

    @property
    def section_display(self) -> str:  # the same for every item: they share the appointment
        return self.items[0].section_display

    @property
    def days_late(self) -> int:
        return self.items[0].days_late

    @property
    def late_display(self) -> str:
        return self.items[0].late_display

    @property
    def planned(self) -> list[date]:
        """The protocol dates of its items that are not the day they are booked on (the
        worklist says "prévu le …")."""
        return sorted({i.day for i in self.items if i.day != self.appointment})


def worklist_days(rows, today: date) -> list[DueDay]:
    """Stored calendar rows in work order (services.worklists), one DueDay per patient and
    appointment."""
    days: list[DueDay] = []
    for item in worklist_items(rows, today):
        last = days[-1] if days else None
        if last and (last.patient.pk, last.appointment) == (item.patient.pk, item.appointment):
            last.items.append(item)
        else:
            days.append(DueDay(item.patient, item.appointment, [item]))
    return days
