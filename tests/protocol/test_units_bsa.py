"""Units at the boundary and body-surface area (the basis of DOSE-START)."""

import math
from datetime import date

import pytest

from protocol.bsa import age_problems, body_surface, plausibility
from protocol.units import CONCENTRATION, LENGTH, MASS, PLATELETS, UnitError, factor, to_canonical


@pytest.mark.parametrize("unit", ["ng/ml", "ng/mL", "µg/l", "μg/l", "ug/L", "µg/L", "mcg/L"])
def test_TOX_SUSPEND_trough_units_equal_to_ng_per_ml_are_exact(unit):
    # 15 µg/l must stay exactly 15 ng/ml (pint alone gives 15.000000000000002: toxic).
    assert to_canonical(15, unit, CONCENTRATION) == 15.0


@pytest.mark.parametrize("unit", ["nmol/l", "nmol/L"])
def test_TOX_SUSPEND_trough_in_nmol_per_l_uses_the_molar_mass(unit):
    assert to_canonical(1, unit, CONCENTRATION) == pytest.approx(0.91417)
    assert 1 / float(factor(unit, CONCENTRATION)) == pytest.approx(
        1.094, abs=1e-3
    )  # 1 ng/ml ≈ 1.094 nmol/l
    assert to_canonical(16.41, unit, CONCENTRATION) > 15  # 15.0015 ng/ml: toxic
    assert to_canonical(16.4, unit, CONCENTRATION) < 15


def test_TDM_NO_TARGET_other_pint_concentration_units_convert():
    assert to_canonical(1, "pmol/ml", CONCENTRATION) == pytest.approx(0.91417)
    assert to_canonical(5000, "ng/L", CONCENTRATION) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("value", "unit", "g_per_l"),
    [
        (150, "G/L", 150),
        (150, "10^9/L", 150),
        (150, "10⁹/L", 150),
        (150, "x10^9/L", 150),
        (150000, "/mm3", 150),
        (150000, "/mm³", 150),
        (150, "10^3/mm3", 150),
        (150, "10³/mm³", 150),
        (150000, "/µL", 150),
        (150, "10^3/µL", 150),
        (1, "G/L", 1),
    ],
)
def test_RESP_DELAY_platelet_units(value, unit, g_per_l):
    assert to_canonical(value, unit, PLATELETS) == pytest.approx(g_per_l)


def test_RESP_DELAY_one_G_per_l_is_a_thousand_per_mm3():
    assert to_canonical(1000, "/mm3", PLATELETS) == 1.0


@pytest.mark.parametrize(
    ("value", "unit", "kg"), [(30, "kg", 30), (30000, "g", 30), (66.1387, "lb", 30.0)]
)
def test_DOSE_START_weight_units(value, unit, kg):
    assert to_canonical(value, unit, MASS) == pytest.approx(kg, abs=1e-4)


@pytest.mark.parametrize(
    ("value", "unit", "cm"), [(130, "cm", 130), (1.3, "m", 130), (51.1811, "in", 130.0)]
)
def test_DOSE_START_height_units(value, unit, cm):
    assert to_canonical(value, unit, LENGTH) == pytest.approx(cm, abs=1e-3)


@pytest.mark.parametrize(
    ("unit", "kind", "message"),
    [
        ("zorks", LENGTH, "unknown unit 'zorks' for a length"),
        ("kg", LENGTH, "unit 'kg' is not a unit of a length"),
        ("g/l", PLATELETS, "unit 'g/l' is not a unit of a platelet count"),  # grams, not giga
        ("mmol", CONCENTRATION, "unit 'mmol' is not a unit of a concentration"),
        ("", MASS, "missing unit for a mass"),
    ],
)
def test_DOSE_START_unknown_or_wrong_units_are_named(unit, kind, message):
    with pytest.raises(UnitError, match=message):
        factor(unit, kind)


def test_DOSE_START_mosteller_is_the_default_and_matches_the_contract():
    bsa = body_surface(30, 130)
    assert bsa.formula == "mosteller"
    assert str(bsa.m2) == "1.0408"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("mosteller", math.sqrt(130 * 30 / 3600)),
        ("haycock", 0.024265 * 30**0.5378 * 130**0.3964),
        ("dubois", 0.007184 * 30**0.425 * 130**0.725),
        ("gehan_george", 0.0235 * 30**0.51456 * 130**0.42246),
    ],
)
def test_DOSE_START_bsa_formulas(formula, expected):
    assert float(body_surface(30, 130, formula).m2) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(
    ("weight", "height", "field", "text"),
    [
        (0, 130, "weight_kg", "must be > 0 kg, got 0"),
        (300, 150, "weight_kg", "outside the plausible range"),
        (50, 15, "height_cm", "outside the plausible range"),
        (1.2, 130, "weight_kg", "outside the plausible range"),
        (140, 110, "weight_kg", "BMI"),  # each plausible, not together
        (3, 100, "weight_kg", "BMI"),
    ],
)
def test_DOSE_START_implausible_measures_are_rejected(weight, height, field, text):
    problems = plausibility(weight, height)
    assert [p.field for p in problems][:1] == [field]
    assert text in problems[0].message_en
    assert problems[0].message_fr


@pytest.mark.parametrize(
    ("weight", "height"), [(1.5, 40), (3.5, 50), (30, 130), (150, 210), (70, 175)]
)
def test_DOSE_START_plausible_measures_pass(weight, height):
    assert plausibility(weight, height) == []


def test_DOSE_START_age_limits():
    today = date(2026, 2, 2)
    assert age_problems(date(2015, 4, 10), today) == []
    assert age_problems(date(2004, 2, 3), today) == []  # 21 years old
    assert "after today" in age_problems(date(2026, 2, 3), today)[0].message_en
    assert "22 years old" in age_problems(date(2004, 2, 2), today)[0].message_en
