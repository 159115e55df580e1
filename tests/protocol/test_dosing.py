"""Realisable doses: DOSE-START, DOSE-RANGE, DOSE-CAP, FORM-PRESENTATIONS."""

from decimal import Decimal

import pytest

from protocol.bsa import BodySurface, body_surface
from protocol.dosing import (
    SOLUTION,
    TABLETS,
    Proposal,
    increase_dose,
    max_dose,
    start_dose,
    tablets_for,
)

from .support import not_started, rules_of, run


def surface(m2: str) -> BodySurface:
    return BodySurface(30.0, 130.0, "mosteller", "test", "essai", Decimal(m2))


def test_DOSE_START_contract_example_2_1_mg_as_2_1_ml():
    dose = start_dose(body_surface(30, 130), SOLUTION).proposal
    assert dose.mg_per_day == Decimal("2.1")
    assert dose.volume_ml == Decimal("2.1")
    assert dose.tablets is None
    assert dose.mg_per_m2_per_day == Decimal("2.02")
    working = dose.working.to_dict()
    assert working["raw_mg"] == 2.0816
    assert working["rounding"] == (
        "2.0816 mg → 2.1 mg (0.1 ml steps of the 1 mg/ml solution, rounded up to stay ≥ 2 "
        "mg/m²/day)"
    )
    assert working["bsa_formula"] == "mosteller" and working["bsa_m2"] == 1.0408
    assert working["target_mg_per_m2_per_day"] == 2.0 and working["cap_applied"] is False


def test_DOSE_START_rounds_up_to_stay_at_least_2_mg_per_m2():
    for m2 in ("0.5", "0.77", "1.0408", "1.33", "1.7"):
        dose = start_dose(surface(m2), SOLUTION).proposal
        assert dose.mg_per_day >= 2 * Decimal(m2)
        assert dose.mg_per_day - Decimal("0.1") < 2 * Decimal(m2)


def test_DOSE_CAP_wins_over_the_range_for_a_large_adolescent():
    dose = start_dose(surface("2.2"), SOLUTION).proposal
    assert dose.mg_per_day == Decimal(4)
    assert dose.mg_per_m2_per_day == Decimal("1.82")
    assert "DOSE-CAP" in dose.rules
    assert dose.working.cap_applied


def test_DOSE_CAP_exactly_4_mg_is_allowed_not_capped():
    dose = start_dose(surface("2.0"), SOLUTION).proposal  # 2 mg/m² × 2 m² = 4 mg exactly
    assert dose.mg_per_day == Decimal(4)
    assert "DOSE-CAP" not in dose.rules


def test_DOSE_CAP_tablets_for_4_mg_are_two_2_mg_tablets():
    dose = start_dose(surface("2.5"), TABLETS).proposal
    assert dose.tablets == {"2": 2}


def test_DOSE_RANGE_ceiling_is_2_5_mg_per_m2_rounded_down():
    assert max_dose(Decimal("1.0408"), SOLUTION) == Decimal("2.6")  # 2.602
    assert max_dose(Decimal("1.0408"), TABLETS) == Decimal("2.5")
    assert max_dose(Decimal("1.2"), SOLUTION) == Decimal("3.0")  # exactly 2.5 mg/m²
    assert max_dose(Decimal("2.0"), SOLUTION) == Decimal("4")  # 5 mg/m² would be 5 mg: cap


def test_DOSE_RANGE_increase_target_is_2_5_mg_per_m2_rounded_down():
    working = increase_dose(body_surface(30, 130), SOLUTION)
    assert working.mg_per_day == Decimal("2.6")
    assert working.raw_mg == Decimal("2.6020")
    assert "rounded down" in working.rounding_en


def test_FORM_PRESENTATIONS_fewest_whole_tablets():
    assert tablets_for(Decimal("3.5")) == {"2": 1, "1": 1, "0.5": 1}
    assert tablets_for(Decimal("2.5")) == {"2": 1, "0.5": 1}
    assert tablets_for(Decimal("4")) == {"2": 2}
    assert tablets_for(Decimal("0.5")) == {"0.5": 1}
    with pytest.raises(ValueError):
        tablets_for(Decimal("2.1"))


def test_FORM_PRESENTATIONS_a_proposal_must_be_realisable():
    with pytest.raises(ValueError):
        Proposal("start", Decimal("2.05"), SOLUTION, Decimal(1), ("DOSE-START",))
    with pytest.raises(ValueError):
        Proposal("start", Decimal("2.1"), TABLETS, Decimal(1), ("DOSE-START",))


def test_FORM_PRESENTATIONS_tablets_start_for_a_30_kg_child():
    dose = start_dose(body_surface(30, 130), TABLETS).proposal
    assert dose.mg_per_day == Decimal("2.5") and dose.tablets == {"2": 1, "0.5": 1}
    assert dose.mg_per_m2_per_day <= Decimal("2.5")


def test_FORM_PRESENTATIONS_tiny_child_on_tablets_gets_the_solution_instead():
    # BSA 0.3 m²: 0.6–0.75 mg, no multiple of 0.5 mg in range.
    started = start_dose(surface("0.3"), TABLETS)
    assert started.switched_to_solution
    assert started.proposal.form == SOLUTION and started.proposal.mg_per_day == Decimal("0.6")
    advice = run(not_started({"weight_kg": 4.5, "height_cm": 72}, form="tablets"))
    assert advice["dose"]["form"] == "solution" and advice["dose"]["volume_ml"] == 0.6
    assert advice["dose"]["tablets"] is None
    assert "FORM-PRESENTATIONS" in rules_of(advice, "warning")


def test_FORM_PRESENTATIONS_no_measurable_dose_means_no_dose():
    # 0.155 m²: 0.31–0.3875 mg, no multiple of 0.1 mg in range.
    assert start_dose(surface("0.155"), SOLUTION).proposal is None
