"""Issue 14: mycophenolate is added after a proposal; the pharmacist sees the blocking alert
and cannot validate; the other drug is struck out; a new weight then makes the dose stale:
the pharmacist sees old → new, the haematologist re-proposes in one click, and the pharmacist
validates the engine's current dose."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import BodyMeasurement, CoMedication, Prescription
from sirolimus_app.services import records
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import eligible_patient, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_forbidden_drug_then_a_new_weight_block_validation_until_re_proposed(
        page, haematologist, pharmacist):
    patient = eligible_patient(haematologist, "IPP-600")
    first = proposal(haematologist, patient, reason="Début du traitement")
    drug = records.add_comedication(haematologist, CoMedication(
        patient=patient, name="mycophénolate mofétil", start_date=timezone.localdate()))

    login(page, pharmacist.username, PASSWORD)
    page.get_by_role("link", name="Validations").click()
    card = page.get_by_test_id(f"proposal-{first.pk}")
    forbidden = card.get_by_test_id("forbidden-now")
    assert "NO-OTHER-IS" in forbidden.inner_text()
    assert "autre immunosuppresseur" in forbidden.inner_text()
    card.get_by_role("button", name="Valider").click()
    assert page.get_by_role("alert").filter(has_text="Le protocole l'interdit").first \
        .is_visible()
    assert Prescription.objects.get(pk=first.pk).status == Prescription.Status.PROPOSED

    # The haematologist strikes the drug out (entered on the wrong child) and weighs again.
    records.void_record(haematologist, drug, "Saisie sur le mauvais dossier")
    records.add_measurement(haematologist, BodyMeasurement(
        patient=patient, measured_on=timezone.localdate(), weight_kg=Decimal("39"),
        height_cm=Decimal("130")))
    page.reload()
    card = page.get_by_test_id(f"proposal-{first.pk}")
    assert card.get_by_test_id("forbidden-now").count() == 0
    assert "30 kg → 39 kg" in card.get_by_test_id("changed-weight_kg").inner_text()
    card.get_by_role("button", name="Valider").click()
    assert page.get_by_role("alert").filter(has_text="Re-proposer").first.is_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, haematologist.username, PASSWORD)
    page.goto(reverse("patient_detail", args=[patient.pk]))
    page.get_by_test_id("repropose").click()
    assert page.get_by_text("Proposition retirée et remplacée").is_visible()
    fresh = Prescription.objects.get(patient=patient, status=Prescription.Status.PROPOSED)
    assert fresh.weight_kg == Decimal("39")

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, pharmacist.username, PASSWORD)
    page.get_by_role("link", name="Validations").click()
    card = page.get_by_test_id(f"proposal-{fresh.pk}")
    assert card.get_by_test_id("changed-now").count() == 0
    card.get_by_role("button", name="Valider").click()
    assert page.get_by_role("alert").filter(has_text="Prescription validée").is_visible()
    assert Prescription.objects.get(pk=fresh.pk).status == Prescription.Status.ACTIVE
    assert page.console_errors == []
