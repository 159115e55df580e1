"""Quantities to dispense (SMPC-STORAGE, FORM-PRESENTATIONS) and the monthly cost in whole
bottles (COST-MONTHLY)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.supply import BOTTLE_ML, OPENED_BOTTLE_DAYS, monthly, supply


def test_cost_monthly_counts_whole_bottles():
    # 2.1 mg/day is 63 ml a month: two 60 ml bottles, 440 €, not 231 €.
    month = monthly(Decimal("2.1"), "solution")
    assert month.ml == Decimal("63.0")
    assert month.bottles == 2
    assert month.eur == Decimal(440)


def test_cost_monthly_reference_child_is_one_bottle():
    # The source's 220 € a month: 2 mg/day for a 1 m² child, 60 ml in 30 days.
    assert monthly(Decimal(2), "solution").bottles == 1
    assert monthly(Decimal(2), "solution").eur == Decimal(220)


def test_smpc_storage_opened_bottle_lasts_30_days_even_when_not_empty():
    # 0.5 ml/day uses 15 ml a month, but an opened bottle is kept 30 days only.
    assert supply(Decimal("0.5"), "solution", 31).bottles == 2
    assert supply(Decimal("0.5"), "solution", 30).bottles == 1
    assert supply(Decimal("0.5"), "solution", 90).bottles == 3


def test_volume_governs_above_two_ml_a_day():
    assert supply(Decimal(3), "solution", 28).bottles == 2  # 84 ml
    assert supply(Decimal(4), "solution", 15).bottles == 1  # 60 ml exactly


def test_form_presentations_tablets_per_strength():
    assert supply(Decimal("2.5"), "tablets", 28).tablets == {"2": 28, "0.5": 28}
    assert supply(Decimal("2.5"), "tablets", 28).eur is None


def test_nothing_to_dispense():
    assert monthly(Decimal(0), "solution") is None
    with pytest.raises(ValueError):
        supply(Decimal("2.3"), "tablets", 28)
    with pytest.raises(ValueError):
        supply(Decimal(2), "solution", 0)


@given(st.integers(1, 40), st.integers(1, 120))
def test_bottles_always_cover_volume_and_opening_limit(tenths, days):
    mg = Decimal(tenths) / 10
    s = supply(mg, "solution", days)
    assert s.bottles * BOTTLE_ML >= s.ml
    assert s.bottles * OPENED_BOTTLE_DAYS >= days
    # and never one bottle more than needed
    assert (s.bottles - 1) * BOTTLE_ML < s.ml or (s.bottles - 1) * OPENED_BOTTLE_DAYS < days
