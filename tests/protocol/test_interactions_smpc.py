"""Dated interacting drugs (a trough 7 days after each start or stop on sirolimus), French brand
names, corticosteroids and PCP, and the SmPC reminders."""

import pytest

from protocol import CourseError, parse_course

from .support import build, not_started, rules_of, run


def drug(name: str, start: str | None = None, end: str | None = None) -> dict:
    return {"name": name, "start": start, "end": end}


def interaction_items(advice: dict) -> list[tuple[str, str, list[str]]]:
    return [
        (i["date"], i["label"], i["rules"])
        for i in advice["schedule"]
        if "DDI-CYP3A-PGP" in i["rules"]
    ]


def alerts_of(advice: dict, rule: str) -> list[dict]:
    return [a for a in advice["alerts"] if a["rule"] == rule]


def test_DDI_CYP3A_PGP_starting_and_stopping_on_sirolimus_each_schedule_a_trough_7_days_later():
    advice = run(build({"comedications": [drug("Triflucan", "2026-01-20", "2026-01-30")]}))
    assert interaction_items(advice) == [
        ("2026-01-27", "T0 J7 début fluconazole", ["TDM-STEADY-STATE", "DDI-CYP3A-PGP"]),
        ("2026-02-06", "T0 J7 arrêt fluconazole", ["TDM-STEADY-STATE", "DDI-CYP3A-PGP"]),
    ]
    stopped = alerts_of(advice, "DDI-CYP3A-PGP")
    assert len(stopped) == 1 and "arrêt le 30/01/2026" in stopped[0]["message_fr"]
    assert "baisser" in stopped[0]["message_fr"]  # an inhibitor stopped: levels fall


def test_DDI_CYP3A_PGP_a_planned_stop_schedules_its_trough_ahead():
    advice = run(build({"comedications": [drug("fluconazole", "2026-01-20", "2026-02-10")]}))
    assert [d for d, _, _ in interaction_items(advice)] == ["2026-01-27", "2026-02-17"]
    assert alerts_of(advice, "DDI-CYP3A-PGP")  # still taken today


def test_DDI_CYP3A_PGP_a_drug_taken_before_sirolimus_needs_no_extra_trough():
    advice = run(build({"comedications": [drug("diltiazem", "2025-06-01")]}))
    assert interaction_items(advice) == []
    assert alerts_of(advice, "DDI-CYP3A-PGP")  # still an interaction today


def test_DDI_CYP3A_PGP_a_drug_stopped_long_ago_is_not_taken_and_not_said():
    course = parse_course(build({"comedications": [drug("Néoral", "2024-01-01", "2024-06-01")]}))
    assert course.patient.comedications == ()
    assert course.patient.comedication_history[0].name == "Néoral"
    advice = run(build({"comedications": [drug("Néoral", "2024-01-01", "2024-06-01")]}))
    assert not alerts_of(advice, "DDI-CYP3A-PGP") and "NO-OTHER-IS" not in rules_of(advice)


def test_DDI_CYP3A_PGP_same_day_as_a_dose_change_one_trough_answers_both():
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-01-20", "mg_per_day": 2.6}]
    advice = run(build({"comedications": [drug("Tildiem", "2026-01-20")]}, doses=doses))
    on_27 = [i["label"] for i in advice["schedule"] if i["date"] == "2026-01-27"]
    assert on_27 == ["T0 J7 modif."]


@pytest.mark.parametrize(
    ("brand", "inn"),
    [
        ("Triflucan 50 mg", "fluconazole"),
        ("VFEND", "voriconazole"),
        ("Noxafil", "posaconazole"),
        ("Sporanox", "itraconazole"),
        ("Mono-Tildiem LP", "diltiazem"),
        ("Néoral", "ciclosporin"),
        ("Rifadine", "rifampicin"),
        ("Zeclar", "clarithromycin"),
        ("Tégrétol", "carbamazepine"),
        ("Paxlovid", "ritonavir"),
    ],
)
def test_DDI_CYP3A_PGP_french_brand_names_are_recognised_with_their_inn(brand, inn):
    advice = run(build({"comedications": [brand]}))
    assert any(inn in a["message"] for a in alerts_of(advice, "DDI-CYP3A-PGP"))


@pytest.mark.parametrize("name", ["Vfend", "rifampicine", "Noxafil", "clarithromycine"])
def test_SMPC_STRONG_CYP3A_strong_inhibitors_and_inducers(name):
    advice = run(build({"comedications": [drug(name, "2026-01-20")]}))
    assert "SMPC-STRONG-CYP3A" in rules_of(advice, "warning")
    assert interaction_items(advice)[0][2] == [
        "TDM-STEADY-STATE",
        "DDI-CYP3A-PGP",
        "SMPC-STRONG-CYP3A",
    ]


def test_SMPC_STRONG_CYP3A_not_for_moderate_ones():
    advice = run(build({"comedications": ["fluconazole", "diltiazem"]}))
    assert "SMPC-STRONG-CYP3A" not in rules_of(advice)


def test_PCP_PROPHYLAXIS_a_listed_corticosteroid_without_prolonged_corticosteroids_is_checked():
    advice = run(build({"comedications": ["Cortancyl 5 mg"]}))
    (alert,) = alerts_of(advice, "PCP-PROPHYLAXIS")
    assert alert["severity"] == "warning" and "vérifier" in alert["message_fr"]
    assert "prednisone" in alert["message"]
    stated = run(build({"comedications": ["Cortancyl"], "prolonged_corticosteroids": True}))
    assert "indispensable" in alerts_of(stated, "PCP-PROPHYLAXIS")[0]["message_fr"]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"start": "2026-01-01"}, "patient.comedications[0].name"),
        (drug("fluconazole", "2026-01-20", "2026-01-10"), "patient.comedications[0].end"),
        (drug("fluconazole", "2026-03-01"), "patient.comedications[0].start"),
        (drug("fluconazole", "20/01/2026"), "patient.comedications[0].start"),
        (12, "patient.comedications[0]"),
    ],
)
def test_DDI_CYP3A_PGP_bad_dated_entries_are_rejected_with_their_field(entry, field):
    with pytest.raises(CourseError) as error:
        parse_course(build({"comedications": [entry]}))
    assert field in [p.field for p in error.value.problems]


@pytest.mark.parametrize(
    ("records", "field"),
    [
        ([{"kind": "xray", "date": "2026-01-10"}], "records[0].kind"),
        ([{"kind": "visit"}], "records[0].date"),
        ([{"kind": "visit", "date": "2026-01-10", "ref": 5}], "records[0].ref"),
        ([{"kind": "visit", "date": "2026-01-10", "label": ["M1"]}], "records[0].label"),
    ],
)
def test_FOLLOW_VISITS_bad_records_are_rejected_with_their_field(records, field):
    with pytest.raises(CourseError) as error:
        parse_course(build(records=records))
    assert field in [p.field for p in error.value.problems]


def test_FOLLOW_VISITS_a_bad_trough_ref_is_rejected():
    bad = {"date": "2026-01-12", "value": 6.2, "unit": "ng/ml", "ref": ""}
    with pytest.raises(CourseError) as error:
        parse_course(build(troughs=[bad]))
    assert [p.field for p in error.value.problems] == ["troughs[0].ref"]


# --- SmPC reminders ---------------------------------------------------------------------------


def test_SMPC_ADMIN_and_SMPC_STORAGE_with_the_oral_solution():
    advice = run(build())
    assert {"SMPC-ADMIN", "SMPC-STORAGE"} <= rules_of(advice, "info")
    (admin,) = alerts_of(advice, "SMPC-ADMIN")
    assert "60 ml" in admin["message_fr"] and "pamplemousse" in admin["message_fr"]


def test_SMPC_ADMIN_tablets_swallowed_whole_and_no_storage_note():
    advice = run(build(form="tablets", doses=[{"start": "2026-01-05", "mg_per_day": 2.0}]))
    (admin,) = alerts_of(advice, "SMPC-ADMIN")
    assert "entiers" in admin["message_fr"]
    assert "SMPC-STORAGE" not in rules_of(advice)


def test_SMPC_ADMIN_not_when_nothing_is_given():
    advice = run(not_started({"allergies": ["soja"]}))
    assert not {"SMPC-ADMIN", "SMPC-STORAGE", "SMPC-WOUND"} & rules_of(advice)


@pytest.mark.parametrize(
    ("sex", "birth", "expected"),
    [
        ("F", "2013-06-01", True),  # 12
        ("F", "2014-03-01", False),  # 11
        ("M", "2012-01-01", False),
        (None, "2012-01-01", False),
    ],
)
def test_SMPC_PREGNANCY_adolescent_girls(sex, birth, expected):
    patient = {"birth_date": birth, **({"sex": sex} if sex else {})}
    assert ("SMPC-PREGNANCY" in rules_of(run(build(patient)), "info")) is expected


def test_SMPC_WOUND_on_treatment():
    assert "SMPC-WOUND" in rules_of(run(build()), "info")


def test_SMPC_HEPATIC_only_with_a_recorded_hepatic_impairment():
    assert "SMPC-HEPATIC" in rules_of(run(build({"hepatic_impairment": True})), "info")
    assert "SMPC-HEPATIC" not in rules_of(run(build()))


def test_FOLLOW_VISITS_hand_over_to_the_adult_team_from_16():
    sixteen = run(build({"birth_date": "2010-02-02", "weight_kg": 55, "height_cm": 165}))
    handover = [a for a in alerts_of(sixteen, "FOLLOW-VISITS") if "adulte" in a["message_fr"]]
    assert handover and handover[0]["severity"] == "info"
    fifteen = run(build({"birth_date": "2010-02-03", "weight_kg": 55, "height_cm": 165}))
    assert not [a for a in alerts_of(fifteen, "FOLLOW-VISITS") if "adulte" in a["message_fr"]]


def test_DDI_CYP3A_PGP_a_drug_started_during_a_suspension_adds_no_trough():
    doses = [{"start": "2026-01-05", "mg_per_day": 2.1}, {"start": "2026-01-15", "mg_per_day": 0}]
    advice = run(build({"comedications": [drug("fluconazole", "2026-01-20")]}, doses=doses))
    assert interaction_items(advice) == []
