"""Decisions on treatment: toxicity, increase, response delay, tapers."""

from datetime import date, timedelta

import pytest

from .support import build, count, rules_of, run, trough

START = date(2026, 1, 5)
DOSE = [{"start": "2026-01-05", "mg_per_day": 2.1}]


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def on_day(n: int, **fields) -> dict:
    return build(today=day(n), **fields)


# --- TOX-SUSPEND ---------------------------------------------------------------------------


def test_TOX_SUSPEND_trough_above_15_suspends_with_48_h_control():
    advice = run(on_day(7, troughs=[trough(day(7), 16)]))
    assert advice["dose"]["action"] == "suspend" and advice["dose"]["mg_per_day"] == 0
    assert "TOX-SUSPEND" in rules_of(advice, "critical")
    control = [i for i in advice["next"] if "TOX-SUSPEND" in i["rules"]]
    assert control[0]["date"] == day(9) and control[0]["kind"] == "control"


def test_TOX_SUSPEND_15_0_ng_ml_continues():
    advice = run(on_day(7, troughs=[trough(day(7), 15.0)]))
    assert advice["dose"]["action"] == "continue"
    assert "TOX-SUSPEND" not in rules_of(advice)


def test_TOX_SUSPEND_15_1_ng_ml_suspends():
    assert run(on_day(7, troughs=[trough(day(7), 15.1)]))["dose"]["action"] == "suspend"


def test_TOX_SUSPEND_acts_on_a_trough_not_at_steady_state():
    advice = run(on_day(3, troughs=[trough(day(3), 22)]))
    assert advice["troughs"][0]["steady_state"] is False
    assert advice["dose"]["action"] == "suspend"


def test_TOX_SUSPEND_threshold_applies_to_converted_nmol_values():
    assert run(on_day(7, troughs=[trough(day(7), 16.41, "nmol/l")]))["dose"]["action"] == "suspend"
    assert run(on_day(7, troughs=[trough(day(7), 16.4, "nmol/L")]))["dose"]["action"] == "continue"


SUSPENDED = DOSE + [{"start": day(7), "mg_per_day": 0}]


def test_TOX_SUSPEND_stays_suspended_until_the_control():
    advice = run(on_day(8, doses=SUSPENDED, troughs=[trough(day(7), 16)]))
    assert advice["dose"]["action"] == "suspend"
    assert [i["date"] for i in advice["next"] if i["kind"] == "control"] == [day(9)]


def test_TOX_SUSPEND_overdue_control_is_flagged():
    advice = run(on_day(12, doses=SUSPENDED, troughs=[trough(day(7), 16)]))
    control = next(i for i in advice["next"] if i["kind"] == "control")
    assert control["date"] == day(9) and control["overdue"] is True


def test_TOX_SUSPEND_trough_before_48_h_is_not_the_control():
    advice = run(on_day(8, doses=SUSPENDED, troughs=[trough(day(7), 16), trough(day(8), 9)]))
    assert advice["dose"]["action"] == "suspend"


def test_TOX_SUSPEND_control_at_or_below_15_resumes_at_half_dose_rounded_down():
    advice = run(on_day(9, doses=SUSPENDED, troughs=[trough(day(7), 16), trough(day(9), 9)]))
    dose = advice["dose"]
    assert dose["action"] == "resume"
    assert dose["mg_per_day"] == 1.0 and dose["volume_ml"] == 1.0  # 2.1 / 2 = 1.05 → 1.0
    assert set(dose["rules"]) == {"TOX-SUSPEND", "FORM-PRESENTATIONS"}
    assert "half" in dose["working"]["basis"]
    assert any(i["date"] == day(16) and i["kind"] == "trough" for i in advice["next"])


def test_TOX_SUSPEND_resume_on_tablets_rounds_down_to_whole_tablets():
    doses = [{"start": day(0), "mg_per_day": 3.0}, {"start": day(7), "mg_per_day": 0}]
    advice = run(
        build(
            {"weight_kg": 45, "height_cm": 150},
            form="tablets",
            today=day(9),
            doses=doses,
            troughs=[trough(day(7), 18), trough(day(9), 8)],
        )
    )
    assert advice["dose"]["mg_per_day"] == 1.5 and advice["dose"]["tablets"] == {"1": 1, "0.5": 1}
    doses = [{"start": day(0), "mg_per_day": 2.5}, {"start": day(7), "mg_per_day": 0}]
    advice = run(
        build(
            form="tablets",
            today=day(9),
            doses=doses,
            troughs=[trough(day(7), 18), trough(day(9), 8)],
        )
    )
    # Half of 2.5 = 1.25: 1 mg is −20 % and 1.5 mg above half, so no tablet dose fits ±10 %:
    # 1.2 ml of the solution, flagged as a change of presentation.
    assert advice["dose"]["mg_per_day"] == 1.2 and advice["dose"]["form"] == "solution"
    assert advice["dose"]["working"]["presentation_change"] is True
    assert "FORM-PRESENTATIONS" in rules_of(advice, "warning")


def test_TOX_SUSPEND_resume_below_one_tablet_switches_to_the_solution():
    doses = [{"start": day(0), "mg_per_day": 0.5}, {"start": day(7), "mg_per_day": 0}]
    advice = run(
        build(
            {"weight_kg": 5, "height_cm": 60},
            form="tablets",
            today=day(9),
            doses=doses,
            troughs=[trough(day(7), 18), trough(day(9), 8)],
        )
    )
    assert advice["dose"]["form"] == "solution" and advice["dose"]["mg_per_day"] == 0.2


def test_TOX_SUSPEND_control_still_toxic_stays_suspended():
    advice = run(on_day(9, doses=SUSPENDED, troughs=[trough(day(7), 16), trough(day(9), 15.5)]))
    assert advice["dose"]["action"] == "suspend"
    assert "TOX-SUSPEND" in rules_of(advice, "critical")
    assert any(i["kind"] == "control" and i["date"] == day(11) for i in advice["next"])


def test_TOX_SUSPEND_restarting_despite_a_toxic_control_suspends_again():
    doses = SUSPENDED + [{"start": day(10), "mg_per_day": 1.0}]
    advice = run(on_day(10, doses=doses, troughs=[trough(day(7), 16), trough(day(9), 17)]))
    assert advice["dose"]["action"] == "suspend"


# --- DOSE-NO-EARLY-INCREASE, DOSE-INCREASE, TDM-NO-TARGET ----------------------------------

NO_RESPONSE = [count(day(-1), 12), count(day(14), 14)]


def test_DOSE_NO_EARLY_INCREASE_day_20_refuses_with_info():
    advice = run(on_day(20, troughs=[trough(day(7), 3.1)], platelets=NO_RESPONSE))
    assert advice["options"] == []
    assert "DOSE-NO-EARLY-INCREASE" in rules_of(advice, "info")


def test_DOSE_NO_EARLY_INCREASE_day_21_allows_the_increase_option():
    advice = run(on_day(21, troughs=[trough(day(7), 3.1)], platelets=NO_RESPONSE))
    assert [o["action"] for o in advice["options"]] == ["increase"]
    assert "DOSE-NO-EARLY-INCREASE" not in rules_of(advice)


def test_DOSE_INCREASE_option_to_2_5_mg_per_m2_with_trough_7_days_later():
    advice = run(on_day(25, troughs=[trough(day(7), 3.1)], platelets=NO_RESPONSE))
    assert advice["dose"]["action"] == "continue" and advice["dose"]["mg_per_day"] == 2.1
    option = advice["options"][0]
    assert option["action"] == "increase" and option["mg_per_day"] == 2.6
    assert option["mg_per_m2_per_day"] <= 2.5
    assert "DOSE-INCREASE" in option["rules"]
    assert any(i["date"] == day(32) and "DOSE-INCREASE" in i["rules"] for i in advice["next"])


def test_DOSE_INCREASE_capped_at_4_mg():
    advice = run(
        build(
            {"weight_kg": 80, "height_cm": 180},
            today=day(25),
            doses=[{"start": day(0), "mg_per_day": 3.8}],
            troughs=[trough(day(7), 2.5)],
            platelets=NO_RESPONSE,
        )
    )
    option = advice["options"][0]
    assert option["mg_per_day"] == 4.0 and "DOSE-CAP" in option["rules"]


def test_DOSE_INCREASE_not_offered_at_4_or_above_a_trough_of_4():
    assert run(on_day(25, troughs=[trough(day(7), 4.0)], platelets=NO_RESPONSE))["options"] == []
    at_max = [{"start": day(0), "mg_per_day": 2.6}]
    advice = run(on_day(25, doses=at_max, troughs=[trough(day(7), 3.0)], platelets=NO_RESPONSE))
    assert advice["options"] == []


def test_DOSE_INCREASE_needs_a_steady_state_trough_on_the_current_dose():
    advice = run(on_day(25, troughs=[trough(day(6), 3.1)], platelets=NO_RESPONSE))
    assert advice["options"] == []
    assert "TDM-STEADY-STATE" in rules_of(advice, "info")


def test_TDM_NO_TARGET_responder_with_low_trough_is_not_increased():
    platelets = [count(day(-1), 12), count(day(14), 60), count(day(21), 80)]
    advice = run(on_day(25, troughs=[trough(day(7), 2.8)], platelets=platelets))
    assert advice["options"] == []
    assert "TDM-NO-TARGET" in rules_of(advice, "info")


# --- RESP-DELAY ----------------------------------------------------------------------------


def test_RESP_DELAY_info_after_4_weeks_without_response():
    advice = run(on_day(30, troughs=[trough(day(7), 6)], platelets=NO_RESPONSE))
    assert "RESP-DELAY" in rules_of(advice, "info")
    assert advice["dose"]["action"] == "continue"


def test_RESP_DELAY_stop_at_3_months_after_pk_adjustment():
    doses = DOSE + [{"start": day(25), "mg_per_day": 2.6}]
    troughs = [trough(day(7), 3.1), trough(day(32), 5.2)]
    platelets = [count(day(-1), 12), count(day(80), 14)]
    # 3 months after the adjustment (the increase of 30/01/2026), not after the start.
    advice = run(build(today="2026-04-30", doses=doses, troughs=troughs, platelets=platelets))
    assert advice["no_response_from"] == "2026-04-30"
    assert advice["dose"]["action"] == "stop" and advice["dose"]["mg_per_day"] == 0
    assert "RESP-DELAY" in advice["dose"]["rules"]
    assert "RESP-DELAY" in rules_of(advice, "critical")


def test_RESP_DELAY_not_before_3_months_after_the_adjustment():
    doses = DOSE + [{"start": day(25), "mg_per_day": 2.6}]
    advice = run(
        build(
            today="2026-04-29",
            doses=doses,
            troughs=[trough(day(32), 5.2)],
            platelets=[count(day(-1), 12), count(day(80), 14)],
        )
    )
    assert advice["dose"]["action"] == "continue"


def test_RESP_DELAY_not_adjusted_yet_offers_the_increase_and_warns():
    advice = run(
        build(
            today="2026-04-05",
            troughs=[trough(day(7), 3.1)],
            platelets=[count(day(-1), 12), count(day(80), 14)],
        )
    )
    assert advice["dose"]["action"] == "continue"
    assert [o["action"] for o in advice["options"]] == ["increase"]
    assert "RESP-DELAY" in rules_of(advice, "warning")


def test_DOSE_INCREASE_offered_without_a_count_but_a_count_is_asked_for():
    advice = run(on_day(28, troughs=[trough(day(7), 3.1)], platelets=[count(day(-1), 12)]))
    assert [o["action"] for o in advice["options"]] == ["increase"]
    assert "RESP-DELAY" in rules_of(advice, "warning")


def test_RESP_DELAY_no_count_means_no_stop():
    advice = run(
        build(today="2026-04-05", troughs=[trough(day(7), 6.0)], platelets=[count(day(-1), 12)])
    )
    assert advice["dose"]["action"] == "continue"
    assert "RESP-DELAY" in rules_of(advice, "warning")


# --- Tapers --------------------------------------------------------------------------------

CR = [count(day(-1), 12), count(day(31), 150), count(day(59), 180)]


def test_TAPER_LOWEST_DOSE_after_2_months_of_cr():
    advice = run(build(today="2026-03-05", troughs=[trough(day(7), 6)], platelets=CR))
    assert advice["dose"]["action"] == "continue"
    option = advice["options"][0]
    assert option["action"] == "decrease" and option["mg_per_day"] == 1.6
    taper = advice["taper"]
    assert taper["rule"] == "TAPER-LOWEST-DOSE"
    assert [s["mg_per_day"] for s in taper["steps"]] == [1.6, 1.1, 0.6, 0.1]
    dates = [date.fromisoformat(s["start"]) for s in taper["steps"]]
    assert all(b - a == timedelta(weeks=3) for a, b in zip(dates, dates[1:], strict=False))
    assert taper["ends"] == taper["steps"][-1]["start"]


def test_TAPER_LOWEST_DOSE_not_before_2_months():
    platelets = [count(day(-1), 12), count(day(31), 150), count(day(50), 180)]
    advice = run(build(today="2026-03-04", troughs=[trough(day(7), 6)], platelets=platelets))
    assert advice["taper"] is None and advice["options"] == []


def test_TAPER_LOWEST_DOSE_waits_3_weeks_after_the_last_change():
    doses = DOSE + [{"start": "2026-03-01", "mg_per_day": 1.6}]
    advice = run(build(today="2026-03-05", doses=doses, troughs=[trough(day(7), 6)], platelets=CR))
    assert advice["taper"]["steps"][0] == {
        **advice["taper"]["steps"][0],
        "start": "2026-03-22",
        "mg_per_day": 1.1,
    }


def cr_for_months(months_since_start: str, today: str) -> dict:
    platelets = [
        count(day(-1), 12),
        count(day(31), 150),
        count(day(59), 180),
        count(months_since_start, 200),
    ]
    return build(today=today, troughs=[trough(day(7), 6)], platelets=platelets)


def test_TAPER_AFTER_CR_14_months_tapers_to_stop_for_about_2_years():
    advice = run(cr_for_months("2027-03-01", "2027-03-05"))  # 14 months on treatment
    taper = advice["taper"]
    assert taper["rule"] == "TAPER-AFTER-CR"
    assert taper["steps"][-1]["mg_per_day"] == 0 and taper["ends"] == "2028-01-05"  # 10 months
    doses = [s["mg_per_day"] for s in taper["steps"]]
    assert doses == sorted(doses, reverse=True) and doses[0] < 2.1
    assert advice["options"][0]["action"] == "decrease"


def test_TAPER_AFTER_CR_duration_is_at_least_6_months():
    advice = run(cr_for_months("2027-12-20", "2028-01-05"))  # 24 months on treatment
    assert advice["taper"]["ends"] == "2028-07-05"


def test_TAPER_AFTER_CR_duration_is_at_most_12_months():
    # CR from day 31, 12 months of CR reached at 13 months: 24 − 13 = 11 months.
    advice = run(cr_for_months("2027-02-01", "2027-02-05"))
    assert advice["taper"]["rule"] == "TAPER-AFTER-CR"
    assert advice["taper"]["ends"] == "2028-01-05"


def test_TAPER_AFTER_CR_not_before_12_months_of_cr():
    advice = run(cr_for_months("2027-01-30", "2027-02-04"))
    assert advice["taper"]["rule"] == "TAPER-LOWEST-DOSE"


def test_TAPER_AFTER_PR_stop_within_3_months():
    platelets = [
        count(day(-1), 12),
        count(day(31), 50),
        count(day(59), 60),
        count("2027-03-01", 70),
    ]
    advice = run(build(today="2027-03-05", troughs=[trough(day(7), 6)], platelets=platelets))
    taper = advice["taper"]
    assert taper["rule"] == "TAPER-AFTER-PR"
    assert taper["ends"] <= "2027-06-05" and taper["steps"][-1]["mg_per_day"] == 0


def test_TAPER_AFTER_PR_not_before_12_months():
    platelets = [count(day(-1), 12), count(day(31), 50), count(day(59), 60)]
    advice = run(build(today="2026-06-05", troughs=[trough(day(7), 6)], platelets=platelets))
    assert advice["taper"] is None


@pytest.mark.parametrize("form", ["solution", "tablets"])
def test_TAPER_AFTER_CR_steps_are_realisable(form):
    data = cr_for_months("2027-03-01", "2027-03-05")
    data["form"] = form
    data["doses"] = [{"start": day(0), "mg_per_day": 2.5}]
    for step in run(data)["taper"]["steps"]:
        if form == "tablets":
            assert sum(float(k) * n for k, n in step["tablets"].items()) == step["mg_per_day"]
        else:
            assert step["volume_ml"] == step["mg_per_day"]
            assert round(step["mg_per_day"] * 10) == pytest.approx(step["mg_per_day"] * 10)
