"""What the pharmacy hands out for a period, and what a month of it costs (COST-MONTHLY).

Oral solution 1 mg/ml in 60 ml bottles; an opened bottle is used within 30 days
(SMPC-STORAGE), so a child on less than 2 ml a day still needs a new bottle every 30 days.
Tablets (0.5, 1 and 2 mg) are counted per strength, the fewest tablets each day
(FORM-PRESENTATIONS). The recommendation prices only the solution (220 € a bottle).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from .dosing import SOLUTION, TABLETS, is_realisable, tablets_for

BOTTLE_ML = Decimal(60)
BOTTLE_EUR = Decimal(220)
OPENED_BOTTLE_DAYS = 30  # SMPC-STORAGE
MONTH_DAYS = 30


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_CEILING))


@dataclass(frozen=True)
class Supply:
    """The quantity for `days` days of `mg_per_day` in `form`."""

    mg_per_day: Decimal
    form: str
    days: int
    ml: Decimal | None  # solution: the volume taken over the period
    bottles: int | None  # solution: 60 ml bottles, counting the 30 days after opening
    tablets: dict[str, int] | None  # tablets: count per strength ("2", "1", "0.5")

    @property
    def eur(self) -> Decimal | None:
        """Price of the bottles (the recommendation gives none for tablets)."""
        return None if self.bottles is None else self.bottles * BOTTLE_EUR

    def to_dict(self) -> dict:
        return {
            "mg_per_day": float(self.mg_per_day),
            "form": self.form,
            "days": self.days,
            "ml": None if self.ml is None else float(self.ml),
            "bottles": self.bottles,
            "tablets": self.tablets,
            "eur": None if self.eur is None else float(self.eur),
        }


def supply(mg_per_day: Decimal, form: str, days: int) -> Supply:
    """Whole bottles or tablets covering `days` days of the dose.

    Solution: enough volume (ml / 60, rounded up) and a bottle for each 30 days it is open
    (days / 30, rounded up), whichever is more; a bottle finished early is followed by the next.
    """
    if days < 1:
        raise ValueError(f"a supply covers at least one day, got {days}")
    if mg_per_day <= 0 or not is_realisable(mg_per_day, form):
        raise ValueError(f"{mg_per_day} mg/day cannot be given as {form}")
    if form == SOLUTION:
        ml = mg_per_day * days  # 1 mg/ml
        bottles = max(_ceil(ml / BOTTLE_ML), _ceil(Decimal(days) / OPENED_BOTTLE_DAYS))
        return Supply(mg_per_day, form, days, ml, bottles, None)
    if form != TABLETS:
        raise ValueError(f"unknown presentation {form!r}")
    per_day = tablets_for(mg_per_day)
    return Supply(mg_per_day, form, days, None, None,
                  {strength: count * days for strength, count in per_day.items()})


def monthly(mg_per_day: Decimal, form: str) -> Supply | None:
    """A month (30 days) of the dose, in whole bottles; None when nothing is given."""
    if mg_per_day <= 0:
        return None
    return supply(mg_per_day, form, MONTH_DAYS)
