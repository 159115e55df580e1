"""Fields the app reads instead of rule IDs or sentences: pending suspension, the date RESP-DELAY
applies from, the critical alerts, and the course paths an eligibility check lacks."""

from datetime import date, timedelta

from protocol import advise, parse_course

from .support import build, count, not_started, run, trough

START = date(2026, 1, 5)


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def test_pending_suspension_is_the_toxic_trough_not_yet_followed_by_a_suspension():
    advice = advise(parse_course(build(today=day(8), troughs=[trough(day(7), 16)])))
    assert advice.pending_suspension is not None
    assert advice.pending_suspension.date == START + timedelta(days=7)
    assert (
        run(build(today=day(8), troughs=[trough(day(7), 16)]))["pending_suspension"]["value_ng_ml"]
        == 16
    )


def test_no_pending_suspension_once_suspended_or_below_15():
    doses = [{"start": day(0), "mg_per_day": 2.1}, {"start": day(7), "mg_per_day": 0}]
    suspended = build(today=day(8), doses=doses, troughs=[trough(day(7), 16)])
    assert run(suspended)["pending_suspension"] is None
    assert run(build(today=day(8), troughs=[trough(day(7), 15)]))["pending_suspension"] is None


def test_critical_alerts_are_those_of_severity_critical():
    advice = advise(parse_course(build(today=day(8), troughs=[trough(day(7), 16)])))
    assert advice.critical_alerts
    assert {a.severity for a in advice.critical_alerts} == {"critical"}
    assert "TOX-SUSPEND" in {a.rule for a in advice.critical_alerts}
    calm = advise(parse_course(build(today=day(8))))
    assert calm.critical_alerts == ()


def test_no_response_from_three_months_after_an_adequate_dose_for_a_non_responder():
    course = build(
        today=day(40),
        troughs=[trough(day(7), 6.2)],
        platelets=[count(day(-1), 12), count(day(28), 15), count(day(38), 14)],
    )
    assert run(course)["no_response_from"] == "2026-04-05"


def test_no_response_from_is_none_for_a_responder_and_before_the_start():
    course = build(
        today=day(40),
        platelets=[count(day(-1), 12), count(day(28), 150), count(day(38), 160)],
    )
    assert run(course)["no_response_from"] is None
    assert run(not_started(patient={"workup_updated": True}))["no_response_from"] is None


def test_eligibility_checks_name_the_missing_course_fields():
    advice = run(not_started(patient={"severity_signs": None, "comedications": ["Néoral"]}))
    missing = {p for c in advice["eligibility"] for p in c["missing"]}
    assert {
        "workup.cbc",
        "workup.lipids",
        "workup.blood_pressure",
        "patient.severity_signs",
        "patient.workup_updated",
        "patient.comedications",
    } <= missing
    ok = [c for c in advice["eligibility"] if c["status"] == "ok"]
    assert all(c["missing"] == [] for c in ok)


def test_eligibility_missing_phase_and_allergies():
    advice = run(not_started(patient={"itp_phase": None, "allergies": ["soja"]}))
    missing = {p for c in advice["eligibility"] for p in c["missing"]}
    assert {"patient.diagnosis_date", "patient.allergies"} <= missing


def test_the_stop_for_no_response_is_named_and_is_among_the_critical_alerts():
    counts = [count(day(-1), 12), count(day(28), 15), count(day(38), 14), count(day(88), 13),
              count(day(93), 12)]
    before = advise(parse_course(build(today=day(60), troughs=[trough(day(7), 6.2)],
                                       platelets=counts[:3])))
    assert before.no_response_stop is None
    advice = advise(parse_course(build(today=day(95), troughs=[trough(day(7), 6.2)],
                                       platelets=counts)))
    assert advice.dose.action == "stop"
    assert advice.no_response_stop is not None
    assert advice.no_response_stop in advice.critical_alerts
    assert advice.no_response_stop.rule == "RESP-DELAY"


def test_gravest_alerts_are_those_of_the_first_severity_given():
    toxic = advise(parse_course(build(today=day(8), troughs=[trough(day(7), 16)])))
    assert toxic.gravest_alerts == toxic.critical_alerts
    calm = advise(parse_course(build(today=day(8))))
    assert calm.alerts and not calm.critical_alerts
    rank = ("critical", "warning", "info")
    worst = min(rank.index(a.severity) for a in calm.alerts)
    assert calm.gravest_alerts == tuple(a for a in calm.alerts
                                        if rank.index(a.severity) == worst)


def test_without_the_calendar_the_dose_options_and_alerts_are_the_same():
    """The pharmacist's worklist checks proposals with `with_calendar=False`: nothing it
    shows or refuses may differ from the full advice (each step of the reference cases)."""
    import json
    from pathlib import Path

    from .test_cases import steps
    cases = sorted((Path(__file__).parent / "cases").glob("*.json"))
    compared = 0
    for path in cases:
        for raw, _expect in steps(json.loads(path.read_text(encoding="utf-8"))):
            course = parse_course(raw)
            full, lean = advise(course), advise(course, with_calendar=False)
            assert (lean.dose, lean.options, lean.alerts, lean.troughs, lean.response,
                    lean.eligibility, lean.pending_suspension, lean.no_response_from) == (
                full.dose, full.options, full.alerts, full.troughs, full.response,
                full.eligibility, full.pending_suspension, full.no_response_from), path.stem
            assert lean.schedule == () and lean.next == ()
            compared += 1
    assert compared >= len(cases)
