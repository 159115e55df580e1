"""What changed since a proposal and what the protocol now forbids, as the pharmacist's card
and the prescriber's pages write it (labels, units, old → new)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from sirolimus_app.presenters.advice import RESPONSE_LABELS
from sirolimus_app.presenters.formatting import engine_text, number

_LABELS = {
    "weight_kg": (_("Poids"), "kg"), "height_cm": (_("Taille"), "cm"),
    "bsa_m2": (_("Surface corporelle"), "m²"), "bsa_formula": (_("Formule de surface"), ""),
    "mg_per_m2_per_day": (_("Dose rapportée à la surface"), "mg/m²/j"),
    "mg_per_day": (_("Dose proposée par le protocole"), "mg/j"),
    "form": (_("Présentation"), ""), "action": (_("Décision"), ""),
}


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    old: str
    new: str


def _value(value, unit: str) -> str:
    if isinstance(value, str):
        return value
    return f"{number(value)} {unit}".strip()


def change_lines(changes, weight_date=None) -> list[ChangeLine]:
    lines = []
    for change in changes:
        label, unit = _LABELS[change.field]
        new = _value(change.new, unit)
        if change.field == "weight_kg" and weight_date:
            new = f"{new} ({weight_date.strftime('%d/%m/%Y')})"
        lines.append(ChangeLine(change.field, str(label), _value(change.old, unit), new))
    return lines


def forbidden_lines(alerts) -> list[tuple[str, str]]:
    """(rule ID, message in the active language) of each critical alert."""
    return [(alert.rule, engine_text(alert)) for alert in alerts]


@dataclass(frozen=True)
class PharmacistCheck:
    """What the pharmacist checks beside the dose, from the engine's course and advice today."""

    weight_kg: float | None
    height_cm: float | None
    weighed_on: object
    weight_old: bool  # weighed more than 3 months ago
    bsa_m2: object
    bsa_formula: str
    allergies: tuple[str, ...]
    comedications: tuple  # course.Comedication (name, start, end)
    troughs: list[tuple]  # (date, ng/ml, interpretation) of the three latest
    response: str
    response_since: object
    cbc: object
    lipids: object
    blood_pressure: object


def pharmacist_check(assessment, today) -> PharmacistCheck | None:
    if assessment is None or assessment.result is None:
        return None
    course, advice = assessment.result.course, assessment.result.advice
    patient = course.patient
    weighed = assessment.weight_date
    troughs = []
    if advice is not None:
        troughs = [(t.date, t.trough.ng_ml, engine_text(t)) for t in advice.troughs[-3:]][::-1]
    return PharmacistCheck(
        weight_kg=patient.weight_kg, height_cm=patient.height_cm, weighed_on=weighed,
        weight_old=bool(weighed and (today - weighed).days > 91),
        bsa_m2=advice.bsa.m2 if advice else None,
        bsa_formula=advice.bsa.formula if advice else (patient.bsa_formula or ""),
        allergies=tuple(patient.allergies),
        comedications=tuple(patient.comedication_history),
        troughs=troughs,
        response=str(RESPONSE_LABELS.get(advice.response.status, advice.response.status))
        if advice else "",
        response_since=advice.response.since if advice else None,
        cbc=course.workup.cbc, lipids=course.workup.lipids,
        blood_pressure=course.workup.blood_pressure,
    )
