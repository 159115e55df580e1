"""The patient page, eligibility, the dose proposal and the treatment changes (suspend, stop,
withdraw): what each role sees and may do, and what the engine's advice looks like there."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.demo import Demo
from sirolimus_app.models import AuditEvent, Patient, Prescription
from sirolimus_app.services import prescriptions

Status = Prescription.Status


@pytest.fixture
def demo(haematologist, nurse, pharmacist):
    return Demo(doctor=haematologist, nurse=nurse, pharmacist=pharmacist,
                today=timezone.localdate())


def referral(demo, number="IPP-1", **flags):
    """A child ready to start: weight, height and the pre-treatment work-up on file (a month
    ago, so the treatment may start on any day since)."""
    patient = demo.patient(number, "Dupont", "Alice", age_days=9 * 365, sex="F",
                           diagnosed_days_ago=500, **flags)
    demo.measure(patient, 70, "28.4", "132.0")
    demo.workup(patient, 70, "12")
    return patient


def toxic_at_day_7(demo, number="IPP-T"):
    patient = referral(demo, number)
    demo.start(patient, 7)
    demo.trough(patient, 0, "16")
    return patient


def page(client, user, name, patient, **query):
    client.force_login(user)
    response = client.get(reverse(name, args=[patient.pk]), query)
    return response, response.content.decode()


# --- patient page ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ["haematologist", "nurse", "pharmacist"])
def test_patient_page_is_open_to_each_clinical_role(client, cast, demo, role):
    patient = referral(demo)
    response, html = page(client, cast[role], "patient_detail", patient)
    assert response.status_code == 200
    assert "DUPONT Alice" in html and "IPP-1" in html


def test_patient_page_refuses_a_user_without_role(client, outsider, demo):
    response, _html = page(client, outsider, "patient_detail", referral(demo))
    assert response.status_code == 403


def test_patient_page_sends_anonymous_users_to_login(client, demo):
    response = client.get(reverse("patient_detail", args=[referral(demo).pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_toxic_trough_puts_the_suspension_advice_on_top(client, haematologist, demo):
    patient = toxic_at_day_7(demo)
    _response, html = page(client, haematologist, "patient_detail", patient)
    alert = html[html.index('data-testid="toxic-alert"'):]
    assert html.index('data-testid="toxic-alert"') < html.index('id="treatment-title"')
    assert "alert-danger" in html[:html.index('data-testid="toxic-alert"')][-200:]
    assert "Taux résiduel toxique : suspendre le sirolimus" in alert
    assert "Résiduel à 16 ng/ml le" in alert and "TOX-SUSPEND" in alert
    assert "Suspendre le traitement maintenant" in alert
    assert "J7" in html


def test_nurse_sees_the_toxic_alert_without_the_suspend_button(client, nurse, demo):
    _response, html = page(client, nurse, "patient_detail", toxic_at_day_7(demo))
    assert "Taux résiduel toxique : suspendre le sirolimus" in html
    assert "Suspendre le traitement maintenant" not in html
    assert "Prescrire" not in html


def test_patient_page_shows_troughs_with_interpretation_and_history(client, haematologist,
                                                                      nurse, demo):
    patient = toxic_at_day_7(demo)
    _response, html = page(client, haematologist, "patient_detail", patient)
    troughs = html[html.index('data-testid="troughs"'):]
    assert "&gt; 15 ng/ml : zone toxique" in troughs
    history = html[html.index('data-testid="audit"'):]
    assert "Prescription validée par la pharmacie" in history
    assert "Ajout : taux résiduel" in history and "Julie Bernard" in history
    assert "Claire Martin" in history and "Marc Petit" in history
    _response, html = page(client, haematologist, "patient_history", patient)
    doses = html[html.index('data-testid="dose-history"'):]
    assert "2 mg/j" in doses  # 2.04 mg → 2 mg, the nearest realisable dose (issue 12)
    assert reverse("documents_dose_sheet_pdf", args=[patient.prescriptions.get().pk]) in doses


def test_patient_page_offers_the_increase_one_click_away(client, haematologist, demo):
    patient = referral(demo)
    demo.start(patient, 25)
    demo.trough(patient, 4, "3.1")
    demo.platelets(patient, 10, "13")
    demo.platelets(patient, 1, "14")
    _response, html = page(client, haematologist, "patient_detail", patient)
    options = html[html.index('data-testid="options"'):]
    assert "DOSE-INCREASE" in options
    assert 'name="action" value="increase"' in options
    assert "Prescrire : Augmentation, 2,5 mg/j" in options
    assert "Pas de réponse" in html


def test_patient_page_explains_missing_weight_with_a_link(client, haematologist, demo):
    patient = demo.patient("IPP-9", "Sans", "Mesure", age_days=9 * 365, sex="M",
                           diagnosed_days_ago=500)
    response, html = page(client, haematologist, "patient_detail", patient)
    assert response.status_code == 200
    problems = html[html.index('data-testid="engine-problems"'):]
    assert "Poids" in problems and "obligatoire" in problems
    assert reverse("measurement_add", args=[patient.pk]) in problems


def test_patient_page_shows_a_pending_proposal_and_a_refusal(client, haematologist,
                                                           pharmacist, demo):
    patient = referral(demo)
    proposed = demo.propose(patient)
    _response, html = page(client, haematologist, "patient_detail", patient)
    assert "Prescription en attente de validation pharmaceutique" in html
    assert "Retirer la proposition" in html
    prescriptions.reject(pharmacist, proposed.pk, proposed.version, "Poids trop ancien.")
    _response, html = page(client, haematologist, "patient_detail", patient)
    refusal = html[html.index('data-testid="rejected-prescription"'):]
    assert "refusée par Marc Petit" in refusal and "Poids trop ancien." in refusal


def _page_queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("patient_detail", args=[patient.pk]))
        assert response.status_code == 200
    return len(queries)


def test_patient_page_query_count_does_not_grow_with_records(client, haematologist, demo):
    client.force_login(haematologist)
    patient = referral(demo)
    demo.start(patient, 60)
    demo.trough(patient, 53, "6")
    few = _page_queries(client, patient)
    for days_ago in range(50, 2, -4):
        demo.trough(patient, days_ago, "6.5")
        demo.platelets(patient, days_ago, "120")
        demo.lipids(patient, days_ago)
    demo.measure(patient, 1, "29", "133")
    demo.visit(patient, "M1", 30)
    assert _page_queries(client, patient) == few


# --- eligibility ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["haematologist", "nurse", "pharmacist"])
def test_eligibility_is_open_to_each_clinical_role(client, cast, demo, role):
    response, html = page(client, cast[role], "patient_eligibility", referral(demo))
    assert response.status_code == 200 and "Éligibilité au sirolimus" in html


def test_eligibility_refuses_outsiders_and_anonymous(client, outsider, demo):
    patient = referral(demo)
    assert client.get(reverse("patient_eligibility", args=[patient.pk])).status_code == 302
    response, _html = page(client, outsider, "patient_eligibility", patient)
    assert response.status_code == 403


def test_soy_allergy_is_blocking_by_rule_id(client, haematologist, demo):
    patient = referral(demo, allergies="Soja")
    _response, html = page(client, haematologist, "patient_eligibility", patient)
    assert "Non éligible" in html
    row = html[html.index(">CI-SOY-PEANUT<"):]
    row = row[:row.index("</tr>")]
    assert "Bloquant" in row and "soja" in row
    assert reverse("patient_edit", args=[patient.pk]) in row


def test_missing_work_up_is_listed_with_the_forms_that_fix_it(client, haematologist, demo):
    patient = demo.patient("IPP-2", "Sans", "Bilan", age_days=9 * 365, sex="F",
                           diagnosed_days_ago=500)
    demo.measure(patient, 3, "28.4", "132.0")
    _response, html = page(client, haematologist, "patient_eligibility", patient)
    checks = html[html.index('data-testid="eligibility-checks"'):]
    assert checks.count("À compléter") == 3
    assert reverse("lab_add", args=[patient.pk]) + "?kind=platelets" in checks
    assert reverse("lab_add", args=[patient.pk]) + "?kind=cholesterol" in checks
    assert reverse("visit_add", args=[patient.pk]) + "?label=PRE" in checks


def test_eligible_child_is_sent_to_the_proposal(client, haematologist, demo):
    patient = referral(demo)
    _response, html = page(client, haematologist, "patient_eligibility", patient)
    verdict = html[html.index('data-testid="eligibility-verdict"'):]
    assert "Aucune règle bloquante" in verdict
    assert reverse("patient_proposal", args=[patient.pk]) in verdict


def test_eligibility_without_weight_shows_the_problem_not_an_error(client, haematologist,
                                                                   demo):
    patient = demo.patient("IPP-3", "Sans", "Poids", age_days=9 * 365, sex="F",
                           diagnosed_days_ago=500)
    response, html = page(client, haematologist, "patient_eligibility", patient)
    assert response.status_code == 200 and "Saisir poids et taille" in html


# --- proposal -------------------------------------------------------------------------

def test_proposal_page_shows_the_working_and_the_dose_as_given(client, haematologist, demo):
    _response, html = page(client, haematologist, "patient_proposal", referral(demo))
    card = html[html.index('data-testid="proposal"'):]
    for text in ("28,4 kg", "132 cm", "Mosteller", "1,0205 m²", "2 mg/m²/j × 1,0205 m²",
                 "2,041 mg", "2,041 mg → 2 mg", "non atteint", "1,96 mg/m²/j",
                 "soit 2 ml de solution buvable à 1 mg/ml", "DOSE-START"):
        assert text in card, text


def test_proposal_page_on_tablets_says_which_tablets(client, haematologist, demo):
    patient = demo.patient("IPP-7", "Faure", "Manon", age_days=15 * 365, sex="F",
                           diagnosed_days_ago=900, form=Patient.Form.TABLETS)
    demo.measure(patient, 3, "50", "160")
    demo.workup(patient, 3, "20")
    _response, html = page(client, haematologist, "patient_proposal", patient)
    assert "soit 1 comprimé à 2 mg + 1 comprimé à 1 mg" in html


@pytest.mark.parametrize("role", ["nurse", "pharmacist"])
def test_proposal_page_is_read_only_for_other_roles(client, cast, demo, role):
    patient = referral(demo)
    response, html = page(client, cast[role], "patient_proposal", patient)
    assert response.status_code == 200 and "Prescrire" not in html
    response = client.post(reverse("patient_proposal", args=[patient.pk]),
                           {"choice": 0, "action": "start", "mg_per_day": "2.1"})
    assert response.status_code == 403
    assert not Prescription.objects.exists()


def test_proposal_refuses_outsiders_and_anonymous(client, outsider, demo):
    patient = referral(demo)
    data = {"choice": 0, "action": "start", "mg_per_day": "2.1"}
    assert client.post(reverse("patient_proposal", args=[patient.pk]), data).status_code == 302
    client.force_login(outsider)
    assert client.post(reverse("patient_proposal", args=[patient.pk]), data).status_code == 403
    assert not Prescription.objects.exists()


def test_prescribing_records_a_proposed_prescription(client, haematologist, demo):
    patient = referral(demo)
    client.force_login(haematologist)
    response = client.post(reverse("patient_proposal", args=[patient.pk]),
                           {"choice": 0, "action": "start", "mg_per_day": "2.0",
                            "reason": "Parents informés."})
    assert response.status_code == 302
    prescription = Prescription.objects.get(patient=patient)
    assert prescription.status == Status.PROPOSED
    assert prescription.mg_per_day == Decimal("2.0") and prescription.volume_ml == Decimal("2.0")
    assert prescription.proposed_by == haematologist and prescription.reason == "Parents informés."
    assert AuditEvent.objects.filter(action="prescription.propose", patient=patient).exists()


def test_a_proposal_that_changed_since_the_page_is_refused(client, haematologist, demo):
    patient = referral(demo)
    client.force_login(haematologist)
    response = client.post(reverse("patient_proposal", args=[patient.pk]),
                           {"choice": 0, "action": "start", "mg_per_day": "2.5"})
    assert response.status_code == 200
    assert "La proposition a changé" in response.content.decode()
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("data", [{"choice": 5, "action": "start", "mg_per_day": "2.1"},
                                  {"choice": -1, "action": "start", "mg_per_day": "2.1"},
                                  {"choice": "x"}])
def test_a_bad_choice_saves_nothing(client, haematologist, demo, data):
    patient = referral(demo)
    client.force_login(haematologist)
    response = client.post(reverse("patient_proposal", args=[patient.pk]), data)
    assert response.status_code == 200
    assert 'data-testid="proposal-error"' in response.content.decode()
    assert not Prescription.objects.exists()


def test_an_ineligible_child_cannot_be_prescribed(client, haematologist, demo):
    patient = referral(demo, allergies="arachide")
    client.force_login(haematologist)
    html = client.get(reverse("patient_proposal", args=[patient.pk])).content.decode()
    assert "Non éligible : aucune dose n'est proposée." in html and "Prescrire" not in html
    response = client.post(reverse("patient_proposal", args=[patient.pk]),
                           {"choice": 0, "action": "none", "mg_per_day": "0"})
    assert 'data-testid="proposal-error"' in response.content.decode()
    assert not Prescription.objects.exists()


def test_a_second_proposal_waits_for_the_first(client, haematologist, demo):
    patient = referral(demo)
    demo.propose(patient)
    client.force_login(haematologist)
    response = client.post(reverse("patient_proposal", args=[patient.pk]),
                           {"choice": 0, "action": "start", "mg_per_day": "2.1"})
    assert "attend déjà la validation" in response.content.decode()
    assert Prescription.objects.count() == 1


def test_proposal_page_without_data_lists_the_problems(client, haematologist, demo):
    patient = demo.patient("IPP-4", "Sans", "Taille", age_days=9 * 365, sex="F",
                           diagnosed_days_ago=500)
    response, html = page(client, haematologist, "patient_proposal", patient)
    assert response.status_code == 200 and "Saisir poids et taille" in html


# --- suspend, stop, withdraw ----------------------------------------------------------

def test_suspend_form_is_prefilled_from_the_toxic_trough(client, haematologist, demo):
    patient = toxic_at_day_7(demo)
    _response, html = page(client, haematologist, "patient_suspend", patient)
    assert "Taux résiduel toxique : 16 ng/ml le" in html


def test_haematologist_suspends_from_the_alert(client, haematologist, demo):
    patient = toxic_at_day_7(demo)
    client.force_login(haematologist)
    response = client.post(reverse("patient_suspend", args=[patient.pk]), {
        "on_date": timezone.localdate().isoformat(),
        "reason": "Taux résiduel > 15 ng/ml (TOX-SUSPEND)"})
    assert response.status_code == 302
    current = Prescription.objects.get(patient=patient, status=Status.SUSPENDED)
    assert current.suspended_on == timezone.localdate()
    html = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Suspendue" in html and "Taux résiduel toxique : suspendre" not in html
    assert "Contrôle du taux résiduel à 48 h" in html


@pytest.mark.parametrize("role", ["nurse", "pharmacist", "outsider"])
def test_suspend_and_stop_are_refused_to_other_roles(client, cast, demo, role):
    patient = toxic_at_day_7(demo)
    client.force_login(cast[role])
    data = {"on_date": timezone.localdate().isoformat(), "reason": "x"}
    assert client.post(reverse("patient_suspend", args=[patient.pk]), data).status_code == 403
    assert client.post(reverse("patient_stop", args=[patient.pk]), data).status_code == 403
    assert Prescription.objects.get(patient=patient).status == Status.ACTIVE


def test_suspend_with_bad_input_changes_nothing(client, haematologist, demo):
    patient = toxic_at_day_7(demo)
    client.force_login(haematologist)
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    before_start = (timezone.localdate() - timezone.timedelta(days=30)).isoformat()
    for data, message in (({"on_date": tomorrow, "reason": "x"}, "dans le futur"),
                          ({"on_date": before_start, "reason": "x"}, "précède le début"),
                          ({"on_date": timezone.localdate().isoformat(), "reason": ""},
                           "Ce champ est obligatoire.")):
        response = client.post(reverse("patient_suspend", args=[patient.pk]), data)
        assert response.status_code == 200 and message in response.content.decode()
    assert Prescription.objects.get(patient=patient).status == Status.ACTIVE


def test_stop_ends_the_treatment(client, haematologist, demo):
    patient = toxic_at_day_7(demo)
    client.force_login(haematologist)
    response = client.post(reverse("patient_stop", args=[patient.pk]), {
        "on_date": timezone.localdate().isoformat(), "reason": "Aphtes invalidants."})
    assert response.status_code == 302
    stopped = Prescription.objects.get(patient=patient)
    assert stopped.status == Status.STOPPED and "Aphtes invalidants." in stopped.reason


def test_suspend_page_without_a_current_prescription_says_so(client, haematologist, demo):
    _response, html = page(client, haematologist, "patient_suspend", referral(demo))
    assert "pas de prescription en cours" in html


def test_prescriber_withdraws_a_pending_proposal(client, haematologist, haematologist2, demo):
    patient = referral(demo)
    proposed = demo.propose(patient)
    url = reverse("prescription_withdraw", args=[patient.pk, proposed.pk])
    client.force_login(haematologist2)
    assert client.post(url, {"version": proposed.version}).status_code == 403
    client.force_login(haematologist)
    assert client.get(url).status_code == 405
    assert client.post(url, {"version": proposed.version}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Status.REJECTED


def test_english_interface_shows_the_engine_in_english(client, haematologist, demo):
    patient = toxic_at_day_7(demo)
    client.force_login(haematologist)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert '<html lang="en">' in html
    assert "Trough 16 ng/ml on" in html and "is above 15 ng/ml" in html


def test_patient_page_on_tablets_says_which_tablets(client, haematologist, demo):
    patient = demo.patient("IPP-7", "Faure", "Manon", age_days=15 * 365, sex="F",
                           diagnosed_days_ago=900, form=Patient.Form.TABLETS)
    demo.measure(patient, 40, "50", "160")
    demo.workup(patient, 40, "20")
    demo.start(patient, 30)
    _response, html = page(client, haematologist, "patient_detail", patient)
    assert "soit 1 comprimé à 2 mg + 1 comprimé à 1 mg" in html


def test_an_engine_failure_is_reported_on_the_page_not_as_a_server_error(
        client, haematologist, demo, monkeypatch, caplog):
    patient = toxic_at_day_7(demo)

    def broken(patient, today=None):
        raise ZeroDivisionError("engine bug")

    monkeypatch.setattr("sirolimus_app.services.patients.advise_patient", broken)
    for name in ("patient_detail", "patient_eligibility", "patient_proposal", "patient_suspend"):
        response, html = page(client, haematologist, name, patient)
        assert response.status_code == 200, name
    _response, html = page(client, haematologist, "patient_detail", patient)
    assert "Le moteur de protocole n'a pas pu calculer" in html
    assert "DUPONT Alice" in html and "Prescrire" not in html
    assert "Protocol engine failed" in caplog.text


def test_after_a_normal_control_the_half_dose_restart_is_one_click_away(client, haematologist,
                                                                        demo):
    patient = referral(demo)
    demo.start(patient, 10)
    demo.trough(patient, 3, "16")
    prescriptions.suspend(haematologist, patient.pk, "TOX-SUSPEND",
                          on_date=demo.day(3))
    demo.trough(patient, 0, "8")
    _response, html = page(client, haematologist, "patient_detail", patient)
    options = html[html.index('data-testid="options"'):]
    assert "Prescrire : Reprise, 1 mg/j" in options  # half of 2.1 mg, rounded down
    response = client.post(reverse("patient_proposal", args=[patient.pk]),
                           {"choice": 0, "action": "resume", "mg_per_day": "1"})
    assert response.status_code == 302
    resumed = Prescription.objects.get(patient=patient, status=Status.PROPOSED)
    assert resumed.action == "resume" and resumed.mg_per_day == Decimal("1")
    assert resumed.replaces.status == Status.SUSPENDED
