"""Shared builders: the contract's example course, changed field by field."""

import copy

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
