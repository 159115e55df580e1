"""The monitoring calendar (`schedule`) and what is due soonest (`next`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from .calendar import Fulfilment, appointment, next_working_day
from .course import Comedication, Workup
from .dates import add_months
from .history import History
from .rules import cite
from .substances import INTERACTIONS, Substance, find

FIRST_VISIT_MONTHS = (1, 3, 6, 12)  # FOLLOW-VISITS, then every 6 months
VISIT_EVERY_MONTHS = 6
LIPIDS_EVERY_MONTHS = 12  # AE-LIPIDS: M1, M3, M6, M12, then yearly
TROUGH_EVERY_MONTHS = 6  # TDM-STEADY-STATE: then every 6 months
SCHEDULE_MIN_MONTHS = 24  # the contract: at least 24 months after the start
SCHEDULE_AHEAD_MONTHS = 6  # and at least 6 months past today
NEXT_WINDOW = timedelta(days=7)
STEADY_STATE = timedelta(days=7)  # TDM-STEADY-STATE: 7 days after a change
TROUGH_KINDS = ("trough", "control")
_DEFAULT = object()

BEFORE_MORNING_DOSE = (
    "sample just before the morning dose",
    "prélever juste avant la prise du matin",
)
AFTER_STOPPING = (
    "trough 48 h after stopping, before any restart",
    "résiduel 48 h après l'arrêt, avant toute reprise",
)


class Reason(StrEnum):
    """Why an item is in the calendar, as a fact (Item.reason): the documents for families say
    it in words without reading labels or rule IDs."""

    PRE_TREATMENT = "pre_treatment"  # PRE-WORKUP: before the first dose
    START = "start"  # TDM-STEADY-STATE: 7 days after the first dose
    DOSE_CHANGE = "dose_change"  # TDM-STEADY-STATE: 7 days after a change of dose
    RESTART = "restart"  # 7 days after a restart (after a suspension, or back up in a taper)
    INCREASE = "increase"  # DOSE-INCREASE: 7 days after the increase, if it is prescribed
    DRUG_STARTED = "drug_started"  # DDI-CYP3A-PGP: 7 days after starting an interacting drug
    DRUG_STOPPED = "drug_stopped"  # DDI-CYP3A-PGP: 7 days after stopping it
    FOLLOW_UP = "follow_up"  # FOLLOW-VISITS and what goes with them, at month `Item.month`
    AFTER_STOP = "after_stop"  # TOX-SUSPEND: the control 48 h after stopping


_KIND_ORDER = {"control": 0, "trough": 1, "visit": 2, "cbc": 3, "blood_pressure": 4, "lipids": 5}


@dataclass(frozen=True)
class Item:
    date: date
    kind: str
    label: str
    rules: tuple[str, ...]
    instruction_en: str | None = None
    instruction_fr: str | None = None
    overdue: bool = False
    condition: str | None = None  # for items that depend on a prescriber's choice
    fulfilled: Fulfilment | None = None  # the record that fulfils it (calendar.fulfil)
    # Set for the items that must reflect the regimen begun that day (7-day troughs, the 48 h
    # control): only a record drawn from the item's date to the next dose change fulfils them.
    regimen_from: date | None = None
    not_before: date | None = None  # the appointment is never earlier (work-up due from today)
    before_start: bool = False  # the pre-treatment work-up (PRE-WORKUP), due before the start
    reason: Reason | None = None  # why the item is there
    month: int | None = None  # the month of treatment of a follow-up (FOLLOW_UP): 1, 3, 6…
    substance: Substance | None = None  # the interacting drug (DRUG_STARTED, DRUG_STOPPED)

    @property
    def appointment(self) -> date:
        """The working day proposed for the item; `date` stays the protocol's date."""
        booked = appointment(self.date, self.kind)
        if self.not_before and booked < self.not_before:
            return next_working_day(self.not_before)
        return booked

    @property
    def done(self) -> bool:
        return self.fulfilled is not None

    @property
    def conditional(self) -> bool:
        """The item depends on a condition not yet met (an option taken, a suspension made)."""
        return self.condition is not None

    def to_dict(self) -> dict:
        data = {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "label": self.label,
            "rules": list(self.rules),
            "appointment": self.appointment.isoformat(),
            "fulfilled": self.fulfilled.to_dict() if self.fulfilled else None,
        }
        if self.instruction_en:
            data |= {"instruction": self.instruction_en, "instruction_fr": self.instruction_fr}
        if self.overdue:
            data["overdue"] = True
        if self.condition:
            data["condition"] = self.condition
        if self.reason:
            data["reason"] = self.reason.value
        if self.month is not None:
            data["month"] = self.month
        if self.substance:
            data |= {"substance": self.substance.name_en, "substance_fr": self.substance.name_fr}
        return data


def trough_item(
    day: date,
    label: str,
    *rules: str,
    reason: Reason,
    condition: str | None = None,
    regimen_from=_DEFAULT,
    month: int | None = None,
    substance: Substance | None = None,
) -> Item:
    """A trough; by default the one 7 days after a change (`regimen_from` = 7 days before),
    `regimen_from=None` for a periodic one."""
    return Item(
        day,
        "trough",
        label,
        cite("TDM-STEADY-STATE", *rules),
        *BEFORE_MORNING_DOSE,
        condition=condition,
        regimen_from=day - STEADY_STATE if regimen_from is _DEFAULT else regimen_from,
        reason=reason,
        month=month,
        substance=substance,
    )


def control_item(suspended_on: date, condition: str | None = None) -> Item:
    return Item(
        suspended_on + timedelta(days=2),
        "control",
        "Contrôle 48 h",
        cite("TOX-SUSPEND"),
        *AFTER_STOPPING,
        condition=condition,
        regimen_from=suspended_on,
        reason=Reason.AFTER_STOP,
    )


def pre_treatment(workup: Workup, today: date) -> list[Item]:
    """PRE-WORKUP items not yet done, due before the start."""
    labels = {
        "cbc": "NFS pré-thérapeutique",
        "lipids": "Bilan lipidique pré-thérapeutique",
        "blood_pressure": "TA pré-thérapeutique",
    }
    return [
        Item(
            today,
            kind,
            label,
            cite("PRE-WORKUP"),
            not_before=today,
            before_start=True,
            reason=Reason.PRE_TREATMENT,
        )
        for kind, label in labels.items()
        if getattr(workup, kind) is None
    ]


def on_treatment(
    start: date,
    today: date,
    changes: Iterable[date],
    controls: Iterable[date],
    end: date | None,
    restarts: Iterable[date] = (),
) -> list[Item]:
    """Calendar from the first day `start`: visits with blood pressure and CBC, lipids, troughs
    7 days after the start and after each dose change, 48 h controls after toxicity
    suspensions (`controls`: suspension start dates). `end`: definitive stop, nothing after.
    `restarts`: the changes that restart a suspended treatment (their trough says so)."""
    horizon = end or max(
        add_months(start, SCHEDULE_MIN_MONTHS), add_months(today, SCHEDULE_AHEAD_MONTHS)
    )
    restarts = set(restarts)
    items = [trough_item(start + timedelta(days=7), "T0 J7", reason=Reason.START)]
    items += [
        trough_item(
            day + timedelta(days=7),
            "T0 J7 modif.",
            reason=Reason.RESTART if day in restarts else Reason.DOSE_CHANGE,
        )
        for day in changes
    ]
    items += [control_item(day) for day in controls]
    month = 0
    while True:
        month = next((m for m in FIRST_VISIT_MONTHS if m > month), month + VISIT_EVERY_MONTHS)
        day = add_months(start, month)
        label = f"M{month}"
        follow_up = {"reason": Reason.FOLLOW_UP, "month": month}
        items += [
            Item(day, "visit", label, cite("FOLLOW-VISITS"), **follow_up),
            Item(day, "blood_pressure", label, cite("AE-BP", "FOLLOW-VISITS"), **follow_up),
            Item(day, "cbc", label, cite("FOLLOW-VISITS"), **follow_up),
        ]
        if month in FIRST_VISIT_MONTHS or month % LIPIDS_EVERY_MONTHS == 0:
            items.append(Item(day, "lipids", label, cite("AE-LIPIDS"), **follow_up))
        if month % TROUGH_EVERY_MONTHS == 0:
            items.append(
                trough_item(day, f"T0 {label}", "FOLLOW-VISITS", regimen_from=None, **follow_up)
            )
        if day >= horizon:  # the calendar reaches the horizon
            break
    return sort(i for i in items if end is None or i.date <= end)


def sort(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.date, _KIND_ORDER.get(i.kind, 9), i.label))


def interaction_troughs(
    comedications: Iterable[Comedication], history: History, today: date
) -> list[Item]:
    """DDI-CYP3A-PGP: a trough 7 days after starting or stopping an interacting drug while on
    sirolimus (SMPC-STRONG-CYP3A cited for the strong ones). A drug taken before sirolimus
    began needs none: the 7-day trough after the start measures the two together."""
    items = []
    for entry in comedications:
        for _, substance in find(INTERACTIONS, (entry.name,)):
            rules = ("DDI-CYP3A-PGP", *(("SMPC-STRONG-CYP3A",) if substance.strong else ()))
            for day, what, reason in (
                (entry.start, "début", Reason.DRUG_STARTED),
                (entry.end, "arrêt", Reason.DRUG_STOPPED),
            ):
                if day is None or history.start is None or day < history.start:
                    continue
                if history.dose_at(min(day, today)) <= 0:
                    continue  # not on sirolimus then
                items.append(
                    trough_item(
                        day + STEADY_STATE,
                        f"T0 J7 {what} {substance.name_fr}",
                        *rules,
                        reason=reason,
                        substance=substance,
                    )
                )
    return items


def due_next(items: list[Item], today: date) -> list[Item]:
    """The soonest items not yet fulfilled (earliest appointment from today, plus the 7 days
    after it) and the troughs that are overdue: their appointment is past and no record
    fulfils them (calendar.fulfil)."""
    pending = [i for i in items if i.fulfilled is None]
    coming = [i for i in pending if max(i.date, i.appointment) >= today]
    first = min((i.appointment for i in coming), default=today)
    soonest = [i for i in coming if i.appointment <= first + NEXT_WINDOW]
    overdue = [
        replace(i, overdue=True)
        for i in pending
        if i.kind in TROUGH_KINDS and i.appointment < today
    ]
    return sort(overdue + soonest)
