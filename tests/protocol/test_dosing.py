"""Realisable doses: DOSE-START, DOSE-RANGE, DOSE-CAP, FORM-PRESENTATIONS."""

from decimal import Decimal

import pytest

from protocol.bsa import BodySurface, body_surface
from protocol.dosing import (
    SOLUTION,
    TABLETS,
    Limit,
    Proposal,
    choose,
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
        "2.0816 mg → 2.1 mg (0.1 ml steps of the 1 mg/ml solution, nearest realisable dose, "
        "+0.9 % from the target (accepted within ±10 %))"
    )
    assert working["presentation_change"] is False
    assert working["bsa_formula"] == "mosteller" and working["bsa_m2"] == 1.0408
    assert working["target_mg_per_m2_per_day"] == 2.0 and working["cap_applied"] is False


def test_DOSE_START_nearest_realisable_dose_ties_to_the_lower():
    for m2 in ("0.5", "0.77", "1.0408", "1.33", "1.7", "0.775"):
        target = 2 * Decimal(m2)
        dose = start_dose(surface(m2), SOLUTION).proposal
        assert abs(dose.mg_per_day - target) <= Decimal("0.05")
        assert abs(dose.mg_per_day - target) <= Decimal("0.1") * target
    assert start_dose(surface("0.775"), SOLUTION).proposal.mg_per_day == Decimal("1.5")  # 1.55


def test_DOSE_START_tablets_nearest_within_10_percent_not_the_solution():
    # 0.80 m²: 1.6 mg; 1.5 mg is −6.25 % (1.88 mg/m²), 2 mg would be 2.5 mg/m² and +25 %.
    dose = start_dose(surface("0.80"), TABLETS).proposal
    assert (dose.form, dose.mg_per_day) == (TABLETS, Decimal("1.5"))
    assert dose.working.presentation_change is False
    # 1.2502 m²: 2.5004 mg; 2.5 mg (2.00 mg/m²) rather than 3 mg (+20 %).
    assert start_dose(surface("1.2502"), TABLETS).proposal.mg_per_day == Decimal("2.5")


def test_DOSE_START_alternatives_list_neighbours_with_mg_per_m2_and_percent():
    dose = start_dose(surface("0.799"), TABLETS).proposal  # 1.598 mg
    assert dose.mg_per_day == Decimal("1.5")
    listed = {(a.form, a.mg_per_day): a for a in dose.alternatives}
    assert (TABLETS, Decimal("1.0")) in listed and (SOLUTION, Decimal("1.6")) in listed
    assert (TABLETS, Decimal("2.0")) not in listed  # 2.503 mg/m²/day: never listed
    assert listed[(TABLETS, Decimal("1.0"))].percent_from_target == Decimal("-37.4")
    assert listed[(SOLUTION, Decimal("1.6"))].mg_per_m2_per_day == Decimal("2.00")
    assert dose.to_dict()["alternatives"][0]["percent_from_target"] == -37.4


def test_rounding_ties_go_to_the_lower_dose():
    # 1.75 mg on tablets: 1.5 and 2.0 are both 0.25 mg away; ±10 % excludes both, so the
    # solution gives 1.7 or 1.8 (equally near): the lower.
    choice = choose(Decimal("1.75"), TABLETS, Limit(Decimal(1)))
    assert (choice.form, choice.mg_per_day) == (SOLUTION, Decimal("1.7"))
    choice = choose(Decimal("2.25"), SOLUTION, Limit(Decimal(1)))
    assert choice.mg_per_day == Decimal("2.2")


def test_rounding_never_above_half_after_toxicity_nor_a_toxic_dose():
    choice = choose(Decimal("0.8"), SOLUTION, Limit(Decimal(1), at_most=Decimal("0.8")))
    assert choice.mg_per_day == Decimal("0.8")
    choice = choose(Decimal("2.5"), SOLUTION, Limit(Decimal(1), below=Decimal("2.1")))
    assert choice.mg_per_day == Decimal("2.0") and not choice.within_tolerance
    assert all(a.mg_per_day < Decimal("2.1") for a in choice.alternatives)
    # half of 1.6 mg of solution stays 0.8 ml of solution, never one 0.5 mg tablet
    choice = choose(Decimal("0.8"), SOLUTION, Limit(Decimal("0.8"), at_most=Decimal("0.8")))
    assert (choice.form, choice.mg_per_day) == (SOLUTION, Decimal("0.8"))


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


def test_DOSE_RANGE_never_above_2_5_mg_per_m2_even_within_10_percent():
    choice = choose(Decimal("2.6020"), SOLUTION, Limit(Decimal("1.0408")))
    assert choice.mg_per_day == Decimal("2.6")
    choice = choose(Decimal("2.6020"), TABLETS, Limit(Decimal("1.0408")))
    assert choice.mg_per_day == Decimal("2.5")


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
    # 2.0816 mg: 2 mg (−3.9 %, 1.92 mg/m²/day) is nearer than 2.5 mg (+20 %).
    dose = start_dose(body_surface(30, 130), TABLETS).proposal
    assert dose.mg_per_day == Decimal("2.0") and dose.tablets == {"2": 1}
    assert dose.mg_per_m2_per_day == Decimal("1.92")


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
    # 0.03 m²: 0.06 mg; 0.1 mg would be 3.3 mg/m²/day.
    assert start_dose(surface("0.03"), SOLUTION).proposal is None
