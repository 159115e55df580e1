"""The haematologist's journey in Chromium: from a new referral to a running treatment, then a
toxic D7 trough acted upon — everything through the pages, except the pharmacist's
validation (another person's screen) and the week that passes between start and D7."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from sirolimus_app.models import Patient, Prescription
from sirolimus_app.services import prescriptions

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def save(page, expected_text: str) -> None:
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text(expected_text).first.wait_for()


def test_from_referral_to_a_suspension_for_toxicity(page, settings, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    settings.DEBUG = True
    call_command("load_demo")
    settings.DEBUG = False
    today = timezone.localdate()
    login(page, "hematologue", "demo")

    # A new patient.
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Nouveau patient").click()
    page.fill("#id_hospital_number", "IPP-JOURNEY")
    page.fill("#id_last_name", "Lambert")
    page.fill("#id_first_name", "Zoé")
    page.fill("#id_birth_date", (today - timedelta(days=8 * 365)).isoformat())
    page.select_option("#id_sex", "F")
    page.fill("#id_diagnosis_date", (today - timedelta(days=420)).isoformat())
    page.select_option("#id_itp_phase", "chronic")
    page.check("#id_severity_signs")
    page.check("#id_workup_updated")
    page.select_option("#id_vzv_immune", "true")
    save(page, "Dossier créé")
    assert page.get_by_test_id("patient-name").inner_text() == "LAMBERT Zoé"

    # The engine cannot compute without weight and height: it says so, with the form to use.
    problems = page.get_by_test_id("engine-problems")
    assert "Poids" in problems.inner_text()
    problems.get_by_role("link", name="Saisir poids et taille").first.click()
    page.fill("#id_weight_kg", "26.5")
    page.fill("#id_height_cm", "128")
    save(page, "Mesure enregistrée")

    # The pre-treatment work-up: CBC, lipids, blood pressure.
    page.get_by_role("link", name="Plaquettes / NFS").click()
    page.fill("#id_value", "14")
    save(page, "Résultat enregistré")
    page.get_by_role("link", name="Bilan lipidique").click()
    page.fill("#id_value", "4.2")
    save(page, "Résultat enregistré")
    page.get_by_role("link", name="Visite", exact=True).click()
    page.select_option("#id_label", "PRE")
    page.fill("#id_done_date", today.isoformat())
    page.fill("#id_systolic_bp", "104")
    page.fill("#id_diastolic_bp", "63")
    save(page, "Visite PRE enregistrée")

    # Eligibility, then the proposal with its working.
    page.get_by_role("link", name="Éligibilité").click()
    verdict = page.get_by_test_id("eligibility-verdict")
    assert "Aucune règle bloquante" in verdict.inner_text()
    assert "À compléter" not in page.get_by_test_id("eligibility-checks").inner_text()
    verdict.get_by_role("link", name="Voir la proposition de dose").click()
    proposal = page.get_by_test_id("proposal").first
    text = proposal.inner_text()
    for expected in ("26,5 kg", "128 cm", "Mosteller", "0,9707 m²", "1,9414 mg",
                     "1,9414 mg → 1,9 mg", "soit 1,9 ml de solution buvable à 1 mg/ml"):
        assert expected in text, expected
    shot(page, shots, "proposal")
    proposal.get_by_role("button", name="Prescrire : Début du traitement, 1,9 mg/j").click()
    pending = page.get_by_test_id("pending-prescription")
    assert "en attente de validation pharmaceutique" in pending.inner_text()

    # The pharmacist validates (their own screen); a week passes.
    patient = Patient.objects.get(hospital_number="IPP-JOURNEY")
    proposed = Prescription.objects.get(patient=patient)
    assert proposed.mg_per_day == Decimal("1.9") and proposed.status == Prescription.Status.PROPOSED
    prescriptions.validate(User.objects.get(username="pharmacien"), proposed.pk,
                           proposed.version)
    Prescription.objects.filter(pk=proposed.pk).update(start_date=today - timedelta(days=7))

    # The D7 trough comes back at 16 ng/ml.
    page.reload()
    assert "En cours" in page.get_by_test_id("current-status").inner_text()
    page.get_by_role("link", name="Taux résiduel", exact=True).click()
    page.fill("#id_value", "16")
    page.select_option("#id_unit", "ng/ml")
    save(page, "Taux résiduel enregistré")
    alert = page.get_by_test_id("toxic-alert")
    assert alert.is_visible()
    assert "Résiduel à 16 ng/ml" in alert.inner_text() and "TOX-SUSPEND" in alert.inner_text()
    assert "J7" in page.get_by_role("region", name="Traitement", exact=True).inner_text()
    shot(page, shots, "patient_toxic")

    # Acting on it: one click (and the confirmation).
    alert.get_by_role("button", name="Suspendre le traitement maintenant").click()
    page.get_by_text("Traitement suspendu le").wait_for()
    assert page.get_by_test_id("toxic-alert").count() == 0
    assert "Suspendue" in page.get_by_test_id("current-status").inner_text()
    assert "Contrôle du taux résiduel à 48 h" in page.get_by_test_id("due-next").inner_text()
    assert "Traitement suspendu" in page.get_by_test_id("audit").inner_text()
    shot(page, shots, "patient_suspended")
    assert Prescription.objects.get(pk=proposed.pk).status == Prescription.Status.SUSPENDED
    assert page.console_errors == []
