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
# Hospital dose rounding (protocol-rules.md): the realisable dose nearest to the intended one
# is accepted when it lies within ±10 % of it.
TOLERANCE = Decimal("0.10")


def other(form: str) -> str:
    return TABLETS if form == SOLUTION else SOLUTION


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
    presentation_change: bool = False  # proposed in another presentation than the current dose

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
            "presentation_change": self.presentation_change,
        }


@dataclass(frozen=True)
class Alternative:
    """A realisable neighbour of a proposal, for the prescriber and the pharmacist."""

    mg_per_day: Decimal
    form: str
    bsa_m2: Decimal
    target_mg: Decimal

    @property
    def mg_per_m2_per_day(self) -> Decimal:
        return mg_per_m2(self.mg_per_day, self.bsa_m2)

    @property
    def percent_from_target(self) -> Decimal:
        return percent(self.mg_per_day, self.target_mg)

    def to_dict(self) -> dict:
        solution = self.form == SOLUTION
        return {
            "mg_per_day": float(self.mg_per_day),
            "mg_per_m2_per_day": float(self.mg_per_m2_per_day),
            "form": self.form,
            "volume_ml": float(self.mg_per_day) if solution else None,
            "tablets": None if solution else tablets_for(self.mg_per_day),
            "percent_from_target": float(self.percent_from_target),
        }


def percent(mg: Decimal, target: Decimal) -> Decimal:
    return ((mg - target) / target * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Limit:
    """The highest dose allowed: DOSE-RANGE and DOSE-CAP always; after a toxic trough, never
    above half the dose (`at_most`) and never at or above a dose that gave it (`below`)."""

    bsa_m2: Decimal
    at_most: Decimal | None = None
    below: Decimal | None = None

    def allows(self, mg: Decimal) -> bool:
        return (
            0 < mg <= min(MAX_MG_PER_M2 * self.bsa_m2, MAX_MG_PER_DAY)
            and (self.at_most is None or mg <= self.at_most)
            and (self.below is None or mg < self.below)
        )

    def highest(self, form: str) -> Decimal:
        """The highest realisable dose allowed in `form` (0 when none)."""
        top = min(MAX_MG_PER_M2 * self.bsa_m2, MAX_MG_PER_DAY)
        if self.at_most is not None:
            top = min(top, self.at_most)
        mg = to_step(top, form, ROUND_FLOOR)
        if self.below is not None and mg >= self.below:
            mg = to_step(self.below, form, ROUND_CEILING) - STEP_MG[form]
        return max(mg, ZERO)


@dataclass(frozen=True)
class Choice:
    mg_per_day: Decimal  # 0: nothing realisable is allowed
    form: str
    within_tolerance: bool
    alternatives: tuple[Alternative, ...]

    def changes_presentation(self, current_form: str) -> bool:
        return self.form != current_form


def choose(target: Decimal, form: str, limit: Limit, only: str | None = None) -> Choice:
    """The dose a clinician would choose: in `form` (the presentation of the current dose), the
    realisable dose nearest to `target`, ties to the lower, accepted within ±10 % and allowed by
    `limit`; else the same in the other presentation; else the allowed dose of `form` nearest
    below the target (outside the tolerance, said by `within_tolerance`). `only`: that
    presentation and no other."""
    forms = (only,) if only else (form, other(form))
    for candidate in forms:
        mg = _nearest(target, candidate, limit)
        if mg is not None:
            return Choice(mg, candidate, True, _neighbours(target, mg, candidate, form, limit))
    for candidate in forms:
        mg = min(to_step(target, candidate, ROUND_FLOOR), limit.highest(candidate))
        if mg <= 0:
            mg = STEP_MG[candidate] if limit.allows(STEP_MG[candidate]) else ZERO
        if mg > 0:
            return Choice(mg, candidate, False, _neighbours(target, mg, candidate, form, limit))
    return Choice(ZERO, form, False, ())


def _nearest(target: Decimal, form: str, limit: Limit) -> Decimal | None:
    step = STEP_MG[form]
    low = to_step(target * (1 - TOLERANCE), form, ROUND_CEILING)
    high = to_step(target * (1 + TOLERANCE), form, ROUND_FLOOR)
    best = None
    mg = low
    while mg <= high:  # at most a few steps: ±10 % of ≤ 4 mg
        if limit.allows(mg) and (best is None or abs(mg - target) < abs(best - target)):
            best = mg
        mg += step
    return best


def _neighbours(
    target: Decimal, chosen: Decimal, chosen_form: str, form: str, limit: Limit
) -> tuple[Alternative, ...]:
    """The allowed realisable doses just below and just above the target in each presentation,
    the chosen one left out."""
    bsa_m2 = limit.bsa_m2
    found = []
    for candidate in (form, other(form)):
        step = STEP_MG[candidate]
        below = to_step(target, candidate, ROUND_FLOOR)
        above = below if below == target else below + step
        for mg in dict.fromkeys((below, above, below - step, above + step)):
            if (mg, candidate) != (chosen, chosen_form) and limit.allows(mg):
                found.append(Alternative(mg, candidate, bsa_m2, target))
    return tuple(sorted(found, key=lambda a: (a.form != form, a.mg_per_day)))


def chosen(
    action: str,
    target: Decimal,
    form: str,
    limit: Limit,
    bsa: BodySurface,
    rules: tuple[str, ...],
    basis: tuple[str, str],
    target_mg_per_m2: Decimal | None = None,
    only: str | None = None,
) -> Proposal | None:
    """The proposal of `choose`, with its working (None when no realisable dose is allowed).
    `form` is the presentation of the current dose: another one is flagged, never silent."""
    choice = choose(target, form, limit, only)
    if choice.mg_per_day == 0:
        return None
    mg = choice.mg_per_day
    capped = not limit.allows(target) and target > mg
    step_en, step_fr = _STEP_TEXT[choice.form]
    pct = percent(mg, target)
    sign = "+" if pct > 0 else ""
    pct_en, pct_fr = sign + num_en(pct), sign + num_fr(pct)
    if mg == target:
        why = ("no rounding needed", "sans arrondi")
    elif capped:
        why = (
            f"highest allowed dose ({_limit_text(limit, False)}), {pct_en} % from the target",
            f"dose la plus haute permise ({_limit_text(limit, True)}), {pct_fr} % de la cible",
        )
    elif choice.within_tolerance:
        why = (
            f"nearest realisable dose, {pct_en} % from the target (accepted within ±10 %)",
            f"dose réalisable la plus proche, {pct_fr} % de la cible (admis à ±10 %)",
        )
    else:
        why = (
            f"no realisable dose within ±10 %: nearest allowed below, {pct_en} % from the target",
            f"aucune dose réalisable à ±10 % : la plus proche permise en dessous, {pct_fr} % de "
            "la cible",
        )
    if choice.form != form:
        why = (
            f"{why[0]}; not realisable as {_FORM_TEXT[form][0]}: {_FORM_TEXT[choice.form][0]} "
            "instead (change of presentation)",
            f"{why[1]} ; non réalisable en {_FORM_TEXT[form][1]} : {_FORM_TEXT[choice.form][1]} "
            "à la place (changement de présentation)",
        )
    working = Working(
        bsa,
        basis[0],
        basis[1],
        target_mg_per_m2,
        target,
        f"{num_en(target)} mg → {num_en(mg)} mg ({step_en}, {why[0]})",
        f"{num_fr(target)} mg → {num_fr(mg)} mg ({step_fr}, {why[1]})",
        capped,
        mg,
        choice.form != form,
    )
    if choice.form != form and "FORM-PRESENTATIONS" not in rules:
        rules = (*rules, "FORM-PRESENTATIONS")
    return Proposal(action, mg, choice.form, bsa.m2, cite(*rules), working, choice.alternatives)


_FORM_TEXT = {
    SOLUTION: ("the 1 mg/ml oral solution", "solution buvable à 1 mg/ml"),
    TABLETS: ("whole tablets", "comprimés entiers"),
}


def _limit_text(limit: Limit, french: bool) -> str:
    parts = [
        "≤ 4 mg/j" if french else "≤ 4 mg/day",
        "≤ 2,5 mg/m²/j" if french else "≤ 2.5 mg/m²/day",
    ]
    if limit.at_most is not None:
        n = num_fr(limit.at_most) if french else num_en(limit.at_most)
        parts.append(f"≤ moitié de la dose, {n} mg" if french else f"≤ half the dose, {n} mg")
    if limit.below is not None:
        n = num_fr(limit.below) if french else num_en(limit.below)
        parts.append(
            f"< {n} mg/j, dose d'un résiduel toxique"
            if french
            else f"< {n} mg/day, a dose that gave a toxic trough"
        )
    return ", ".join(parts)


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
    alternatives: tuple[Alternative, ...] = ()
    plan_step: bool = False  # the next step of the taper plan (Advice.taper), not a one-off

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
            "alternatives": [a.to_dict() for a in self.alternatives],
        }


def nothing(action: str, form: str, bsa: BodySurface, rules: tuple[str, ...]) -> Proposal:
    """A proposal to give no sirolimus (none, suspend, stop)."""
    return Proposal(action, ZERO, form, bsa.m2, rules)


_STEP_TEXT = {
    SOLUTION: ("0.1 ml steps of the 1 mg/ml solution", "pas de 0,1 ml de la solution à 1 mg/ml"),
    TABLETS: ("whole 0.5/1/2 mg tablets", "comprimés entiers de 0,5/1/2 mg"),
}


@dataclass(frozen=True)
class StartDose:
    proposal: Proposal | None  # None: no realisable dose, even as solution
    switched_to_solution: bool  # tablets asked for, but only the solution fits


def start_dose(bsa: BodySurface, form: str, limit: Limit | None = None) -> StartDose:
    """DOSE-START: 2 mg/m²/day (4 mg/day at most), the nearest realisable dose within ±10 %."""
    raw = START_MG_PER_M2 * bsa.m2
    capped = raw > MAX_MG_PER_DAY
    rules = ("DOSE-START", "DOSE-RANGE", "FORM-PRESENTATIONS", *(("DOSE-CAP",) if capped else ()))
    basis = (
        f"{num_en(START_MG_PER_M2)} mg/m²/day × {num_en(bsa.m2)} m²",
        f"{num_fr(START_MG_PER_M2)} mg/m²/j × {num_fr(bsa.m2)} m²",
    )
    dose = chosen("start", raw, form, limit or Limit(bsa.m2), bsa, rules, basis, START_MG_PER_M2)
    return StartDose(dose, dose is not None and dose.form != form)
