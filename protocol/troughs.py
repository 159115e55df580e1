"""Interpretation of sirolimus troughs (C0, whole blood, drawn just before the daily dose).

Thresholds apply to the value as measured: an immunoassay reads about 30 % higher than
LC-MS/MS, but converting it would be a guess, and applying the 15 ng/ml toxicity threshold to
the higher reading errs on the side of the child. The method is kept and shown with the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .course import Trough
from .history import History
from .rules import cite
from .text import num_en, num_fr

TOXIC_ABOVE_NG_ML = 15.0  # TOX-SUSPEND: strictly above; exactly 15.0 does not trigger
LOW_BELOW_NG_ML = 4.0  # DOSE-INCREASE / TDM-NO-TARGET
ALPS_RANGE_NG_ML = (4.0, 14.0)  # TDM-NO-TARGET: indicative only, no validated target in ITP
STEADY_STATE_DAYS = 7  # TDM-STEADY-STATE

TOXIC, HIGH, INDICATIVE, LOW = "toxic", "high", "indicative", "low"


def zone(ng_ml: float) -> str:
    if ng_ml > TOXIC_ABOVE_NG_ML:
        return TOXIC
    if ng_ml > ALPS_RANGE_NG_ML[1]:
        return HIGH
    return INDICATIVE if ng_ml >= LOW_BELOW_NG_ML else LOW


# A converted value is shown to 3 decimals at most, so 16.41 nmol/l shows as 15.002, not 15.
SHOWN_DECIMALS = 3


def show_en(ng_ml: float) -> str:
    return num_en(ng_ml, SHOWN_DECIMALS)


def show_fr(ng_ml: float) -> str:
    return num_fr(ng_ml, SHOWN_DECIMALS)


def is_steady_state(days_on_dose: float) -> bool:
    """A trough reflects steady state from 7 full days on an unchanged dose."""
    return days_on_dose >= STEADY_STATE_DAYS


_ZONE_TEXT = {
    TOXIC: ("above 15 ng/ml: toxic zone", "> 15 ng/ml : zone toxique"),
    HIGH: (
        "above the indicative ALPS range (4–14 ng/ml), not toxic",
        "au-dessus de la fourchette indicative ALPS (4–14 ng/ml), non toxique",
    ),
    INDICATIVE: (
        "within the indicative ALPS range 4–14 ng/ml (no validated target in ITP)",
        "dans la fourchette indicative ALPS 4–14 ng/ml (pas de cible validée dans le PTI)",
    ),
    LOW: (
        "below 4 ng/ml (sub-therapeutic for ALPS; no validated target in ITP)",
        "< 4 ng/ml (infra-thérapeutique pour l'ALPS ; pas de cible validée dans le PTI)",
    ),
}


@dataclass(frozen=True)
class TroughReading:
    trough: Trough
    zone: str
    dose_mg_per_day: Decimal  # the regimen the trough reflects (dose taken the day before)
    days_on_dose: int | None  # None: drawn off treatment
    steady_state: bool
    rules: tuple[str, ...]
    message_en: str
    message_fr: str

    @property
    def date(self) -> date:
        return self.trough.date

    @property
    def ng_ml(self) -> float:
        return self.trough.ng_ml

    def to_dict(self) -> dict:
        t = self.trough
        return {
            "date": t.date.isoformat(),
            "value_ng_ml": round(t.ng_ml, 3),
            "value": t.value,
            "unit": t.unit,
            "assay": t.assay,
            "zone": self.zone,
            "steady_state": self.steady_state,
            "days_on_dose": self.days_on_dose,
            "dose_mg_per_day": float(self.dose_mg_per_day),
            "rules": list(self.rules),
            "message": self.message_en,
            "message_fr": self.message_fr,
        }


def interpret(trough: Trough, history: History) -> TroughReading:
    """A trough drawn on day D, just before that day's dose, reflects the regimen taken up to
    D − 1: a trough drawn on the first day of a new dose still belongs to the old one, and one
    drawn on the first day of a suspension still reflects the dose taken the day before."""
    taken = trough.date - timedelta(days=1)
    dose = history.dose_at(taken)
    since = history.constant_since(taken) if dose > 0 else None
    days = (trough.date - since).days if since else None
    steady = days is not None and is_steady_state(days)
    level = zone(trough.ng_ml)
    en = [f"{show_en(trough.ng_ml)} ng/ml: {_ZONE_TEXT[level][0]}"]
    fr = [f"{show_fr(trough.ng_ml)} ng/ml : {_ZONE_TEXT[level][1]}"]
    rules = ["TOX-SUSPEND" if level == TOXIC else "TDM-NO-TARGET"]
    if dose == 0:
        en.append("drawn while no sirolimus was being taken")
        fr.append("prélevé en l'absence de prise de sirolimus")
    elif steady:
        en.append(f"at steady state ({days} days on {num_en(dose)} mg/day)")
        fr.append(f"à l'équilibre ({days} jours à {num_fr(dose)} mg/j)")
    else:
        rules.append("TDM-STEADY-STATE")
        en.append(
            f"NOT at steady state ({days} days on {num_en(dose)} mg/day, < 7): only toxicity acts "
            "on it"
        )
        fr.append(
            f"PAS à l'équilibre ({days} jours à {num_fr(dose)} mg/j, < 7) : seule la toxicité est "
            "prise en compte"
        )
    if trough.assay == "immunoassay":
        en.append("immunoassay: reads about 30 % higher than LC-MS/MS (value not converted)")
        fr.append("immunoanalyse : environ 30 % au-dessus de la LC-MS/MS (valeur non convertie)")
    elif trough.assay is None:
        en.append("assay not stated")
        fr.append("technique non précisée")
    return TroughReading(
        trough, level, dose, days, steady, cite(*rules), "; ".join(en), "; ".join(fr)
    )
