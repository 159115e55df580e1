"""Eligibility before the start and the contraindications that hold at any time."""

import pytest

from .support import build, not_started, rules_of, run


def test_ELIG_INDICATION_chronic_itp_with_severity_signs_starts():
    advice = run(not_started())
    assert advice["eligible"] is True
    assert advice["dose"]["action"] == "start"


def test_ELIG_INDICATION_newly_diagnosed_is_not_eligible():
    advice = run(not_started({"itp_phase": "newly_diagnosed"}))
    assert advice["eligible"] is False
    assert advice["dose"]["action"] == "none" and advice["dose"]["mg_per_day"] == 0
    assert "ELIG-INDICATION" in advice["dose"]["rules"]
    assert "ELIG-INDICATION" in rules_of(advice, "critical")
    assert advice["schedule"] == [] and advice["next"] == []


@pytest.mark.parametrize(
    ("diagnosis", "phase", "eligible"),
    [
        ("2025-11-03", "newly_diagnosed", False),  # 2 months 30 days before today
        ("2025-11-02", "persistent", True),  # exactly 3 months
        ("2025-02-02", "persistent", True),  # exactly 12 months
        ("2025-02-01", "chronic", True),
    ],
)
def test_ELIG_INDICATION_phase_derived_from_the_diagnosis_date(diagnosis, phase, eligible):
    data = not_started({"diagnosis_date": diagnosis})
    del data["patient"]["itp_phase"]
    advice = run(data)
    assert advice["itp_phase"] == phase
    assert advice["eligible"] is eligible


def test_ELIG_INDICATION_no_severity_sign_blocks_unknown_warns():
    assert run(not_started({"severity_signs": False}))["eligible"] is False
    advice = run(not_started({"severity_signs": None}))
    assert advice["eligible"] is True and "ELIG-INDICATION" in rules_of(advice, "warning")


def test_ELIG_INDICATION_work_up_not_updated_blocks():
    advice = run(not_started({"workup_updated": False}))
    assert advice["eligible"] is False
    statuses = {(c["rule"], c["status"]) for c in advice["eligibility"]}
    assert ("ELIG-INDICATION", "blocking") in statuses


def test_ELIG_INDICATION_is_informative_once_started():
    advice = run(build({"itp_phase": "newly_diagnosed"}))
    assert advice["eligible"] is True and advice["dose"]["action"] == "continue"


def test_ELIG_GOOD_CANDIDATE_is_informative_only():
    advice = run(not_started({"evans": True}))
    check = next(c for c in advice["eligibility"] if c["rule"] == "ELIG-GOOD-CANDIDATE")
    assert check["status"] == "info" and "Evans" in check["message_en"]
    assert advice["eligible"] is True
    assert run(not_started())["eligible"] is True


@pytest.mark.parametrize(
    "patient",
    [
        {"sirolimus_hypersensitivity": True},
        {"allergies": ["Rapamune"]},
        {"allergies": ["SIROLIMUS (urticaire)"]},
    ],
)
def test_CI_HYPERSENSITIVITY_blocks(patient):
    advice = run(not_started(patient))
    assert advice["eligible"] is False and advice["dose"]["action"] == "none"
    assert "CI-HYPERSENSITIVITY" in rules_of(advice, "critical")


@pytest.mark.parametrize(
    "word",
    [
        "soja",
        "Soy",
        "SOYA",
        "lécithine de soja",
        "Lecithine De Soja",
        "arachide",
        "cacahuète",
        "cacahuete",
        "Peanut",
        "peanuts",
        "groundnut",
        "huile d'arachide",
        "huile d’arachide",
    ],
)
def test_CI_SOY_PEANUT_allergy_words_block(word):
    advice = run(not_started({"allergies": ["pénicilline", word]}))
    assert advice["eligible"] is False
    assert advice["dose"] == {**advice["dose"], "action": "none", "mg_per_day": 0.0}
    assert "CI-SOY-PEANUT" in rules_of(advice, "critical")


def test_CI_SOY_PEANUT_other_allergies_do_not_block():
    assert run(not_started({"allergies": ["pénicilline", "noix de cajou"]}))["eligible"] is True


@pytest.mark.parametrize(
    "drug",
    [
        "azathioprine",
        "Mycophenolate mofetil",
        "acide mycophénolique",
        "MMF",
        "Ciclosporine",
        "cyclosporine",
        "TACROLIMUS",
        "évérolimus",
        "AZA",
    ],
)
def test_NO_OTHER_IS_blocks_before_and_during_treatment(drug):
    for data in (not_started({"comedications": [drug]}), build({"comedications": [drug]})):
        advice = run(data)
        assert advice["eligible"] is False and advice["dose"]["mg_per_day"] == 0
        assert "NO-OTHER-IS" in rules_of(advice, "critical")


def test_NO_OTHER_IS_corticosteroids_are_not_another_immunosuppressant_here():
    advice = run(not_started({"comedications": ["prednisone"], "prolonged_corticosteroids": True}))
    assert advice["eligible"] is True


def test_PRE_WORKUP_missing_items_are_shown_then_done():
    advice = run(not_started())
    missing = [c for c in advice["eligibility"] if c["rule"] == "PRE-WORKUP"]
    assert {c["status"] for c in missing} == {"missing"} and len(missing) == 3
    assert {i["kind"] for i in advice["schedule"] if "PRE-WORKUP" in i["rules"]} == {
        "cbc",
        "lipids",
        "blood_pressure",
    }
    done = run(
        not_started(
            workup={"cbc": "2026-01-20", "lipids": "2026-01-20", "blood_pressure": "2026-01-27"}
        )
    )
    assert {c["status"] for c in done["eligibility"] if c["rule"] == "PRE-WORKUP"} == {"ok"}
    assert not any("PRE-WORKUP" in i["rules"] for i in done["schedule"])


def test_REG_OFF_LABEL_always_said():
    for data in (not_started(), build(), not_started({"allergies": ["soja"]})):
        assert "REG-OFF-LABEL" in rules_of(run(data), "info")


@pytest.mark.parametrize(
    ("drug", "effect", "source"),
    [
        ("Fluconazole", "raises", "SmPC"),
        ("rifampicine", "lowers", "CEREVANCE"),
        ("Rifampicin", "lowers", "CEREVANCE"),
        ("diltiazem", "raises", "CEREVANCE"),
        ("voriconazole", "raises", "SmPC"),
        ("clarithromycine", "raises", "SmPC"),
        ("jus de pamplemousse", "raises", "SmPC"),
        ("Millepertuis", "lowers", "SmPC"),
        ("phénytoïne", "lowers", "SmPC"),
        ("St John's wort", "lowers", "SmPC"),
    ],
)
def test_DDI_CYP3A_PGP_interactions_warn_with_source(drug, effect, source):
    advice = run(build({"comedications": [drug]}))
    alert = next(a for a in advice["alerts"] if a["rule"] == "DDI-CYP3A-PGP")
    assert alert["severity"] == "warning"
    assert effect in alert["message"] and source in alert["message"]
    assert "7 days" in alert["message"] and "7 jours" in alert["message_fr"]
    assert advice["eligible"] is True


def test_DDI_CYP3A_PGP_ciclosporin_is_both_forbidden_and_an_interaction():
    advice = run(build({"comedications": ["ciclosporine"]}))
    assert {"NO-OTHER-IS", "DDI-CYP3A-PGP"} <= rules_of(advice)


def test_DDI_CYP3A_PGP_unrelated_drug_is_silent():
    assert "DDI-CYP3A-PGP" not in rules_of(run(build({"comedications": ["paracétamol"]})))
