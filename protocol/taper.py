"""Dated taper plans made of realisable doses (TAPER-LOWEST-DOSE, TAPER-AFTER-CR/PR)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_DOWN, Decimal

from .dates import add_months
from .dosing import STEP_MG, is_realisable, mg_per_m2, tablets_for, to_step
from .rules import cite

LOWEST_DOSE_STEP_MG = Decimal("0.5")  # TAPER-LOWEST-DOSE: −0.5 mg per dose (one dose a day)
LOWEST_DOSE_EVERY = timedelta(weeks=3)


@dataclass(frozen=True)
class Step:
    start: date
    mg_per_day: Decimal
    form: str

    def __post_init__(self):
        if not is_realisable(self.mg_per_day, self.form):
            raise ValueError(f"taper step {self.mg_per_day} mg not realisable as {self.form}")

    def to_dict(self, bsa_m2: Decimal) -> dict:
        solution = self.form == "solution"
        return {
            "start": self.start.isoformat(),
            "mg_per_day": float(self.mg_per_day),
            "mg_per_m2_per_day": float(mg_per_m2(self.mg_per_day, bsa_m2)),
            "form": self.form,
            "volume_ml": float(self.mg_per_day) if solution else None,
            "tablets": None if solution else tablets_for(self.mg_per_day),
        }


@dataclass(frozen=True)
class Taper:
    rule: str
    steps: tuple[Step, ...]
    ends: date  # the last step's start: the lowest dose reached, or the stop (0 mg)
    bsa_m2: Decimal
    started: date  # the plan's anchor: its first step in the dose history, or today
    from_mg: Decimal = Decimal(0)  # the dose the plan started from

    def __post_init__(self):
        cite(self.rule)

    def due(self, on: date) -> Decimal:
        """The plan's dose on `on` (the starting dose before its first step)."""
        mg = self.from_mg
        for step in self.steps:
            if step.start > on:
                break
            mg = step.mg_per_day
        return mg

    def due_since(self, on: date) -> date:
        """The date of the step in effect on `on` (the start before the first step)."""
        found = self.started
        for step in self.steps:
            if step.start > on:
                break
            found = step.start
        return found

    def next_step(self, on: date) -> Step | None:
        return next((s for s in self.steps if s.start > on), None)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "steps": [s.to_dict(self.bsa_m2) for s in self.steps],
            "ends": self.ends.isoformat(),
            "started": self.started.isoformat(),
        }


def lowest_dose(current: Decimal, form: str, first: date, bsa_m2: Decimal) -> Taper | None:
    """TAPER-LOWEST-DOSE: −0.5 mg every 3 weeks from `first`, down to the smallest positive
    dose of the chain, each step to be taken only while the response holds. `current` is
    realisable, so every step of 0.5 mg below it is too."""
    steps, mg, day = [], current - LOWEST_DOSE_STEP_MG, first
    while mg > 0:
        steps.append(Step(day, mg, form))
        mg, day = mg - LOWEST_DOSE_STEP_MG, day + LOWEST_DOSE_EVERY
    if not steps:
        return None
    return Taper("TAPER-LOWEST-DOSE", tuple(steps), steps[-1].start, bsa_m2, first, current)


def to_stop(
    rule_id: str, current: Decimal, form: str, started: date, months: int, bsa_m2: Decimal
) -> Taper:
    """A linear taper from `started` (its anchor: the plan does not move with today) to 0 mg in
    `months`: one date a month, the dose on month k of n being current × (n − k)/(n + 1)
    rounded to the nearest realisable dose; a step is kept only where the dose goes down, and
    month n is 0 mg (the stop), so following the plan reaches 0 on `ends`. The first step is
    on `started` (one step of the form down if the rounding gives none), so the plan is found
    again, with the same anchor, from its first step in the dose history."""
    steps, previous = [], current
    for k in range(months + 1):
        mg = to_step(current * (months - k) / (months + 1), form, ROUND_HALF_DOWN)
        if k == 0 and mg >= current:
            mg = max(current - STEP_MG[form], Decimal(0))
        if mg < previous:
            steps.append(Step(add_months(started, k), mg, form))
            previous = mg
    return Taper(rule_id, tuple(steps), steps[-1].start, bsa_m2, started, current)
