"""What changed since a proposal and what the protocol now forbids, as the pharmacist's card
and the prescriber's pages write it (labels, units, old → new)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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
