"""Shared builders: the contract's example course, changed field by field."""

import copy
import re

from protocol import advise, parse_course

EXAMPLE = {
    "today": "2026-02-02",
    "patient": {
        "birth_date": "2015-04-10",
        "weight_kg": 30,
        "height_cm": 130,
        "bsa_formula": "mosteller",
        "itp_phase": "chronic",
        "severity_signs": True,
        "allergies": [],
        "sirolimus_hypersensitivity": False,
        "vzv_immune": True,
        "comedications": [],
        "prolonged_corticosteroids": False,
        "immunodeficiency": False,
    },
    "form": "solution",
    "doses": [{"start": "2026-01-05", "mg_per_day": 2.1}],
    "troughs": [{"date": "2026-01-12", "value": 6.2, "unit": "ng/ml"}],
    "platelets": [{"date": "2026-01-04", "value": 12, "unit": "G/L"}],
}


def build(patient: dict | None = None, **fields) -> dict:
    """The example course with `patient` fields merged and top-level `fields` replaced."""
    data = copy.deepcopy(EXAMPLE)
    data["patient"].update(patient or {})
    data.update(copy.deepcopy(fields))
    return data


def not_started(patient: dict | None = None, **fields) -> dict:
    fields = {"doses": [], "troughs": [], **fields}
    return build(patient, **fields)


def run(data: dict) -> dict:
    return advise(parse_course(data)).to_dict()


def rules_of(advice: dict, severity: str | None = None) -> set[str]:
    return {a["rule"] for a in advice["alerts"] if severity in (None, a["severity"])}


def trough(day: str, value: float, unit: str = "ng/ml", **extra) -> dict:
    return {"date": day, "value": value, "unit": unit, **extra}


def count(day: str, value: float, **extra) -> dict:
    return {"date": day, "value": value, "unit": "G/L", **extra}


# --- Languages of the texts -------------------------------------------------------------------
# French texts write decimals with a comma and dates as dd/mm/yyyy; English texts keep the
# decimal point and ISO dates. JSON numbers and date fields are not texts.
FRENCH_BAD = {"decimal point": re.compile(r"\d\.\d"), "ISO date": re.compile(r"\d{4}-\d{2}-\d{2}")}
ENGLISH_BAD = {"decimal comma": re.compile(r"\d,\d"), "dd/mm/yyyy": re.compile(r"\d/\d+/\d{4}")}
ENGLISH_KEYS = {"message", "message_en", "basis", "rounding", "instruction", "expression"}


def texts(advice: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(path, text) of every French text (keys `*_fr`, calendar `label`s) and of every English
    text of an advice, wherever it sits."""
    french, english = [], []

    def walk(value, path: str):
        if isinstance(value, dict):
            for key, child in value.items():
                where = f"{path}.{key}"
                if isinstance(child, str) and (key.endswith("_fr") or key == "label"):
                    french.append((where, child))
                elif isinstance(child, str) and key in ENGLISH_KEYS:
                    english.append((where, child))
                else:
                    walk(child, where)
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, f"{path}[{i}]")

    walk(advice, "advice")
    return french, english


def language_slips(advice: dict) -> list[str]:
    """Every French text with a decimal point or an ISO date, every English text with a
    decimal comma or a dd/mm/yyyy date."""
    french, english = texts(advice)
    return [
        f"{where}: {name} in {text!r}"
        for found, bad in ((french, FRENCH_BAD), (english, ENGLISH_BAD))
        for where, text in found
        for name, pattern in bad.items()
        if pattern.search(text)
    ]
