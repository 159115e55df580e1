"""Validation of the course: every problem listed, with its field path, in English and French."""

import re

import pytest

from protocol import CourseError, parse_course

from .support import build, count, trough


def problems(data) -> list[str]:
    with pytest.raises(CourseError) as caught:
        parse_course(data)
    for problem in caught.value.problems:
        assert problem.message_fr and problem.message_en
    return [str(p) for p in caught.value.problems]


def test_DOSE_START_weight_of_zero_is_rejected_with_the_contract_message():
    assert problems(build({"weight_kg": 0})) == ["patient.weight_kg: must be > 0 kg, got 0"]


def test_DOSE_START_weight_and_height_with_explicit_units():
    data = build()
    del data["patient"]["weight_kg"], data["patient"]["height_cm"]
    data["patient"] |= {
        "weight": {"value": 66.1387, "unit": "lb"},
        "height": {"value": 1.3, "unit": "m"},
    }
    course = parse_course(data)
    assert course.patient.weight_kg == pytest.approx(30.0, abs=1e-4)
    assert course.patient.height_cm == pytest.approx(130.0)


def test_DOSE_START_both_weight_forms_is_an_error():
    assert (
        "give weight_kg or weight, not both"
        in problems(build({"weight": {"value": 30, "unit": "kg"}}))[0]
    )


def test_DOSE_START_every_problem_is_listed_at_once():
    data = build(
        {"weight_kg": -3, "height_cm": "tall", "bsa_formula": "boyd"},
        form="patch",
        today="02/02/2026",
    )
    data["troughs"] = [
        trough("2026-01-12", 6),
        trough("2026-01-13", 6),
        trough("2026-01-14", 5, "mg/dl"),
    ]
    found = problems(data)
    assert "today: not a valid date (YYYY-MM-DD), got '02/02/2026'" in found
    assert "patient.weight_kg: must be > 0 kg, got -3" in found
    assert "patient.height_cm: must be a number, got 'tall'" in found
    assert any(f.startswith("patient.bsa_formula: unknown bsa_formula 'boyd'") for f in found)
    assert any(f.startswith("form: unknown form 'patch'") for f in found)
    assert any(f.startswith("troughs[2].value: 50000 ng/ml is not a plausible") for f in found)


def test_TDM_STEADY_STATE_unknown_trough_unit_names_field_and_unit():
    data = build(
        troughs=[
            trough("2026-01-12", 6),
            trough("2026-01-13", 6),
            trough("2026-01-14", 6, "mg/zork"),
        ]
    )
    assert problems(data) == ["troughs[2].unit: unknown unit 'mg/zork' for a concentration"]


def test_TDM_STEADY_STATE_dates_after_today_are_rejected():
    data = build(doses=[{"start": "2026-02-03", "mg_per_day": 2.1}])
    assert problems(data) == ["doses[0].start: after today (2026-02-02)"]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"today": None}, "today: required (YYYY-MM-DD)"),
        ({"today": "2026-02-30"}, "today: not a valid date"),
        ({"patient": None}, "patient: required"),
        ({"patient": []}, "patient: must be an object"),
        ({"doses": {"start": "2026-01-05"}}, "doses: must be a list"),
        ({"doses": [{"start": "2026-01-05"}]}, "doses[0].mg_per_day: required"),
        (
            {"doses": [{"start": "2026-01-05", "mg_per_day": True}]},
            "doses[0].mg_per_day: must be a number",
        ),
        (
            {"doses": [{"start": "2026-01-05", "mg_per_day": -1}]},
            "doses[0].mg_per_day: must be ≥ 0 mg",
        ),
        ({"doses": [{"start": "2026-01-05", "mg_per_day": 2, "stop": True}]}, "doses[0].stop"),
        (
            {
                "doses": [
                    {"start": "2026-01-05", "mg_per_day": 2},
                    {"start": "2026-01-05", "mg_per_day": 1},
                ]
            },
            "doses[1].start: another dose entry already starts on 2026-01-05",
        ),
        ({"troughs": [trough("2026-01-12", 6, assay="ELISA?")]}, "troughs[0].assay"),
        (
            {"platelets": [{"date": "2026-01-04", "value": 12, "unit": "g/l"}]},
            "platelets[0].unit: unit 'g/l' is not a unit of a platelet count",
        ),
        (
            {"platelets": [count("2026-01-04", 12, bleeding="yes")]},
            "platelets[0].bleeding: must be true or false",
        ),
        ({"adverse_events": [{"date": "2026-01-20", "kind": "rash"}]}, "adverse_events[0].kind"),
        ({"adverse_events": [{"date": "2026-01-20"}]}, "adverse_events[0].kind: required"),
        (
            {"adverse_events": [{"date": "2026-01-20", "kind": "fever", "declared": "2026-01-19"}]},
            "adverse_events[0].declared: before the adverse event",
        ),
        ({"workup": {"cbc": "2026-03-01"}}, "workup.cbc: after today"),
    ],
)
def test_FOLLOW_VISITS_invalid_course_fields(patch, expected):
    data = build()
    data.update(patch)
    assert any(p.startswith(expected) for p in problems(data)), problems(data)


@pytest.mark.parametrize(
    ("patient", "expected"),
    [
        ({"birth_date": "2027-01-01"}, "patient.birth_date: after today"),
        ({"birth_date": "1990-01-01"}, "patient.birth_date: 36 years old"),
        ({"itp_phase": "acute"}, "patient.itp_phase: unknown itp_phase 'acute'"),
        ({"allergies": "soja"}, "patient.allergies: must be a list"),
        ({"comedications": [3]}, "patient.comedications[0]: must be text"),
        ({"vzv_immune": "oui"}, "patient.vzv_immune: must be true or false"),
        ({"sex": "X"}, "patient.sex: unknown sex 'X'"),
        ({"diagnosis_date": "2010-01-01"}, "patient.diagnosis_date: before the birth date"),
        ({"weight_kg": 300, "height_cm": 150}, "patient.weight_kg: 300 kg is outside"),
        ({"height_cm": 15}, "patient.height_cm: 15 cm is outside"),
        ({"weight_kg": float("nan")}, "patient.weight_kg: must be a finite number"),
    ],
)
def test_ELIG_INDICATION_invalid_patient_fields(patient, expected):
    assert any(p.startswith(expected) for p in problems(build(patient))), problems(build(patient))


def test_FOLLOW_VISITS_course_must_be_an_object():
    assert problems([1, 2]) == ["course: must be an object"]
    assert problems(None) == ["course: required"]


def french_problems(data) -> list[str]:
    with pytest.raises(CourseError) as caught:
        parse_course(data)
    return [f"{p.field}: {p.message_fr}" for p in caught.value.problems]


@pytest.mark.parametrize("unit", ["absent", None, "", "  "])
def test_TDM_STEADY_STATE_a_trough_or_count_without_unit_is_an_error_not_a_default(unit):
    troughs = [{"date": "2026-01-12", "value": 6}]
    platelets = [count("2026-01-04", 12), {"date": "2026-01-05", "value": 12}]
    if unit != "absent":
        troughs[0]["unit"] = platelets[1]["unit"] = unit
    data = build(troughs=troughs, platelets=platelets)
    assert problems(data) == [
        "troughs[0].unit: missing unit (ng/ml, µg/l, nmol/l…)",
        "platelets[1].unit: missing unit (G/L, 10^9/L, /mm3…)",
    ]
    assert french_problems(data) == [
        "troughs[0].unit: unité manquante (ng/ml, µg/l, nmol/l…)",
        "platelets[1].unit: unité manquante (G/L, 10^9/L, /mm3…)",
    ]


@pytest.mark.parametrize("unit", ["absent", None, ""])
def test_DOSE_START_weight_or_height_object_without_unit_is_an_error(unit):
    data = build()
    del data["patient"]["weight_kg"], data["patient"]["height_cm"]
    data["patient"] |= {"weight": {"value": 30}, "height": {"value": 130}}
    if unit != "absent":
        data["patient"]["weight"]["unit"] = data["patient"]["height"]["unit"] = unit
    assert problems(data) == [
        "patient.weight.unit: missing unit (kg, g, lb…)",
        "patient.height.unit: missing unit (cm, m, in…)",
    ]


def test_TDM_STEADY_STATE_the_unit_given_is_kept_with_the_trough():
    data = build(troughs=[trough("2026-01-12", 6.2, " µg/l ")])
    assert parse_course(data).troughs[0].unit == "µg/l"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("doses", "doses: required (a list; [] when sirolimus has not been started)"),
        ("troughs", "troughs: required (a list; [] when no trough has been drawn)"),
        ("platelets", "platelets: required (a list; [] when no count is known)"),
    ],
)
@pytest.mark.parametrize("how", ["absent", "null"])
def test_DOSE_START_an_absent_history_list_is_an_error_not_an_empty_one(field, expected, how):
    """Without `doses` the child would look untreated and get a start dose; without troughs a
    toxic level would go unseen. An empty list says "none"; absence says nothing."""
    data = build()
    if how == "absent":
        del data[field]
    else:
        data[field] = None
    assert problems(data) == [expected]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("allergies", "patient.allergies: required (a list; [] when none is known)"),
        ("comedications", "patient.comedications: required (a list; [] when none)"),
        (
            "sirolimus_hypersensitivity",
            "patient.sirolimus_hypersensitivity: required (true or false)",
        ),
        (
            "prolonged_corticosteroids",
            "patient.prolonged_corticosteroids: required (true or false)",
        ),
        ("immunodeficiency", "patient.immunodeficiency: required (true or false)"),
    ],
)
@pytest.mark.parametrize("how", ["absent", "null"])
def test_CI_HYPERSENSITIVITY_absent_safety_statements_are_errors_not_assumed_negative(
    key, expected, how
):
    data = build()
    if how == "absent":
        del data["patient"][key]
    else:
        data["patient"][key] = None
    assert problems(data) == [expected]
    assert french_problems(data)[0].startswith(f"patient.{key}: obligatoire (")


def test_DOSE_START_documented_defaults_are_kept():
    """The contract's defaults (form, bsa_formula) and the optional extension fields."""
    data = build()
    del data["form"], data["patient"]["bsa_formula"], data["patient"]["vzv_immune"]
    data["patient"].pop("severity_signs")
    course = parse_course(data)
    assert course.form == "solution" and course.patient.bsa_formula == "mosteller"
    assert course.patient.vzv_immune is None and course.patient.severity_signs is None
    assert course.adverse_events == () and course.workup.cbc is None


DECIMAL_POINT, ISO_DATE = r"\d\.\d", r"\d{4}-\d{2}-\d{2}"


def test_ELIG_INDICATION_french_problems_write_numbers_and_dates_the_french_way():
    cases = [
        build({"weight_kg": -0.5}),
        build({"weight_kg": 150.5}),
        build({"height_cm": 39.5}),
        build({"weight_kg": 2.5, "height_cm": 150}),
        build({"birth_date": "2026-03-01"}),
        build(doses=[{"start": "2026-02-03", "mg_per_day": 2.1}]),
        build(
            doses=[
                {"start": "2026-01-05", "mg_per_day": 2.1},
                {"start": "2026-01-05", "mg_per_day": 1.5},
            ]
        ),
        build(troughs=[trough("2026-01-12", 600.25)]),
        build(platelets=[count("2026-01-04", 2500.5)]),
        build(workup={"cbc": "2026-03-01"}),
    ]
    found = [message for data in cases for message in french_problems(data)]
    assert len(found) >= len(cases)
    for message in found:
        assert not re.search(DECIMAL_POINT, message), message
        assert not re.search(ISO_DATE, message), message
    assert "patient.weight_kg: doit être > 0 kg, reçu -0,5" in found
    assert (
        "patient.weight_kg: 150,5 kg est hors des valeurs plausibles 1,5–150 kg pour un "
        "enfant (erreur de saisie ?)" in found
    )
    assert "doses[0].start: postérieure à aujourd'hui (02/02/2026)" in found
    assert "doses[1].start: une autre ligne de dose commence déjà le 05/01/2026" in found
    assert any(m.startswith("troughs[0].value: 600,25 ng/ml n'est pas") for m in found)
    assert any(m.startswith("platelets[0].value: 2500,5 G/L n'est pas") for m in found)
    assert any("donne un IMC de 1,1 kg/m², hors 8–60" in m for m in found)


def test_TDM_STEADY_STATE_entries_are_sorted_by_date():
    data = build(
        troughs=[trough("2026-01-20", 5), trough("2026-01-12", 6)],
        doses=[
            {"start": "2026-01-20", "mg_per_day": 2.6},
            {"start": "2026-01-05", "mg_per_day": 2.1},
        ],
    )
    course = parse_course(data)
    assert [t.ng_ml for t in course.troughs] == [6, 5]
    assert [str(d.mg_per_day) for d in course.doses] == ["2.1", "2.6"]
