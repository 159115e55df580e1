"""Trough interpretation (TOX-SUSPEND, TDM-STEADY-STATE, TDM-NO-TARGET) and the IWG response
used by RESP-DELAY and the tapers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from protocol.course import DoseEntry, PlateletCount, Trough
from protocol.history import History
from protocol.response import assess
from protocol.troughs import interpret, is_steady_state, zone

START = date(2026, 1, 5)
HISTORY = History.of((DoseEntry(START, Decimal("2.1")),))


def reading(days_after_start: int, ng_ml: float, assay=None, history=HISTORY):
    day = START + timedelta(days=days_after_start)
    return interpret(Trough(day, ng_ml, ng_ml, "ng/ml", assay), history)


def test_TOX_SUSPEND_15_0_does_not_trigger():
    assert zone(15.0) != "toxic"


def test_TOX_SUSPEND_15_1_triggers():
    assert zone(15.1) == "toxic"


def test_TDM_NO_TARGET_zones():
    assert zone(3.99) == "low"
    assert zone(4.0) == "indicative"
    assert zone(14.0) == "indicative"
    assert zone(14.5) == "high"


def test_TDM_STEADY_STATE_6_99_days_is_not_steady_state():
    assert not is_steady_state(6.99)


def test_TDM_STEADY_STATE_7_days_is_steady_state():
    assert is_steady_state(7)


def test_TDM_STEADY_STATE_day_6_and_day_7_troughs():
    assert not reading(6, 5.0).steady_state
    assert "TDM-STEADY-STATE" in reading(6, 5.0).rules
    assert reading(7, 5.0).steady_state
    assert reading(7, 5.0).days_on_dose == 7


def test_TDM_STEADY_STATE_trough_on_the_day_of_a_change_reflects_the_old_dose():
    history = History.of(
        (DoseEntry(START, Decimal("2.1")), DoseEntry(START + timedelta(days=20), Decimal("2.6")))
    )
    on_change_day = reading(20, 3.0, history=history)
    assert on_change_day.dose_mg_per_day == Decimal("2.1") and on_change_day.steady_state
    assert not reading(26, 3.0, history=history).steady_state
    assert reading(27, 3.0, history=history).steady_state


def test_TDM_STEADY_STATE_repeated_entries_at_the_same_dose_do_not_reset_the_clock():
    history = History.of(
        (DoseEntry(START, Decimal("2.1")), DoseEntry(START + timedelta(days=3), Decimal("2.1")))
    )
    assert reading(7, 5.0, history=history).steady_state


def test_TDM_NO_TARGET_immunoassay_is_kept_and_explained_not_converted():
    r = reading(7, 12.0, assay="immunoassay")
    assert r.ng_ml == 12.0 and r.trough.assay == "immunoassay"
    assert "30 %" in r.message_en and "30 %" in r.message_fr


def counts(*pairs, bleeding_on=()):
    return tuple(PlateletCount(START + timedelta(days=d), v, d in bleeding_on) for d, v in pairs)


def test_RESP_DELAY_baseline_is_the_last_count_on_or_before_the_start():
    response = assess(counts((-10, 40), (0, 12), (14, 20)), START)
    assert response.baseline_g_per_l == 12 and response.status == "no_response"


def test_RESP_DELAY_complete_response_confirmed_7_days_apart():
    response = assess(counts((0, 12), (14, 120), (21, 150)), START)
    assert (response.status, response.confirmed) == ("complete_response", True)
    assert response.since == START + timedelta(days=14)


def test_RESP_DELAY_complete_response_6_days_apart_is_not_confirmed():
    response = assess(counts((0, 12), (14, 120), (20, 150)), START)
    assert (response.status, response.confirmed) == ("complete_response", False)


def test_RESP_DELAY_response_needs_30_and_doubling():
    assert assess(counts((0, 20), (14, 45), (21, 50)), START).status == "response"
    assert assess(counts((0, 20), (14, 39), (21, 39)), START).status == "no_response"
    assert assess(counts((0, 10), (14, 25), (21, 29)), START).status == "no_response"


def test_RESP_DELAY_bleeding_excludes_a_count_from_response():
    response = assess(counts((0, 12), (14, 120), (21, 150), bleeding_on=(21,)), START)
    assert response.status == "no_response"


def test_RESP_DELAY_run_of_cr_and_r_counts_confirms_a_response():
    response = assess(counts((0, 10), (14, 50), (21, 120)), START)
    # R confirmed by both counts; CR shown once only, to confirm from day 28.
    assert (response.status, response.confirmed) == ("response", True)
    assert response.to_confirm_on == START + timedelta(days=28)
    response = assess(counts((0, 10), (14, 120), (21, 50)), START)
    assert (response.status, response.confirmed) == ("response", True)


@pytest.mark.parametrize("pairs", [((0, 12),), ((-3, 12),), ()])
def test_RESP_DELAY_not_evaluable_without_counts_after_the_start(pairs):
    assert assess(counts(*pairs), START).status == "not_evaluable"


def test_RESP_DELAY_without_baseline_only_complete_response_is_judged():
    assert assess(counts((14, 50)), START).status == "not_evaluable"
    assert assess(counts((14, 120)), START).status == "complete_response"
    assert assess(counts((14, 20)), START).status == "no_response"
