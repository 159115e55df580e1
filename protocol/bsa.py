"""Body-surface area and the plausibility limits that keep typing errors from becoming doses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Each formula takes weight in kg and height in cm and gives m².
FORMULAS: dict[str, tuple[str, Callable[[float, float], float]]] = {
    "mosteller": ("√(taille cm × poids kg / 3600)", lambda w, h: math.sqrt(h * w / 3600)),
    "haycock": (
        "0.024265 × poids^0.5378 × taille^0.3964",
        lambda w, h: 0.024265 * w**0.5378 * h**0.3964,
    ),
    "dubois": (
        "0.007184 × poids^0.425 × taille^0.725",
        lambda w, h: 0.007184 * w**0.425 * h**0.725,
    ),
    "gehan_george": (
        "0.0235 × poids^0.51456 × taille^0.42246",
        lambda w, h: 0.0235 * w**0.51456 * h**0.42246,
    ),
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
                f"must be > 0 kg, got {weight_kg:g}",
                f"doit être > 0 kg, reçu {weight_kg:g}",
            )
        )
    elif not WEIGHT_KG[0] <= weight_kg <= WEIGHT_KG[1]:
        problems.append(
            Implausible(
                "weight_kg",
                f"{weight_kg:g} kg is outside the plausible range "
                f"{WEIGHT_KG[0]:g}–{WEIGHT_KG[1]:g} kg for a child (typing error?)",
                f"{weight_kg:g} kg est hors des valeurs plausibles "
                f"{WEIGHT_KG[0]:g}–{WEIGHT_KG[1]:g} kg pour un enfant (erreur de saisie ?)",
            )
        )
    if height_cm <= 0:
        problems.append(
            Implausible(
                "height_cm",
                f"must be > 0 cm, got {height_cm:g}",
                f"doit être > 0 cm, reçu {height_cm:g}",
            )
        )
    elif not HEIGHT_CM[0] <= height_cm <= HEIGHT_CM[1]:
        problems.append(
            Implausible(
                "height_cm",
                f"{height_cm:g} cm is outside the plausible range "
                f"{HEIGHT_CM[0]:g}–{HEIGHT_CM[1]:g} cm for a child (typing error?)",
                f"{height_cm:g} cm est hors des valeurs plausibles "
                f"{HEIGHT_CM[0]:g}–{HEIGHT_CM[1]:g} cm pour un enfant (erreur de saisie ?)",
            )
        )
    if not problems:
        bmi = weight_kg / (height_cm / 100) ** 2
        if not BMI[0] <= bmi <= BMI[1]:
            text = f"{weight_kg:g} kg for {height_cm:g} cm"
            problems.append(
                Implausible(
                    "weight_kg",
                    f"{text} gives a BMI of {bmi:.1f} kg/m², outside {BMI[0]:g}–{BMI[1]:g}: check "
                    "weight and height",
                    f"{weight_kg:g} kg pour {height_cm:g} cm donne un IMC de {bmi:.1f} kg/m², "
                    f"hors {BMI[0]:g}–{BMI[1]:g} : vérifier poids et taille",
                )
            )
    return problems


def age_problems(birth_date: date, today: date) -> list[Implausible]:
    if birth_date > today:
        return [
            Implausible(
                "birth_date",
                f"after today ({today.isoformat()})",
                f"postérieure à aujourd'hui ({today.isoformat()})",
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
    m2: Decimal  # rounded to 4 decimals; every dose is computed from this rounded value

    def to_dict(self) -> dict:
        return {
            "weight_kg": self.weight_kg,
            "height_cm": self.height_cm,
            "formula": self.formula,
            "expression": self.expression,
            "bsa_m2": float(self.m2),
        }


def body_surface(weight_kg: float, height_cm: float, formula: str = DEFAULT_FORMULA) -> BodySurface:
    expression, compute = FORMULAS[formula]
    m2 = Decimal(repr(compute(weight_kg, height_cm))).quantize(Decimal("0.0001"))
    return BodySurface(weight_kg, height_cm, formula, expression, m2)
