"""COST-MONTHLY: the source's figure is 220 € a month for a 1 m² child (2 mg/day of the
1 mg/ml solution, i.e. one 60 ml bottle in 30 days), so 220 € per 60 ml bottle."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .dosing import SOLUTION, Proposal

BOTTLE_EUR = Decimal(220)
BOTTLE_ML = Decimal(60)
MONTH_DAYS = 30


@dataclass(frozen=True)
class Cost:
    mg_per_day: Decimal
    ml_per_month: Decimal
    bottles_per_month: Decimal
    eur_per_month: Decimal

    def to_dict(self) -> dict:
        return {
            "rule": "COST-MONTHLY",
            "form": SOLUTION,
            "mg_per_day": float(self.mg_per_day),
            "ml_per_month": float(self.ml_per_month),
            "bottles_per_month": float(self.bottles_per_month),
            "eur_per_month": float(self.eur_per_month),
            "basis": f"{BOTTLE_EUR} € per {BOTTLE_ML} ml bottle of 1 mg/ml, {MONTH_DAYS} days",
        }


def monthly(dose: Proposal) -> Cost | None:
    """Estimate for a solution dose; None for tablets (the source prices only the solution)."""
    if dose.form != SOLUTION or dose.mg_per_day <= 0:
        return None
    ml = dose.mg_per_day * MONTH_DAYS  # 1 mg/ml
    bottles = (ml / BOTTLE_ML).quantize(Decimal("0.01"), ROUND_HALF_UP)
    eur = (ml / BOTTLE_ML * BOTTLE_EUR).quantize(Decimal(1), ROUND_HALF_UP)
    return Cost(dose.mg_per_day, ml, bottles, eur)
