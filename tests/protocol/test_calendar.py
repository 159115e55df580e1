"""The calendar as a nurse and a pharmacist check it: appointments on working days, which record
fulfils which item (and only one), what is due and overdue, conditional items."""

from datetime import date

from protocol import advise, parse_course
from protocol.calendar import appointment, is_working_day, nearest_working_day, next_working_day

from .support import build, count, not_started, run, trough


def item(advice: dict, kind: str, label: str) -> dict:
    return next(i for i in advice["schedule"] if i["kind"] == kind and i["label"] == label)


def fulfilled_ref(advice: dict, kind: str, label: str) -> str | None:
    done = item(advice, kind, label)["fulfilled"]
    return done and done["ref"]


# --- Working days ------------------------------------------------------------------------------


def test_FOLLOW_VISITS_working_days_skip_weekends_and_french_public_holidays():
    assert is_working_day(date(2026, 7, 13))  # Monday
    assert not is_working_day(date(2026, 7, 14))  # Fête nationale, a Tuesday
    assert not is_working_day(date(2026, 5, 1))  # Fête du travail, a Friday
    assert not is_working_day(date(2026, 5, 14))  # Ascension
    assert not is_working_day(date(2026, 7, 5))  # Sunday
    assert next_working_day(date(2026, 5, 1)) == date(2026, 5, 4)  # over the weekend
    assert nearest_working_day(date(2026, 7, 4)) == date(2026, 7, 3)  # Saturday → Friday
    assert nearest_working_day(date(2026, 7, 5)) == date(2026, 7, 6)  # Sunday → Monday
    # 14 July, a Tuesday: Monday and Wednesday are as near; the earlier is chosen
    assert nearest_working_day(date(2026, 7, 14)) == date(2026, 7, 13)


def test_TDM_STEADY_STATE_a_trough_is_only_moved_later_a_visit_to_the_nearest_day():
    assert appointment(date(2026, 5, 1), "trough") == date(2026, 5, 4)
    assert appointment(date(2026, 5, 1), "control") == date(2026, 5, 4)
    assert appointment(date(2026, 5, 1), "visit") == date(2026, 4, 30)
    assert appointment(date(2026, 5, 1), "cbc") == date(2026, 4, 30)
    assert appointment(date(2026, 7, 14), "trough") == date(2026, 7, 15)
    assert appointment(date(2026, 7, 15), "trough") == date(2026, 7, 15)  # already a working day


def test_FOLLOW_VISITS_m6_on_14_july_keeps_its_date_and_gets_a_working_day():
    advice = run(
        build(
            today="2026-02-02",
            doses=[{"start": "2026-01-14", "mg_per_day": 2.1}],
            troughs=[trough("2026-01-21", 6.2)],
        )
    )
    visit, sample = item(advice, "visit", "M6"), item(advice, "trough", "T0 M6")
    assert visit["date"] == sample["date"] == "2026-07-14"
    assert visit["appointment"] == "2026-07-13"
    assert sample["appointment"] == "2026-07-15"


def test_FOLLOW_VISITS_m6_on_1_may_visit_on_thursday_trough_on_monday():
    advice = run(
        build(
            today="2026-02-02",
            doses=[{"start": "2025-11-01", "mg_per_day": 2.1}],
            troughs=[trough("2025-11-08", 6.2)],
        )
    )
    assert item(advice, "visit", "M6")["appointment"] == "2026-04-30"
    assert item(advice, "trough", "T0 M6")["appointment"] == "2026-05-04"


def test_FOLLOW_VISITS_every_appointment_of_a_two_year_calendar_is_a_working_day():
    advice = run(build())
    for entry in advice["schedule"]:
        day, booked = date.fromisoformat(entry["date"]), date.fromisoformat(entry["appointment"])
        assert is_working_day(booked), entry
        if entry["kind"] in ("trough", "control"):
            assert 0 <= (booked - day).days <= 4, entry
        else:
            assert abs((booked - day).days) <= 3, entry


# --- Which record fulfils which item -----------------------------------------------------------

M6 = "2026-07-05"  # M6 of the example course (start 2026-01-05)


def six_months(*extra_troughs: dict, **fields) -> dict:
    return run(
        build(
            today="2026-08-20",
            troughs=[trough("2026-01-12", 6.2, ref="trough:1"), *extra_troughs],
            **fields,
        )
    )


def test_TDM_STEADY_STATE_six_monthly_trough_drawn_the_day_before_fulfils_it():
    advice = six_months(trough("2026-07-04", 5.0, ref="trough:2"))
    assert item(advice, "trough", "T0 M6")["fulfilled"] == {
        "date": "2026-07-04",
        "kind": "trough",
        "ref": "trough:2",
    }
    assert not [i for i in advice["next"] if i.get("overdue")]  # not overdue for months


def test_TDM_STEADY_STATE_six_monthly_window_opens_7_days_before():
    assert fulfilled_ref(six_months(trough("2026-06-28", 5.0, ref="t")), "trough", "T0 M6") == "t"
    late = six_months(trough("2026-06-27", 5.0, ref="t"))
    assert fulfilled_ref(late, "trough", "T0 M6") is None  # 8 days before: not the M6 trough
    assert [i["label"] for i in late["next"] if i.get("overdue")] == ["T0 M6"]


def test_TDM_STEADY_STATE_a_late_trough_still_fulfils_its_item_until_the_next_opens():
    advice = six_months(trough("2026-08-19", 5.0, ref="late"))
    assert fulfilled_ref(advice, "trough", "T0 M6") == "late"


def test_TDM_STEADY_STATE_day_7_trough_only_at_steady_state():
    early = run(build(troughs=[trough("2026-01-11", 6.2, ref="d6")]))
    assert item(early, "trough", "T0 J7")["fulfilled"] is None  # day 6: not steady state
    assert [i["label"] for i in early["next"] if i.get("overdue")] == ["T0 J7"]
    on_time = run(build(troughs=[trough("2026-01-12", 6.2, ref="d7")]))
    assert fulfilled_ref(on_time, "trough", "T0 J7") == "d7"


def test_TDM_STEADY_STATE_a_trough_after_the_next_change_does_not_fulfil_the_old_dose():
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-01-20", "mg_per_day": 2.6}]
    after = run(build(doses=doses, troughs=[trough("2026-01-21", 6.2, ref="after")]))
    assert item(after, "trough", "T0 J7")["fulfilled"] is None
    # drawn on the morning of the change, before the new dose: still the old regimen
    morning = run(build(doses=doses, troughs=[trough("2026-01-20", 6.2, ref="morning")]))
    assert fulfilled_ref(morning, "trough", "T0 J7") == "morning"
    assert item(morning, "trough", "T0 J7 modif.")["fulfilled"] is None


def test_FOLLOW_VISITS_one_record_fulfils_one_item_the_m3_count_is_not_the_m1_count():
    advice = run(
        build(
            today="2026-04-20",
            platelets=[count("2026-01-04", 12), count("2026-04-06", 60, ref="lab:3")],
        )
    )
    assert item(advice, "cbc", "M1")["fulfilled"] is None
    assert fulfilled_ref(advice, "cbc", "M3") == "lab:3"


def test_TDM_STEADY_STATE_one_trough_cannot_fulfil_two_items():
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-06-26", "mg_per_day": 2.6}]
    advice = six_months(trough("2026-07-04", 5.0, ref="one"), doses=doses)
    done = [i["label"] for i in advice["schedule"] if i["fulfilled"] and i["kind"] == "trough"]
    assert done == ["T0 J7", "T0 J7 modif."]  # the 7-day trough of the change, not also M6
    assert item(advice, "trough", "T0 M6")["fulfilled"] is None


def test_FOLLOW_VISITS_records_fulfil_visits_pressures_and_lipids():
    records = [
        {"kind": "visit", "date": "2026-02-05", "ref": "visit:1", "label": "M1"},
        {"kind": "blood_pressure", "date": "2026-02-04", "ref": "measurement:2"},
        {"kind": "lipids", "date": "2026-02-06", "ref": "lab:9"},
    ]
    advice = run(build(today="2026-02-10", records=records))
    assert fulfilled_ref(advice, "visit", "M1") == "visit:1"
    assert fulfilled_ref(advice, "blood_pressure", "M1") == "measurement:2"
    assert fulfilled_ref(advice, "lipids", "M1") == "lab:9"
    assert item(advice, "cbc", "M1")["fulfilled"] is None
    assert all(i["label"] != "M1" for i in advice["next"])  # done items are not due


def test_TDM_STEADY_STATE_a_nurses_tick_fulfils_the_item_it_names():
    tick = {"kind": "trough", "date": "2026-07-06", "ref": "check:4", "label": "T0 M6"}
    advice = six_months(records=[tick])
    assert item(advice, "trough", "T0 M6")["fulfilled"]["ref"] == "check:4"
    # the result of the same sample, once entered, is the record shown
    both = six_months(trough("2026-07-06", 5.0, ref="trough:7"), records=[tick])
    assert fulfilled_ref(both, "trough", "T0 M6") == "trough:7"


def test_TDM_STEADY_STATE_a_tick_naming_its_item_by_date_fulfils_that_item_only():
    # The app's ticks name their item by kind and protocol date (records[].due).
    m6 = item(six_months(), "trough", "T0 M6")
    tick = {"kind": "trough", "date": "2026-08-19", "ref": "check:5", "due": m6["date"]}
    advice = six_months(records=[tick])
    assert fulfilled_ref(advice, "trough", "T0 M6") == "check:5"
    assert [i["fulfilled"]["ref"] for i in advice["schedule"]
            if i["fulfilled"] and i["kind"] == "trough"] == ["trough:1", "check:5"]
    both = six_months(trough(m6["date"], 5.0, ref="trough:8"), records=[tick])
    assert fulfilled_ref(both, "trough", "T0 M6") == "trough:8"  # the result, once entered


def test_TOX_SUSPEND_control_fulfilled_only_between_48_h_and_the_restart():
    doses = [
        {"start": "2026-01-05", "mg_per_day": 2.1},
        {"start": "2026-01-13", "mg_per_day": 0},
    ]
    toxic = trough("2026-01-12", 18, ref="toxic")
    at_24h = run(build(today="2026-01-16", doses=doses, troughs=[toxic, trough("2026-01-14", 9)]))
    assert item(at_24h, "control", "Contrôle 48 h")["fulfilled"] is None
    control = trough("2026-01-15", 9, ref="control")
    at_48h = run(build(today="2026-01-16", doses=doses, troughs=[toxic, control]))
    assert fulfilled_ref(at_48h, "control", "Contrôle 48 h") == "control"
    assert fulfilled_ref(at_48h, "trough", "T0 J7") == "toxic"


def test_TOX_SUSPEND_control_before_the_suspension_is_recorded_is_conditional():
    course = parse_course(build(today="2026-01-13", troughs=[trough("2026-01-12", 18)]))
    result = advise(course)
    control = next(i for i in result.schedule if i.kind == "control")
    assert control.conditional and control.condition
    assert not control.done
    assert [i.kind for i in result.next if i.conditional] == ["control"]


def test_DOSE_INCREASE_trough_after_the_optional_increase_is_conditional():
    counts = [count("2026-01-04", 12), count("2026-02-01", 14)]
    course = parse_course(build(troughs=[trough("2026-01-26", 2.5)], platelets=counts))
    result = advise(course)
    assert [o.action for o in result.options] == ["increase"]
    later = [i for i in result.next if i.conditional]
    assert later and all(i.kind == "trough" for i in later)
    assert all(not i.conditional for i in result.schedule if i.kind != "control")


def test_PRE_WORKUP_items_due_today_are_booked_on_a_working_day():
    advice = run(not_started(today="2026-02-07", workup={}))  # a Saturday
    pre = [i for i in advice["schedule"] if i["label"].endswith("pré-thérapeutique")]
    assert pre and {i["date"] for i in pre} == {"2026-02-07"}
    assert {i["appointment"] for i in pre} == {"2026-02-09"}  # never in the past: Monday
    assert {i["label"] for i in advice["next"]} >= {i["label"] for i in pre}


def test_FOLLOW_VISITS_a_visit_due_today_booked_yesterday_is_still_due():
    # M1 on Saturday 2026-02-07 (start 2026-01-07), booked Friday 6: still listed on the 7th
    advice = run(
        build(
            today="2026-02-07",
            doses=[{"start": "2026-01-07", "mg_per_day": 2.1}],
            troughs=[trough("2026-01-14", 6.2)],
        )
    )
    due = [(i["kind"], i["label"], i["appointment"]) for i in advice["next"]]
    assert ("visit", "M1", "2026-02-06") in due


def test_FOLLOW_VISITS_items_say_done_and_which_record_as_typed_fields():
    course = parse_course(build(troughs=[trough("2026-01-12", 6.2, ref="trough:12")]))
    first = next(i for i in advise(course).schedule if i.label == "T0 J7")
    assert first.done and first.fulfilled.ref == "trough:12" and first.fulfilled.kind == "trough"
    assert first.appointment == date(2026, 1, 12)


def test_TOX_SUSPEND_a_7_day_trough_of_a_regimen_stopped_before_day_7_is_not_due():
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-01-10", "mg_per_day": 0}]
    toxic, control = trough("2026-01-10", 18), trough("2026-01-12", 9, ref="control")
    advice = run(build(today="2026-01-20", doses=doses, troughs=[toxic, control]))
    assert not [i for i in advice["schedule"] if i["label"] == "T0 J7"]
    assert fulfilled_ref(advice, "control", "Contrôle 48 h") == "control"
    assert not [i for i in advice["next"] if i.get("overdue")]


def test_FOLLOW_VISITS_a_labelled_visit_fulfils_the_visit_it_names():
    record = {"kind": "visit", "date": "2026-03-20", "ref": "visit:3", "label": "M3"}
    advice = run(build(today="2026-03-25", records=[record]))
    assert fulfilled_ref(advice, "visit", "M3") == "visit:3"
    assert item(advice, "visit", "M1")["fulfilled"] is None


# --- Why each item is there (Item.reason), for the family's calendar ---------------------------


def reasons(advice: dict) -> dict[tuple[str, str], tuple]:
    return {
        (i["kind"], i["label"]): (i.get("reason"), i.get("month"), i.get("substance"))
        for i in advice["schedule"]
    }


def test_TDM_STEADY_STATE_FOLLOW_VISITS_each_item_says_why_it_is_there():
    """The reason is a fact of the engine (start, dose change, follow-up of month N…): the
    documents for families word it without reading the labels."""
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-01-30", "mg_per_day": 2.6}]
    found = reasons(run(build(doses=doses)))
    assert found[("trough", "T0 J7")] == ("start", None, None)
    assert found[("trough", "T0 J7 modif.")] == ("dose_change", None, None)
    assert found[("visit", "M3")] == ("follow_up", 3, None)
    assert found[("blood_pressure", "M12")] == ("follow_up", 12, None)
    assert found[("lipids", "M1")] == ("follow_up", 1, None)
    assert found[("cbc", "M18")] == ("follow_up", 18, None)
    assert found[("trough", "T0 M6")] == ("follow_up", 6, None)
    assert all(reason for reason, _, _ in found.values())


def test_TOX_SUSPEND_the_control_and_the_trough_after_the_restart_say_so():
    doses = [
        {"start": "2026-01-05", "mg_per_day": 2.1},
        {"start": "2026-01-20", "mg_per_day": 0},
        {"start": "2026-01-23", "mg_per_day": 1.0},
    ]
    troughs = [trough("2026-01-12", 6.2), trough("2026-01-19", 16.1), trough("2026-01-22", 9.0)]
    found = reasons(run(build(today="2026-02-02", doses=doses, troughs=troughs)))
    assert found[("control", "Contrôle 48 h")] == ("after_stop", None, None)
    assert found[("trough", "T0 J7 modif.")] == ("restart", None, None)


def test_DDI_CYP3A_PGP_the_trough_names_the_drug_started_or_stopped():
    comedication = {"name": "Triflucan", "start": "2026-01-20", "end": "2026-01-30"}
    found = reasons(run(build({"comedications": [comedication]})))
    assert found[("trough", "T0 J7 début fluconazole")] == ("drug_started", None, "fluconazole")
    assert found[("trough", "T0 J7 arrêt fluconazole")] == ("drug_stopped", None, "fluconazole")


def test_PRE_WORKUP_the_work_up_is_before_the_treatment():
    advice = run(not_started())
    work_up = [i for i in advice["schedule"] if i["label"].endswith("pré-thérapeutique")]
    assert work_up and {i["reason"] for i in work_up} == {"pre_treatment"}
