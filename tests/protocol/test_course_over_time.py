"""The engine reads the whole course: response over time, RESP-DELAY after the PK adjustment,
loss of response, tapers anchored at their start, toxicity that always acts, the toxic-dose
ceiling, history checks and the phase at the start (issue 12)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.course import PlateletCount
from protocol.response import assess

from .support import build, count, not_started, rules_of, run, trough

START = date(2026, 1, 5)
DOSE = [{"start": "2026-01-05", "mg_per_day": 2.1}]


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def counts(*pairs):
    return tuple(PlateletCount(START + timedelta(days=d), v) for d, v in pairs)


def alert(advice: dict, rule: str, severity: str | None = None) -> dict:
    found = [a for a in advice["alerts"] if a["rule"] == rule and severity in (None, a["severity"])]
    assert found, (rule, severity, advice["alerts"])
    return found[0]


CR_COUNTS = [count(day(-1), 12)] + [count(day(n), 150) for n in range(14, 800, 14)]


def cr_course(today: int, doses=DOSE, extra=(), **fields) -> dict:
    platelets = [c for c in CR_COUNTS if c["date"] <= day(today)] + list(extra)
    platelets.sort(key=lambda c: c["date"])
    return build(
        today=day(today), doses=doses, platelets=platelets, troughs=[trough(day(7), 6)], **fields
    )


# --- 1. Response over time --------------------------------------------------------------------


def test_RESP_DELAY_one_low_count_after_months_of_cr_is_to_confirm_not_a_stop():
    advice = run(cr_course(100, extra=[count(day(99), 20)]))
    response = advice["response"]
    assert (response["status"], response["confirmed"]) == ("complete_response", True)
    assert response["to_confirm_on"] == day(106)
    assert advice["dose"]["action"] == "continue"
    assert "re-count on or after" in alert(advice, "RESP-DELAY", "warning")["message"]


def test_RESP_DELAY_confirmed_low_counts_after_a_response_are_a_loss_not_a_no_response():
    response = assess(counts((0, 10), (14, 150), (21, 160), (60, 20), (67, 15)), START)
    assert response.status == "loss_of_response" and response.confirmed
    assert response.since == START + timedelta(days=60)
    assert response.best == "complete_response"
    assert response.held_until == START + timedelta(days=21)


def test_RESP_DELAY_low_counts_6_days_apart_do_not_confirm_the_loss():
    response = assess(counts((0, 10), (14, 150), (21, 160), (60, 20), (66, 15)), START)
    assert response.status == "complete_response" and response.to_confirm_on == START + timedelta(
        days=67
    )


def test_RESP_DELAY_best_so_far_and_since_are_kept_through_a_downgrade():
    response = assess(counts((0, 10), (14, 150), (21, 160), (40, 60), (47, 70)), START)
    assert (response.status, response.best) == ("response", "complete_response")
    assert response.since == START + timedelta(days=40)
    assert response.to_dict()["best"] == "complete_response"


def test_RESP_DELAY_a_loss_is_never_the_3_month_stop():
    platelets = [count(day(-1), 12), count(day(14), 150), count(day(21), 150)]
    platelets += [count(day(90), 12), count(day(97), 14)]
    advice = run(build(today=day(120), troughs=[trough(day(7), 6)], platelets=platelets))
    assert advice["response"]["status"] == "loss_of_response"
    assert advice["dose"]["action"] == "continue"
    assert advice["no_response_from"] is None
    assert "adherence" in alert(advice, "RESP-DELAY", "warning")["message"]


# --- 2. RESP-DELAY after the PK adjustment ----------------------------------------------------

NO_RESPONSE = [count(day(-1), 10), count(day(28), 12), count(day(80), 14)]


def test_RESP_DELAY_tablets_that_cannot_give_the_increase_offer_the_solution_not_a_stop():
    # 0.9129 m²: 2.5 mg/m²/day is 2.28 mg; tablets give 2 mg (−12 %) at most: solution 2.2 mg.
    advice = run(
        build(
            {"weight_kg": 25, "height_cm": 120},
            today="2026-04-10",
            form="tablets",
            doses=[{"start": day(0), "mg_per_day": 2.0, "form": "tablets"}],
            troughs=[trough(day(7), 3)],
            platelets=NO_RESPONSE,
        )
    )
    assert advice["dose"]["action"] == "continue"
    increase = advice["options"][0]
    assert (increase["action"], increase["form"], increase["mg_per_day"]) == (
        "increase",
        "solution",
        2.2,
    )
    assert increase["working"]["presentation_change"] is True
    assert "FORM-PRESENTATIONS" in rules_of(advice, "warning")
    assert advice["no_response_from"] is None  # the adjustment is still to do


def test_RESP_DELAY_stop_when_no_higher_dose_exists_in_either_presentation():
    # 0.8 m²: 2 mg is 2.5 mg/m²/day, the maximum in both presentations.
    advice = run(
        build(
            {"weight_kg": 20, "height_cm": 115.2},
            today="2026-04-06",
            form="tablets",
            doses=[{"start": day(0), "mg_per_day": 2.0, "form": "tablets"}],
            troughs=[trough(day(7), 3)],
            platelets=NO_RESPONSE,
        )
    )
    assert advice["no_response_from"] == "2026-04-05"
    assert advice["dose"]["action"] == "stop"
    assert "no higher dose possible" in alert(advice, "RESP-DELAY", "critical")["message"]


def test_RESP_DELAY_a_response_to_confirm_delays_the_stop():
    platelets = NO_RESPONSE + [count("2026-04-05", 150)]
    advice = run(build(today="2026-04-06", troughs=[trough(day(7), 6)], platelets=platelets))
    assert advice["dose"]["action"] == "continue"
    assert advice["response"]["to_confirm_on"] == "2026-04-12"


# --- 3. Loss of response during a descent ----------------------------------------------------

SEARCH = DOSE + [{"start": day(70), "mg_per_day": 1.6}, {"start": day(91), "mg_per_day": 1.1}]


def test_TAPER_LOWEST_DOSE_loss_during_the_search_goes_back_to_the_last_dose_that_held():
    extra = [count(day(101), 20), count(day(108), 18)]
    data = cr_course(109, doses=SEARCH)
    data["platelets"] = [c for c in data["platelets"] if c["date"] < day(100)] + extra
    advice = run(data)
    assert advice["response"]["status"] == "loss_of_response"
    assert (advice["dose"]["action"], advice["dose"]["mg_per_day"]) == ("increase", 1.6)
    assert alert(advice, "TAPER-LOWEST-DOSE", "warning")
    assert any(i["date"] == day(116) and i["kind"] == "trough" for i in advice["next"])
    assert "RESP-DELAY" not in rules_of(advice, "critical")


def test_TAPER_LOWEST_DOSE_a_low_count_to_confirm_halts_the_descent():
    advice = run(cr_course(113, doses=SEARCH, extra=[count(day(112), 40)]))
    assert advice["options"] == []
    assert "re-count" in alert(advice, "TAPER-LOWEST-DOSE")["message"]


# --- 4. TAPER-LOWEST-DOSE ---------------------------------------------------------------------


def test_TAPER_LOWEST_DOSE_next_step_3_weeks_after_the_last_change_not_after_today():
    doses = DOSE + [{"start": day(70), "mg_per_day": 1.6}]
    early = run(cr_course(81, doses=doses))  # 11 days after the last step
    assert early["options"] == []
    assert early["taper"]["steps"][0]["start"] == day(91)
    due = run(cr_course(91, doses=doses))
    assert [(o["action"], o["mg_per_day"]) for o in due["options"]] == [("decrease", 1.1)]


def test_TAPER_LOWEST_DOSE_not_before_2_months():
    assert run(cr_course(58))["taper"] is None
    assert run(cr_course(59))["taper"]["rule"] == "TAPER-LOWEST-DOSE"


def test_TAPER_LOWEST_DOSE_at_the_smallest_dose_the_search_ends_and_says_so():
    advice = run(cr_course(91, doses=[{"start": day(0), "mg_per_day": 0.5}]))
    assert advice["taper"] is None and advice["options"] == []
    assert "smallest dose" in alert(advice, "TAPER-LOWEST-DOSE")["message"]


# --- 5. Tapers anchored at their start ---------------------------------------------------------


def test_TAPER_AFTER_CR_plan_keeps_its_start_and_end_once_begun():
    first = run(cr_course(420))
    plan = first["taper"]
    assert plan["started"] == day(420) and plan["ends"] == "2028-02-01"
    step = plan["steps"][0]
    doses = DOSE + [{"start": step["start"], "mg_per_day": step["mg_per_day"]}]
    later = run(cr_course(500, doses=doses))
    assert later["taper"]["started"] == day(420) and later["taper"]["ends"] == plan["ends"]
    assert later["taper"]["steps"] == plan["steps"]


def test_TAPER_AFTER_CR_history_behind_the_plan_is_said_and_the_due_step_offered():
    step = run(cr_course(420))["taper"]["steps"][0]
    doses = DOSE + [{"start": step["start"], "mg_per_day": step["mg_per_day"]}]
    advice = run(cr_course(490, doses=doses))  # two steps due since
    assert "departs from the taper plan" in alert(advice, "TAPER-AFTER-CR", "warning")["message"]
    assert advice["options"][0]["mg_per_day"] < step["mg_per_day"]


def test_TAPER_AFTER_PR_plan_stops_within_3_months_of_its_start():
    platelets = [count(day(-1), 10)] + [count(day(n), 50) for n in range(14, 420, 14)]
    advice = run(build(today=day(420), troughs=[trough(day(7), 6)], platelets=platelets))
    plan = advice["taper"]
    assert plan["rule"] == "TAPER-AFTER-PR"
    assert plan["steps"][-1]["mg_per_day"] == 0
    assert date.fromisoformat(plan["ends"]) <= date.fromisoformat(day(420)) + timedelta(days=92)


def follow(data: dict, plan: dict) -> list[dict]:
    """Advice on the day after each step of the plan, the prescriber following it."""
    seen = []
    for step in plan["steps"]:
        entry = {"start": step["start"], "mg_per_day": step["mg_per_day"]}
        if step["mg_per_day"] == 0:
            entry["stop"] = True
        data["doses"].append(entry)
        data["today"] = (date.fromisoformat(step["start"]) + timedelta(days=1)).isoformat()
        seen.append(run(data))
    return seen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    weight=st.integers(12, 70),
    mg=st.integers(5, 40),
    held_days=st.integers(380, 560),
    form=st.sampled_from(["solution", "tablets"]),
    partial=st.booleans(),
)
def test_TAPER_following_any_plan_reaches_0_by_its_end(weight, mg, held_days, form, partial):
    dose = Decimal(mg) / 10 if form == "solution" else Decimal(mg // 5 * 5 or 5) / 10
    value = 50 if partial else 150
    platelets = [count(day(-1), 10)] + [count(day(n), value) for n in range(14, held_days, 14)]
    data = build(
        {"weight_kg": weight, "height_cm": 100 + weight},
        today=day(held_days),
        form=form,
        doses=[{"start": day(0), "mg_per_day": float(dose), "form": form}],
        troughs=[trough(day(7), 6)],
        platelets=platelets,
    )
    first = run(data)
    plan = first["taper"]
    if plan is None or plan["rule"] == "TAPER-LOWEST-DOSE":
        return  # the current dose is above today's ceiling, or no 12 months yet
    steps = plan["steps"]
    assert steps[-1]["mg_per_day"] == 0 and steps[-1]["start"] == plan["ends"]
    seen = follow(data, plan)
    for advice in seen[:-1]:
        assert advice["taper"]["ends"] == plan["ends"]
        assert advice["taper"]["started"] == plan["started"]
    assert seen[-1]["dose"]["action"] == "none"  # stopped for good on the plan's end
    assert data["doses"][-1] == {"start": plan["ends"], "mg_per_day": 0, "stop": True}


# --- 6. Toxicity always acts ------------------------------------------------------------------


def test_TOX_SUSPEND_with_a_blocking_contraindication_still_suspends_with_the_control():
    advice = run(build({"comedications": ["Néoral"]}, today=day(8), troughs=[trough(day(7), 25)]))
    assert advice["dose"]["action"] == "suspend"
    assert {"TOX-SUSPEND", "NO-OTHER-IS"} <= rules_of(advice, "critical")
    assert any(i["kind"] == "control" and i["date"] == day(10) for i in advice["next"])
    assert advice["pending_suspension"]["value_ng_ml"] == 25


def test_TOX_SUSPEND_toxic_trough_followed_by_continued_dosing_is_said_after_lower_ones():
    advice = run(build(today=day(20), troughs=[trough(day(7), 18), trough(day(14), 9)]))
    said = [a["message"] for a in advice["alerts"] if a["rule"] == "TOX-SUSPEND"]
    assert any("continued dosing" in m for m in said)
    assert advice["dose"]["action"] == "decrease" and advice["dose"]["mg_per_day"] == 1.0
    assert advice["pending_suspension"] is None  # the latest trough is not toxic


def test_TOX_SUSPEND_on_the_start_day_then_suspended_resumes_at_half_not_a_start():
    doses = DOSE + [{"start": day(1), "mg_per_day": 0}]
    advice = run(build(today=day(4), doses=doses, troughs=[trough(day(0), 20), trough(day(3), 8)]))
    assert (advice["dose"]["action"], advice["dose"]["mg_per_day"]) == ("resume", 1.0)
    on_start_day = run(build(today=day(0), troughs=[trough(day(0), 20)]))
    assert on_start_day["dose"]["action"] == "suspend"
    assert "TOX-SUSPEND" in rules_of(on_start_day, "critical")


# --- 7. Never back to a toxic dose ------------------------------------------------------------


def test_TOX_SUSPEND_increase_after_a_toxic_restart_is_capped_below_the_toxic_dose():
    doses = DOSE + [{"start": day(7), "mg_per_day": 0}, {"start": day(10), "mg_per_day": 1.0}]
    troughs = [trough(day(7), 18), trough(day(9), 9), trough(day(17), 3.0)]
    advice = run(
        build(
            today=day(40),
            doses=doses,
            troughs=troughs,
            platelets=[count(day(-1), 10), count(day(38), 12)],
        )
    )
    increase = advice["options"][0]
    assert increase["action"] == "increase" and increase["mg_per_day"] == 2.0  # not 2.6
    assert "capped below 2.1 mg/day" in alert(advice, "DOSE-INCREASE")["message"]
    assert all(a["mg_per_day"] < 2.1 for a in increase["alternatives"])


def test_DOSE_INCREASE_needs_every_steady_state_trough_on_the_dose_below_4():
    troughs = [trough(day(7), 3.5), trough(day(14), 4.2), trough(day(21), 3.0)]
    advice = run(build(today=day(25), troughs=troughs, platelets=[count(day(-1), 10)]))
    assert advice["options"] == []
    troughs = [trough(day(7), 3.5), trough(day(14), 3.9)]
    advice = run(build(today=day(25), troughs=troughs, platelets=[count(day(-1), 10)]))
    assert [o["action"] for o in advice["options"]] == ["increase"]


# --- 8. History checks ------------------------------------------------------------------------


def test_DOSE_NO_EARLY_INCREASE_an_increase_recorded_on_day_10_is_an_alert():
    doses = DOSE + [{"start": day(10), "mg_per_day": 2.6}]
    assert alert(run(build(today=day(12), doses=doses)), "DOSE-NO-EARLY-INCREASE", "warning")
    doses = DOSE + [{"start": day(21), "mg_per_day": 2.6}]
    assert "DOSE-NO-EARLY-INCREASE" not in rules_of(run(build(today=day(22), doses=doses)))


def test_DOSE_NO_EARLY_INCREASE_a_restart_after_a_suspension_is_not_an_increase():
    doses = DOSE + [{"start": day(7), "mg_per_day": 0}, {"start": day(10), "mg_per_day": 1.0}]
    advice = run(build(today=day(12), doses=doses, troughs=[trough(day(7), 18), trough(day(9), 8)]))
    assert "DOSE-NO-EARLY-INCREASE" not in rules_of(advice, "warning")


def test_DOSE_RANGE_a_past_dose_above_2_5_mg_per_m2_is_an_alert():
    doses = [{"start": day(0), "mg_per_day": 2.9}, {"start": day(20), "mg_per_day": 2.1}]
    advice = run(build(today=day(30), doses=doses))
    assert "2.5 mg/m²/day" in alert(advice, "DOSE-RANGE", "warning")["message"]


def test_DOSE_CAP_a_current_dose_above_4_mg_is_critical_with_a_decrease():
    advice = run(
        build({"weight_kg": 80, "height_cm": 180}, doses=[{"start": day(0), "mg_per_day": 5}])
    )
    assert "DOSE-CAP" in rules_of(advice, "critical")
    assert (advice["dose"]["action"], advice["dose"]["mg_per_day"]) == ("decrease", 4.0)


# --- 9. Eligibility: the phase at the start ---------------------------------------------------


def test_ELIG_INDICATION_a_start_46_days_after_the_diagnosis_is_an_alert():
    diagnosed = (START - timedelta(days=46)).isoformat()
    advice = run(build({"diagnosis_date": diagnosed, "itp_phase": None}, today=day(12)))
    assert "46 days after the diagnosis" in alert(advice, "ELIG-INDICATION", "warning")["message"]


def test_ELIG_INDICATION_before_the_start_the_diagnosis_date_blocks_a_stated_later_phase():
    diagnosed = (date(2026, 2, 2) - timedelta(days=46)).isoformat()
    advice = run(not_started({"diagnosis_date": diagnosed, "itp_phase": "persistent"}))
    assert "ELIG-INDICATION" in rules_of(advice, "critical") and not advice["eligible"]
    assert "contradicts" in alert(advice, "ELIG-INDICATION", "warning")["message"]


def test_ELIG_INDICATION_stated_phase_contradicting_the_date_after_the_start_is_a_warning():
    diagnosed = (START - timedelta(days=200)).isoformat()
    advice = run(build({"diagnosis_date": diagnosed, "itp_phase": "chronic"}, today=day(12)))
    assert (
        "contradicts the diagnosis date" in alert(advice, "ELIG-INDICATION", "warning")["message"]
    )


# --- 11. Doses a clinician would choose -------------------------------------------------------


def test_FORM_PRESENTATIONS_half_of_a_solution_dose_stays_in_solution():
    doses = [
        {"start": day(0), "mg_per_day": 1.6, "form": "solution"},
        {"start": day(7), "mg_per_day": 0},
    ]
    advice = run(
        build(
            form="tablets",
            today=day(9),
            doses=doses,
            troughs=[trough(day(7), 18), trough(day(9), 8)],
        )
    )
    assert (advice["dose"]["form"], advice["dose"]["mg_per_day"]) == ("solution", 0.8)
    assert advice["dose"]["working"]["presentation_change"] is False


def test_FORM_PRESENTATIONS_dose_form_must_be_realisable():
    from protocol import CourseError, parse_course

    data = build(doses=[{"start": day(0), "mg_per_day": 2.1, "form": "tablets"}])
    try:
        parse_course(data)
    except CourseError as error:
        assert error.problems[0].field == "doses[0].mg_per_day"
    else:
        raise AssertionError("2.1 mg as tablets accepted")


def test_FORM_PRESENTATIONS_every_proposal_lists_its_alternatives():
    advice = run(not_started({"workup_updated": True}))
    alternatives = advice["dose"]["alternatives"]
    assert alternatives and all("percent_from_target" in a for a in alternatives)
    assert {a["form"] for a in alternatives} == {"solution", "tablets"}
