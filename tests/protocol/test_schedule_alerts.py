"""The monitoring calendar and the standing safety alerts."""

from datetime import date

import pytest

from protocol.dates import add_months, whole_months

from .support import build, not_started, rules_of, run, trough


def items(advice: dict, kind: str) -> list[tuple[str, str]]:
    return [(i["date"], i["label"]) for i in advice["schedule"] if i["kind"] == kind]


def test_FOLLOW_VISITS_month_arithmetic_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 5), 24) == date(2028, 1, 5)
    assert whole_months(date(2026, 1, 31), date(2026, 2, 28)) == 1
    assert whole_months(date(2026, 1, 5), date(2026, 2, 4)) == 0


def test_FOLLOW_VISITS_m1_m3_m6_m12_then_every_6_months_for_24_months():
    advice = run(build())
    visits = items(advice, "visit")
    assert [label for _, label in visits] == ["M1", "M3", "M6", "M12", "M18", "M24"]
    assert visits[0] == ("2026-02-05", "M1")
    assert ("2028-01-05", "M24") in visits  # at least 24 months after the start
    assert max(d for d, _ in visits) >= "2026-08-02"  # at least 6 months past today


def test_FOLLOW_VISITS_schedule_follows_today_on_long_treatments():
    advice = run(build(today="2028-06-01", troughs=[trough("2028-05-01", 6)]))
    assert max(d for d, _ in items(advice, "visit")) >= "2028-12-01"


def test_AE_BP_at_every_visit():
    advice = run(build())
    assert [d for d, _ in items(advice, "blood_pressure")] == [d for d, _ in items(advice, "visit")]
    assert [d for d, _ in items(advice, "cbc")] == [d for d, _ in items(advice, "visit")]


def test_AE_LIPIDS_m1_m3_m6_m12_then_yearly():
    labels = [label for _, label in items(run(build()), "lipids")]
    assert labels == ["M1", "M3", "M6", "M12", "M24"]
    long_course = run(build(today="2028-06-01", troughs=[trough("2028-05-01", 6)]))
    assert [label for _, label in items(long_course, "lipids")][-2:] == ["M24", "M36"]


def test_TDM_STEADY_STATE_troughs_d7_after_start_and_changes_then_every_6_months():
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-01-30", "mg_per_day": 2.6}]
    advice = run(build(doses=doses))
    troughs = items(advice, "trough")
    assert troughs[:2] == [("2026-01-12", "T0 J7"), ("2026-02-06", "T0 J7 modif.")]
    assert ("2026-07-05", "T0 M6") in troughs and ("2027-01-05", "T0 M12") in troughs
    instruction = next(i for i in advice["schedule"] if i["kind"] == "trough")
    assert instruction["instruction_fr"] == "prélever juste avant la prise du matin"


def test_TDM_STEADY_STATE_next_shows_soonest_and_overdue_troughs():
    advice = run(
        build(
            today="2026-02-10",
            doses=[
                {"start": "2026-01-05", "mg_per_day": 2.1},
                {"start": "2026-01-30", "mg_per_day": 2.6},
            ],
        )
    )
    overdue = [i for i in advice["next"] if i.get("overdue")]
    assert [(i["date"], i["kind"]) for i in overdue] == [("2026-02-06", "trough")]
    assert all(i["date"] <= "2026-04-12" for i in advice["next"])


def test_TDM_STEADY_STATE_before_start_the_calendar_starts_today():
    advice = run(not_started())
    assert items(advice, "trough")[0] == ("2026-02-09", "T0 J7")
    assert items(advice, "visit")[0] == ("2026-03-02", "M1")


def test_FOLLOW_VISITS_nothing_after_a_definitive_stop():
    doses = [
        {"start": "2026-01-05", "mg_per_day": 2.1},
        {"start": "2026-04-20", "mg_per_day": 0, "stop": True},
    ]
    advice = run(build(today="2026-05-02", doses=doses))
    assert advice["dose"]["action"] == "none"
    assert max(i["date"] for i in advice["schedule"]) <= "2026-04-20"
    assert advice["next"] == []


def test_FOLLOW_VISITS_restart_after_a_stop_is_a_new_course():
    doses = [
        {"start": "2025-01-05", "mg_per_day": 2.1},
        {"start": "2025-04-20", "mg_per_day": 0, "stop": True},
        {"start": "2026-01-05", "mg_per_day": 2.1},
    ]
    advice = run(build(doses=doses))
    assert advice["day_of_treatment"] == 28
    assert items(advice, "visit")[0] == ("2026-02-05", "M1")


def test_FOLLOW_COHORT_reminder_until_registered():
    assert "FOLLOW-COHORT" in rules_of(run(build()), "info")
    assert "FOLLOW-COHORT" not in rules_of(run(build({"obs_cerevance_registered": True})))


@pytest.mark.parametrize(
    ("kind", "rule", "severity"),
    [
        ("aphthae", "AE-APHTHAE", "warning"),
        ("digestive", "AE-DIGESTIVE", "info"),
        ("infection", "AE-INFECTION", "warning"),
        ("fever", "AE-INFECTION", "warning"),
        ("angioedema", "AE-RARE", "warning"),
        ("pericardial_effusion", "AE-RARE", "warning"),
        ("cytopenia", "AE-RARE", "warning"),
        ("hypertension", "AE-BP", "warning"),
        ("dyslipidaemia", "AE-LIPIDS", "warning"),
    ],
)
def test_FOLLOW_PHARMACOVIGILANCE_and_AE_TROUGH_for_each_adverse_event(kind, rule, severity):
    event = {"date": "2026-01-20", "kind": kind, "declared": None}
    advice = run(build(adverse_events=[event]))
    assert rule in rules_of(advice, severity)
    assert {"FOLLOW-PHARMACOVIGILANCE", "AE-TROUGH"} <= rules_of(advice, "warning")


def test_AE_TROUGH_satisfied_by_a_trough_on_or_after_the_event():
    event = {"date": "2026-01-20", "kind": "aphthae", "declared": "2026-01-21"}
    advice = run(build(adverse_events=[event], troughs=[trough("2026-01-20", 7)]))
    assert "AE-TROUGH" not in rules_of(advice)
    assert "FOLLOW-PHARMACOVIGILANCE" not in rules_of(advice)
    assert "AE-APHTHAE" in rules_of(advice)


def test_AE_INFECTION_fever_advice_always_given_on_treatment():
    alert = next(a for a in run(build())["alerts"] if a["rule"] == "AE-INFECTION")
    assert alert["severity"] == "info" and "urgence" in alert["message_fr"]


def test_AE_DIGESTIVE_and_AE_RARE_only_when_recorded():
    assert not {"AE-DIGESTIVE", "AE-RARE", "AE-APHTHAE"} & rules_of(run(build()))


def test_VACC_LIVE_warning_on_treatment():
    assert "VACC-LIVE" in rules_of(run(build()), "warning")
    assert "VACC-LIVE" in rules_of(run(not_started()), "warning")


@pytest.mark.parametrize("immune", [False, None])
def test_VZV_EXPOSURE_VZV_INFECTION_VZV_SIBLINGS_when_not_immune(immune):
    advice = run(build({"vzv_immune": immune}))
    assert {"VZV-EXPOSURE", "VZV-INFECTION"} <= rules_of(advice, "warning")
    assert "VZV-SIBLINGS" in rules_of(advice, "info")


def test_VZV_EXPOSURE_silent_when_immune():
    assert not {"VZV-EXPOSURE", "VZV-INFECTION", "VZV-SIBLINGS"} & rules_of(run(build()))


@pytest.mark.parametrize(
    ("patient", "severity", "word"),
    [
        ({}, "info", "inutile"),
        ({"prolonged_corticosteroids": True}, "warning", "indispensable"),
        ({"immunodeficiency": True}, "warning", "à discuter"),
    ],
)
def test_PCP_PROPHYLAXIS(patient, severity, word):
    alert = next(a for a in run(build(patient))["alerts"] if a["rule"] == "PCP-PROPHYLAXIS")
    assert alert["severity"] == severity and word in alert["message_fr"]


def test_COST_MONTHLY_for_the_solution():
    advice = run(build(doses=[{"start": "2026-01-05", "mg_per_day": 2.0}]))
    assert advice["cost"]["eur_per_month"] == 220.0  # the source's 1 m² example
    assert run(build())["cost"]["eur_per_month"] == 231.0
    assert "COST-MONTHLY" in rules_of(run(build()), "info")
    assert (
        run(build(form="tablets", doses=[{"start": "2026-01-05", "mg_per_day": 2.0}]))["cost"]
        is None
    )


def test_DOSE_TIMING_on_every_proposal():
    assert "DOSE-TIMING" in rules_of(run(build()), "info")
    assert "DOSE-TIMING" in rules_of(run(not_started()), "info")
    assert "DOSE-TIMING" not in rules_of(run(not_started({"allergies": ["soja"]})))


def test_DOSE_CAP_history_above_4_mg_is_accepted_with_an_alert_and_brought_down():
    advice = run(
        build({"weight_kg": 80, "height_cm": 180}, doses=[{"start": "2026-01-05", "mg_per_day": 5}])
    )
    assert "DOSE-CAP" in rules_of(advice, "critical")  # the current dose: critical
    assert advice["dose"]["action"] == "decrease" and advice["dose"]["mg_per_day"] == 4.0


def test_DOSE_RANGE_weight_loss_brings_the_current_dose_down():
    advice = run(
        build(
            {"weight_kg": 22, "height_cm": 120}, doses=[{"start": "2026-01-05", "mg_per_day": 2.6}]
        )
    )  # 0.8563 m²: max 2.1 mg
    assert advice["dose"]["action"] == "decrease" and advice["dose"]["mg_per_day"] == 2.1
    assert "DOSE-RANGE" in advice["dose"]["rules"]


def test_FORM_PRESENTATIONS_current_dose_not_made_of_tablets_goes_to_solution():
    advice = run(build(form="tablets"))  # 2.1 mg
    assert advice["dose"]["form"] == "solution" and advice["dose"]["mg_per_day"] == 2.1
    assert "FORM-PRESENTATIONS" in rules_of(advice, "warning")


def test_AE_APHTHAE_mouth_ulcers_advice_in_both_languages():
    advice = run(build(adverse_events=[{"date": "2026-01-20", "kind": "aphthae"}]))
    alert = next(a for a in advice["alerts"] if a["rule"] == "AE-APHTHAE")
    assert "mouthwashes" in alert["message"] and "bains de bouche" in alert["message_fr"]
