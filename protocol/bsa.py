"""Body-surface area and the plausibility limits that keep typing errors from becoming doses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .text import date_en, date_fr, num_en, num_fr

Formula = tuple[str, str, Callable[[float, float], float]]  # English, French, compute


def _power_law(a: float, b: float, c: float) -> Formula:
    """a × weight^b × height^c (kg, cm)."""
    return (
        f"{num_en(a)} × weight^{num_en(b)} × height^{num_en(c)}",
        f"{num_fr(a)} × poids^{num_fr(b)} × taille^{num_fr(c)}",
        lambda w, h: a * w**b * h**c,
    )


# Each formula takes weight in kg and height in cm and gives m².
FORMULAS: dict[str, Formula] = {
    "mosteller": (
        "√(height cm × weight kg / 3600)",
        "√(taille cm × poids kg / 3600)",
        lambda w, h: math.sqrt(h * w / 3600),
    ),
    "haycock": _power_law(0.024265, 0.5378, 0.3964),
    "dubois": _power_law(0.007184, 0.425, 0.725),
    "gehan_george": _power_law(0.0235, 0.51456, 0.42246),
}
DEFAULT_FORMULA = "mosteller"

# Plausibility limits. They are wide enough for every child or adolescent who could be treated
# (a 1.5 kg / 40 cm preterm newborn up to a 150 kg / 210 cm adolescent) and narrow enough to
# catch the typical slips: grams typed as kilograms, metres as centimetres, weight and height
# swapped. BMI 8–60 kg/m² catches pairs that are each plausible but not together (15 cm tall
# teenager, 300 kg child). Age: the protocol is for children and adolescents, followed until the
# hand-over to adult teams, so up to 21 years.
WEIGHT_KG = (1.5, 150.0)
HEIGHT_CM = (40.0, 210.0)
BMI = (8.0, 60.0)
MAX_AGE_YEARS = 21


@dataclass(frozen=True)
class Implausible:
    field: str  # 'weight_kg', 'height_cm' or 'birth_date', relative to the patient
    message_en: str
    message_fr: str


def plausibility(weight_kg: float, height_cm: float) -> list[Implausible]:
    problems = []
    if weight_kg <= 0:
        problems.append(
            Implausible(
                "weight_kg",
                f"must be > 0 kg, got {num_en(weight_kg)}",
                f"doit être > 0 kg, reçu {num_fr(weight_kg)}",
            )
        )
    elif not WEIGHT_KG[0] <= weight_kg <= WEIGHT_KG[1]:
        problems.append(
            Implausible(
                "weight_kg",
                f"{num_en(weight_kg)} kg is outside the plausible range "
                f"{num_en(WEIGHT_KG[0])}–{num_en(WEIGHT_KG[1])} kg for a child (typing error?)",
                f"{num_fr(weight_kg)} kg est hors des valeurs plausibles "
                f"{num_fr(WEIGHT_KG[0])}–{num_fr(WEIGHT_KG[1])} kg pour un enfant (erreur de "
                "saisie ?)",
            )
        )
    if height_cm <= 0:
        problems.append(
            Implausible(
                "height_cm",
                f"must be > 0 cm, got {num_en(height_cm)}",
                f"doit être > 0 cm, reçu {num_fr(height_cm)}",
            )
        )
    elif not HEIGHT_CM[0] <= height_cm <= HEIGHT_CM[1]:
        problems.append(
            Implausible(
                "height_cm",
                f"{num_en(height_cm)} cm is outside the plausible range "
                f"{num_en(HEIGHT_CM[0])}–{num_en(HEIGHT_CM[1])} cm for a child (typing error?)",
                f"{num_fr(height_cm)} cm est hors des valeurs plausibles "
                f"{num_fr(HEIGHT_CM[0])}–{num_fr(HEIGHT_CM[1])} cm pour un enfant (erreur de "
                "saisie ?)",
            )
        )
    if not problems:
        bmi = weight_kg / (height_cm / 100) ** 2
        if not BMI[0] <= bmi <= BMI[1]:
            problems.append(
                Implausible(
                    "weight_kg",
                    f"{num_en(weight_kg)} kg for {num_en(height_cm)} cm gives a BMI of "
                    f"{num_en(bmi, 1)} kg/m², outside {num_en(BMI[0])}–{num_en(BMI[1])}: check "
                    "weight and height",
                    f"{num_fr(weight_kg)} kg pour {num_fr(height_cm)} cm donne un IMC de "
                    f"{num_fr(bmi, 1)} kg/m², hors {num_fr(BMI[0])}–{num_fr(BMI[1])} : vérifier "
                    "poids et taille",
                )
            )
    return problems


def age_problems(birth_date: date, today: date) -> list[Implausible]:
    if birth_date > today:
        return [
            Implausible(
                "birth_date",
                f"after today ({date_en(today)})",
                f"postérieure à aujourd'hui ({date_fr(today)})",
            )
        ]
    years = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    if years > MAX_AGE_YEARS:
        return [
            Implausible(
                "birth_date",
                f"{years} years old: this protocol is for children and adolescents (≤ "
                f"{MAX_AGE_YEARS} years)",
                f"{years} ans : ce protocole concerne les enfants et adolescents (≤ "
                f"{MAX_AGE_YEARS} ans)",
            )
        ]
    return []


@dataclass(frozen=True)
class BodySurface:
    weight_kg: float
    height_cm: float
    formula: str
    expression: str
    expression_fr: str
    m2: Decimal  # rounded to 4 decimals; every dose is computed from this rounded value

    def to_dict(self) -> dict:
        return {
            "weight_kg": self.weight_kg,
            "height_cm": self.height_cm,
            "formula": self.formula,
            "expression": self.expression,
            "expression_fr": self.expression_fr,
            "bsa_m2": float(self.m2),
        }


def body_surface(weight_kg: float, height_cm: float, formula: str = DEFAULT_FORMULA) -> BodySurface:
    expression_en, expression_fr, compute = FORMULAS[formula]
    m2 = Decimal(repr(compute(weight_kg, height_cm))).quantize(Decimal("0.0001"))
    return BodySurface(weight_kg, height_cm, formula, expression_en, expression_fr, m2)
