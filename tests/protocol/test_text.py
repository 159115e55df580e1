"""French texts read as French (6,2 ng/ml, 12/01/2026), English texts keep 6.2 and ISO dates.

Scanned: every `*_fr` text and calendar label (alerts, trough interpretations, eligibility
checks, dose working, calendar) of random courses, of the clinical cases on many days, and of
hand-made courses reaching the rarer branches; plus every advice any test of tests/protocol
computes (conftest.py).
"""

import ast
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

from protocol import advise, parse_course
from protocol.text import date_en, date_fr, num_en, num_fr

from .support import build, count, language_slips, not_started, run, texts, trough
from .test_cases import CASES, steps
from .test_properties import SETTINGS, courses

PROTOCOL_DIR = Path(__file__).resolve().parents[2] / "protocol"


# --- The helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "en", "fr"),
    [
        (6.2, None, "6.2", "6,2"),
        (Decimal("2.10"), None, "2.1", "2,1"),
        (Decimal("1.0408"), None, "1.0408", "1,0408"),
        (15.0, None, "15", "15"),
        (2, None, "2", "2"),
        (Decimal("100"), None, "100", "100"),
        (-0.5, None, "-0.5", "-0,5"),
        (16.41 * 0.91417, 3, "15.002", "15,002"),
        (0.0005, 3, "0.001", "0,001"),  # half up
        (-0.0, None, "0", "0"),
        (1e300, None, "1e+300", "1e+300"),  # an absurd input echoed in an error
    ],
)
def test_numbers(value, places, en, fr):
    assert num_en(value, places) == en
    assert num_fr(value, places) == fr


def test_dates():
    assert date_en(date(2026, 1, 12)) == "2026-01-12"
    assert date_fr(date(2026, 1, 12)) == "12/01/2026"
    assert date_fr(date(2026, 12, 5)) == "05/12/2026"


def test_a_boolean_is_not_a_number_to_show():
    with pytest.raises(TypeError):
        num_fr(True)


# --- The contract's example, word for word ----------------------------------------------------


def test_TDM_NO_TARGET_example_course_in_french_and_in_english():
    advice = run(build())
    reading = advice["troughs"][0]
    assert reading["message_fr"].startswith("6,2 ng/ml : dans la fourchette indicative ALPS 4–14")
    assert "(7 jours à 2,1 mg/j)" in reading["message_fr"]
    assert reading["message"].startswith("6.2 ng/ml: within the indicative ALPS range")
    assert "(7 days on 2.1 mg/day)" in reading["message"]
    working = advice["dose"]["working"]
    assert working["basis_fr"] == "dose actuelle 2,1 mg/j"
    assert working["basis"] == "current dose 2.1 mg/day"
    assert working["rounding_fr"].startswith("2,1 mg → 2,1 mg (pas de 0,1 ml")
    started = next(c for c in advice["eligibility"] if c["message_fr"].startswith("traitement"))
    assert started["message_fr"].startswith("traitement débuté le 05/01/2026 ;")
    assert started["message_en"].startswith("treatment started on 2026-01-05;")
    cost = next(a for a in advice["alerts"] if a["rule"] == "COST-MONTHLY")
    assert "(63 ml de solution à 1 mg/ml" in cost["message_fr"]
    # JSON numbers stay numbers, JSON dates stay ISO
    assert advice["bsa_m2"] == 1.0408 and reading["value"] == 6.2 and reading["value_ng_ml"] == 6.2
    assert reading["date"] == "2026-01-12" and advice["dose"]["mg_per_day"] == 2.1
    assert working["raw_mg"] == 2.1 and working["bsa_m2"] == 1.0408


def test_DOSE_START_working_in_french():
    working = run(not_started())["dose"]["working"]
    assert working["basis_fr"] == "2 mg/m²/j × 1,0408 m²"
    assert working["basis"] == "2 mg/m²/day × 1.0408 m²"
    assert working["rounding_fr"] == (
        "2,0816 mg → 2,1 mg (pas de 0,1 ml de la solution à 1 mg/ml, dose réalisable la plus "
        "proche, +0,9 % de la cible (admis à ±10 %))"
    )
    assert working["rounding"].startswith("2.0816 mg → 2.1 mg (0.1 ml steps")


def test_TOX_SUSPEND_toxic_trough_in_french():
    advice = run(build(today="2026-01-12", troughs=[trough("2026-01-12", 15.5)]))
    alert = next(a for a in advice["alerts"] if a["rule"] == "TOX-SUSPEND")
    assert alert["message_fr"].startswith("Résiduel à 15,5 ng/ml le 12/01/2026, > 15 ng/ml")
    assert "(le 14/01/2026 si arrêt ce jour)" in alert["message_fr"]
    assert alert["message"].startswith("Trough 15.5 ng/ml on 2026-01-12 is above 15 ng/ml")


@pytest.mark.parametrize(
    ("formula", "en", "fr"),
    [
        ("mosteller", "√(height cm × weight kg / 3600)", "√(taille cm × poids kg / 3600)"),
        (
            "haycock",
            "0.024265 × weight^0.5378 × height^0.3964",
            "0,024265 × poids^0,5378 × taille^0,3964",
        ),
        (
            "dubois",
            "0.007184 × weight^0.425 × height^0.725",
            "0,007184 × poids^0,425 × taille^0,725",
        ),
        (
            "gehan_george",
            "0.0235 × weight^0.51456 × height^0.42246",
            "0,0235 × poids^0,51456 × taille^0,42246",
        ),
    ],
)
def test_DOSE_START_body_surface_expression_in_both_languages(formula, en, fr):
    working = run(build({"bsa_formula": formula}))["working"]
    assert (working["expression"], working["expression_fr"]) == (en, fr)


def test_DDI_CYP3A_PGP_french_source_names_the_smpc_section_by_its_title():
    advice = run(build({"comedications": ["clarithromycine", "fluconazole"]}))
    french = [a["message_fr"] for a in advice["alerts"] if a["rule"] == "DDI-CYP3A-PGP"]
    assert len(french) == 2
    assert all("RCP du Rapamune, rubrique « Interactions" in m for m in french)
    assert any("CEREVANCE 2021 (azolés) ;" in m for m in french)
    english = [a["message"] for a in advice["alerts"] if a["rule"] == "DDI-CYP3A-PGP"]
    assert all("Rapamune SmPC (RCP), section 4.5" in m for m in english)


def test_AE_TROUGH_adverse_event_kind_is_named_in_french():
    events = [{"date": "2026-01-20", "kind": "pericardial_effusion", "declared": None}]
    advice = run(build(adverse_events=events))
    declared = next(a for a in advice["alerts"] if a["rule"] == "FOLLOW-PHARMACOVIGILANCE")
    assert declared["message_fr"] == (
        "Effet indésirable du 20/01/2026 (épanchement péricardique) non encore déclaré en "
        "pharmacovigilance."
    )


# --- Scans ------------------------------------------------------------------------------------


def slips_of(data: dict) -> list[str]:
    return language_slips(advise(parse_course(data)).to_dict())


@SETTINGS
@given(courses())
def test_REG_OFF_LABEL_random_courses_french_and_english_texts(data):
    assert slips_of(data) == []


def shifted(course: dict, days: int, form: str) -> dict:
    later = date.fromisoformat(course["today"]) + timedelta(days=days)
    return {**course, "today": later.isoformat(), "form": form}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_FOLLOW_VISITS_clinical_cases_on_many_days_french_and_english_texts(path):
    course = steps(json.loads(path.read_text(encoding="utf-8")))[-1][0]
    for days in (*range(0, 30, 2), *range(30, 800, 23)):
        for form in ("solution", "tablets"):
            assert slips_of(shifted(course, days, form)) == [], (days, form)


START = date(2026, 1, 5)


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


NO_RESPONSE = [count(day(-1), 12), count(day(14), 14)]
TOXIC_THEN_SUSPENDED = [{"start": day(0), "mg_per_day": 2.1}, {"start": day(7), "mg_per_day": 0}]
EVENTS = [
    {"date": day(20), "kind": kind, "declared": None}
    for kind in ("aphthae", "digestive", "infection", "fever", "angioedema", "cytopenia")
] + [
    {"date": day(21), "kind": kind, "declared": day(22)}
    for kind in ("pericardial_effusion", "hypertension", "dyslipidaemia", "other")
]

# Courses reaching the branches random courses and the clinical cases seldom reach.
RARE = {
    "no measurable dose": not_started({"weight_kg": 1.92, "height_cm": 45}),
    "tablets switched to solution": not_started(
        {"weight_kg": 4.5, "height_cm": 72}, form="tablets"
    ),
    "start capped at 4 mg": not_started({"weight_kg": 90, "height_cm": 180}),
    "work-up done": not_started(
        workup={"cbc": day(-3), "lipids": day(-3), "blood_pressure": day(-2)},
    ),
    "phase stated differs": not_started({"itp_phase": "chronic", "diagnosis_date": "2025-11-01"}),
    "stopped for good": build(
        doses=[
            {"start": day(0), "mg_per_day": 2.1},
            {"start": day(20), "mg_per_day": 0, "stop": True},
        ]
    ),
    "control pending": build(
        today=day(8), doses=TOXIC_THEN_SUSPENDED, troughs=[trough(day(7), 16.41, "nmol/l")]
    ),
    "control still toxic": build(
        today=day(9),
        doses=TOXIC_THEN_SUSPENDED,
        troughs=[trough(day(7), 16), trough(day(9), 15.5, assay="immunoassay")],
    ),
    "resume at half": build(
        today=day(9), doses=TOXIC_THEN_SUSPENDED, troughs=[trough(day(7), 16), trough(day(9), 9.5)]
    ),
    "resume on tablets below one tablet": build(
        {"weight_kg": 5, "height_cm": 60},
        form="tablets",
        today=day(9),
        doses=[{"start": day(0), "mg_per_day": 0.5}, {"start": day(7), "mg_per_day": 0}],
        troughs=[trough(day(7), 18), trough(day(9), 8)],
    ),
    "restarted without control": build(
        today=day(12),
        doses=TOXIC_THEN_SUSPENDED + [{"start": day(10), "mg_per_day": 1.1}],
        troughs=[trough(day(7), 16.2)],
    ),
    "suspended, not for toxicity": build(today=day(12), doses=TOXIC_THEN_SUSPENDED),
    "recorded dose above 4 mg": build(
        {"weight_kg": 90, "height_cm": 180},
        today=day(12),
        doses=[{"start": day(0), "mg_per_day": 4.5}],
    ),
    "current dose above the maximum": build(
        {"weight_kg": 25, "height_cm": 125}, doses=[{"start": day(0), "mg_per_day": 2.7}]
    ),
    "current dose not realisable with tablets": build(form="tablets"),
    "no early increase": build(today=day(20), troughs=[trough(day(7), 3.1)], platelets=NO_RESPONSE),
    "increase": build(today=day(25), troughs=[trough(day(7), 3.1)], platelets=NO_RESPONSE),
    "no response at day 30": build(
        today=day(30), troughs=[trough(day(7), 6.5)], platelets=NO_RESPONSE
    ),
    "stop after adjustment on the trough": build(
        today=day(90),
        doses=[{"start": day(0), "mg_per_day": 2.1}, {"start": day(25), "mg_per_day": 2.6}],
        troughs=[trough(day(7), 3.1), trough(day(32), 5.2)],
        platelets=[count(day(-1), 12), count(day(80), 14)],
    ),
    "stop at the maximum dose": build(
        today=day(90),
        doses=[{"start": day(0), "mg_per_day": 2.6}],
        troughs=[trough(day(7), 3.1)],
        platelets=[count(day(-1), 12), count(day(80), 14)],
    ),
    "no response at 3 months, not adjusted": build(
        today=day(90),
        troughs=[trough(day(7), 3.1)],
        platelets=[count(day(-1), 12), count(day(80), 14)],
    ),
    "responder with a low trough": build(
        today=day(25),
        troughs=[trough(day(7), 2.8)],
        platelets=[count(day(-1), 12), count(day(14), 60), count(day(21), 80)],
    ),
    "lowest effective dose": build(
        today=day(59),
        troughs=[trough(day(7), 6)],
        platelets=[count(day(-1), 12), count(day(31), 150), count(day(59), 180)],
    ),
    "partial response for a year": build(
        today=day(420),
        troughs=[trough(day(7), 6)],
        platelets=[count(day(-1), 12), count(day(31), 50), count(day(45), 55), count(day(410), 60)],
    ),
    "adverse events": build(today=day(40), adverse_events=EVENTS),
    "interactions and prophylaxis": build(
        {
            "comedications": ["clarithromycine", "Rifampicine", "diltiazem", "fluconazole"],
            "prolonged_corticosteroids": True,
            "immunodeficiency": True,
            "vzv_immune": None,
        }
    ),
    "contraindicated": not_started(
        {"allergies": ["soja"], "comedications": ["azathioprine"], "itp_phase": "newly_diagnosed"}
    ),
}


def test_REG_OFF_LABEL_rarer_branches_french_and_english_texts():
    seen = set()
    for name, data in RARE.items():
        advice = run(data)
        assert language_slips(advice) == [], name
        seen |= {a["rule"] for a in advice["alerts"]}
        assert texts(advice)[0], name
    # the scan is not vacuous: the messages that carry numbers and dates were produced
    assert seen >= {
        "TOX-SUSPEND",
        "DOSE-CAP",
        "DOSE-RANGE",
        "FORM-PRESENTATIONS",
        "DOSE-INCREASE",
        "DOSE-NO-EARLY-INCREASE",
        "RESP-DELAY",
        "TDM-NO-TARGET",
        "TAPER-LOWEST-DOSE",
        "TAPER-AFTER-PR",
        "COST-MONTHLY",
        "DDI-CYP3A-PGP",
        "FOLLOW-PHARMACOVIGILANCE",
        "AE-TROUGH",
        "FOLLOW-VISITS",
    }


# --- No message formats a number or a date by itself ------------------------------------------


# f-strings that format numbers for machines, not for people.
NOT_MESSAGES = {
    "dosing.py: {strength.normalize():f}",  # tablet strength as a JSON key: "0.5"
    "units.py: {value:.12g}",  # a conversion factor read back as a Decimal
}


def test_messages_format_numbers_and_dates_only_through_protocol_text():
    """In protocol/, an f-string may not call .isoformat() nor use a number format spec
    (`:g`, `:.1f`…), and nothing replaces '.' by ',': protocol/text.py does it, once."""
    offences = []
    for path in sorted(PROTOCOL_DIR.glob("*.py")):
        if path.name == "text.py":
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.JoinedStr):
                for part in node.values:
                    if not isinstance(part, ast.FormattedValue):
                        continue
                    code = ast.get_source_segment(source, part.value) or ""
                    spec = "".join(
                        str(v.value)
                        for v in getattr(part.format_spec, "values", [])
                        if isinstance(v, ast.Constant)
                    )
                    if "isoformat" in code or re.search(r"[eEfFgGn%]$", spec):
                        offences.append(f"{path.name}: {{{code}:{spec}}}")
        if re.search(r"""replace\(\s*["']\.["']\s*,\s*["'],["']""", source):
            offences.append(f"{path.name}: replaces '.' by ','")
    assert sorted(set(offences) - NOT_MESSAGES) == []
