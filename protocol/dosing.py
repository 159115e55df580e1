"""Doses a nurse can actually give: oral solution 1 mg/ml in 0.1 ml steps, whole tablets.

All arithmetic is in Decimal mg so that 2.1 mg stays 2.1 mg (no float drift at the 4 mg and
2.5 mg/m²/day ceilings). Every proposal carries its working, shown to the prescriber.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .bsa import BodySurface
from .rules import cite
from .text import num_en, num_fr

SOLUTION = "solution"
TABLETS = "tablets"
FORMS = (SOLUTION, TABLETS)
# Solution 1 mg/ml measured with an oral syringe graduated in 0.1 ml: 0.1 mg steps. Tablets
# must not be split or crushed, so whole 0.5 mg tablets are the step.
STEP_MG = {SOLUTION: Decimal("0.1"), TABLETS: Decimal("0.5")}
TABLET_STRENGTHS_MG = (Decimal(2), Decimal(1), Decimal("0.5"))  # largest first: fewest tablets
MAX_MG_PER_DAY = Decimal(4)  # DOSE-CAP
START_MG_PER_M2 = Decimal(2)  # DOSE-START
MAX_MG_PER_M2 = Decimal("2.5")  # DOSE-RANGE
ZERO = Decimal(0)


def to_step(mg: Decimal, form: str, rounding: str) -> Decimal:
    step = STEP_MG[form]
    return (mg / step).to_integral_value(rounding) * step


def is_realisable(mg: Decimal, form: str) -> bool:
    return mg >= 0 and mg % STEP_MG[form] == 0


def tablets_for(mg: Decimal) -> dict[str, int]:
    """Fewest whole tablets (2, 1, 0.5 mg) giving exactly `mg`; greedy is optimal here because
    each strength is a multiple of the next one."""
    if not is_realisable(mg, TABLETS):
        raise ValueError(f"{mg} mg cannot be given with whole 0.5/1/2 mg tablets")
    counts = {}
    for strength in TABLET_STRENGTHS_MG:
        count, mg = divmod(mg, strength)
        if count:
            counts[f"{strength.normalize():f}"] = int(count)
    return counts


def max_dose(bsa_m2: Decimal, form: str) -> Decimal:
    """Highest realisable dose within both DOSE-RANGE (2.5 mg/m²/day) and DOSE-CAP (4 mg/day)."""
    return to_step(min(MAX_MG_PER_M2 * bsa_m2, MAX_MG_PER_DAY), form, ROUND_FLOOR)


def limiting_rule(bsa_m2: Decimal) -> str:
    """Which ceiling `max_dose` hits first for this BSA."""
    return "DOSE-RANGE" if MAX_MG_PER_M2 * bsa_m2 < MAX_MG_PER_DAY else "DOSE-CAP"


def mg_per_m2(mg: Decimal, bsa_m2: Decimal) -> Decimal:
    return (mg / bsa_m2).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Working:
    """How a dose was reached, in the words shown to the prescriber."""

    bsa: BodySurface
    basis_en: str  # what the raw dose is, e.g. '2 mg/m²/day × 1.0408 m²'
    basis_fr: str
    target_mg_per_m2: Decimal | None
    raw_mg: Decimal
    rounding_en: str
    rounding_fr: str
    cap_applied: bool
    mg_per_day: Decimal

    def to_dict(self) -> dict:
        return {
            "weight_kg": self.bsa.weight_kg,
            "height_cm": self.bsa.height_cm,
            "bsa_formula": self.bsa.formula,
            "bsa_m2": float(self.bsa.m2),
            "target_mg_per_m2_per_day": _num(self.target_mg_per_m2),
            "basis": self.basis_en,
            "basis_fr": self.basis_fr,
            "raw_mg": float(self.raw_mg),
            "rounding": self.rounding_en,
            "rounding_fr": self.rounding_fr,
            "cap_applied": self.cap_applied,
            "mg_per_m2_per_day": float(mg_per_m2(self.mg_per_day, self.bsa.m2)),
        }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Proposal:
    """One dose proposal (the primary `dose` or one of the `options`)."""

    action: str
    mg_per_day: Decimal
    form: str
    bsa_m2: Decimal
    rules: tuple[str, ...]
    working: Working | None = None

    def __post_init__(self):
        cite(*self.rules)
        if not is_realisable(self.mg_per_day, self.form):
            raise ValueError(f"{self.mg_per_day} mg is not realisable with the {self.form}")

    @property
    def mg_per_m2_per_day(self) -> Decimal:
        return mg_per_m2(self.mg_per_day, self.bsa_m2)

    @property
    def volume_ml(self) -> Decimal | None:
        return self.mg_per_day if self.form == SOLUTION else None  # 1 mg/ml

    @property
    def tablets(self) -> dict[str, int] | None:
        return tablets_for(self.mg_per_day) if self.form == TABLETS else None

    def to_dict(self) -> dict:
        return {
            "action": self.action,
            "mg_per_day": float(self.mg_per_day),
            "mg_per_m2_per_day": float(self.mg_per_m2_per_day),
            "form": self.form,
            "volume_ml": _num(self.volume_ml),
            "tablets": self.tablets,
            "rules": list(self.rules),
            "working": self.working.to_dict() if self.working else None,
        }


def nothing(action: str, form: str, bsa: BodySurface, rules: tuple[str, ...]) -> Proposal:
    """A proposal to give no sirolimus (none, suspend, stop)."""
    return Proposal(action, ZERO, form, bsa.m2, rules)


_STEP_TEXT = {
    SOLUTION: ("0.1 ml steps of the 1 mg/ml solution", "pas de 0,1 ml de la solution à 1 mg/ml"),
    TABLETS: ("whole 0.5/1/2 mg tablets", "comprimés entiers de 0,5/1/2 mg"),
}


def rounding_text(
    raw: Decimal, mg: Decimal, form: str, why_en: str, why_fr: str
) -> tuple[str, str]:
    step_en, step_fr = _STEP_TEXT[form]
    return (
        f"{num_en(raw)} mg → {num_en(mg)} mg ({step_en}, {why_en})",
        f"{num_fr(raw)} mg → {num_fr(mg)} mg ({step_fr}, {why_fr})",
    )


@dataclass(frozen=True)
class StartDose:
    proposal: Proposal | None  # None: no realisable dose in 2–2.5 mg/m²/day, even as solution
    switched_to_solution: bool  # tablets asked for, but only the solution fits the range


def start_dose(bsa: BodySurface, form: str) -> StartDose:
    """DOSE-START: the smallest realisable dose ≥ 2 mg/m²/day, within DOSE-RANGE and DOSE-CAP."""
    raw = START_MG_PER_M2 * bsa.m2
    for candidate_form in (form, SOLUTION) if form == TABLETS else (form,):
        working = _start_working(bsa, raw, candidate_form)
        if working is not None:
            rules = ("DOSE-START", "DOSE-RANGE", "FORM-PRESENTATIONS")
            if working.cap_applied:
                rules += ("DOSE-CAP",)
            proposal = Proposal(
                "start", working.mg_per_day, candidate_form, bsa.m2, cite(*rules), working
            )
            return StartDose(proposal, candidate_form != form)
    return StartDose(None, False)


def _start_working(bsa: BodySurface, raw: Decimal, form: str) -> Working | None:
    basis = (
        f"{num_en(START_MG_PER_M2)} mg/m²/day × {num_en(bsa.m2)} m²",
        f"{num_fr(START_MG_PER_M2)} mg/m²/j × {num_fr(bsa.m2)} m²",
    )
    if raw > MAX_MG_PER_DAY:
        # DOSE-CAP wins over the range: 4 mg/day even when that is < 2 mg/m²/day.
        mg = to_step(MAX_MG_PER_DAY, form, ROUND_FLOOR)
        texts = rounding_text(raw, mg, form, "capped at 4 mg/day", "plafonné à 4 mg/j")
        return Working(bsa, *basis, START_MG_PER_M2, raw, *texts, True, mg)
    mg = to_step(raw, form, ROUND_CEILING)
    if mg > max_dose(bsa.m2, form):
        return None
    texts = rounding_text(
        raw,
        mg,
        form,
        "rounded up to stay ≥ 2 mg/m²/day",
        "arrondi au-dessus pour rester ≥ 2 mg/m²/j",
    )
    return Working(bsa, *basis, START_MG_PER_M2, raw, *texts, False, mg)


def increase_dose(bsa: BodySurface, form: str) -> Working:
    """DOSE-INCREASE target: 2.5 mg/m²/day rounded down to a realisable step, 4 mg at most."""
    raw = MAX_MG_PER_M2 * bsa.m2
    mg = max_dose(bsa.m2, form)
    capped = raw > MAX_MG_PER_DAY
    why = (
        ("capped at 4 mg/day", "plafonné à 4 mg/j")
        if capped
        else (
            "rounded down to stay ≤ 2.5 mg/m²/day",
            "arrondi en dessous pour rester ≤ 2,5 mg/m²/j",
        )
    )
    return Working(
        bsa,
        f"{num_en(MAX_MG_PER_M2)} mg/m²/day × {num_en(bsa.m2)} m²",
        f"{num_fr(MAX_MG_PER_M2)} mg/m²/j × {num_fr(bsa.m2)} m²",
        MAX_MG_PER_M2,
        raw,
        *rounding_text(raw, mg, form, *why),
        capped,
        mg,
    )


def bounded(
    mg: Decimal,
    bsa: BodySurface,
    form: str,
    basis_en: str,
    basis_fr: str,
    rounding: str = ROUND_FLOOR,
) -> Working:
    """`mg` rounded to the form's step (down unless told) and never above `max_dose`: the
    working of every dose that is not computed from mg/m² (resume, taper, continue)."""
    ceiling = max_dose(bsa.m2, form)
    stepped = to_step(mg, form, rounding)
    if stepped > ceiling:
        why = (
            ("lowered to 2.5 mg/m²/day", "ramené à 2,5 mg/m²/j")
            if limiting_rule(bsa.m2) == "DOSE-RANGE"
            else ("capped at 4 mg/day", "plafonné à 4 mg/j")
        )
        return Working(
            bsa,
            basis_en,
            basis_fr,
            None,
            mg,
            *rounding_text(mg, ceiling, form, *why),
            True,
            ceiling,
        )
    why = (
        ("no rounding needed", "sans arrondi")
        if stepped == mg
        else (("rounded down", "arrondi en dessous") if stepped < mg else ("rounded", "arrondi"))
    )
    return Working(
        bsa, basis_en, basis_fr, None, mg, *rounding_text(mg, stepped, form, *why), False, stepped
    )
