"""A trough arrives from the laboratory for a hospital number the application does not know
(the laboratory typed it wrong); the haematologist finds it in the morning and attaches it to
the right child, whose page then shows it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sirolimus_app.interop import hl7v2, importer
from sirolimus_app.models import TroughLevel
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.interop.conftest import trough_ng
from tests.web.test_workflow_data import eligible_patient, on_treatment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_haematologist_attaches_a_result_for_an_unknown_number(page, haematologist,
                                                               pharmacist):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "800123456", "Dupont", "Léa")
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=8))
    importer.receive(trough_ng("MSG-0900", "9.1", ipp="800123465"), format="hl7v2",
                     channel="mllp", read=hl7v2.read)

    login(page, haematologist.username, PASSWORD)
    page.get_by_role("link", name="Résultats reçus").first.click()
    item = page.get_by_test_id("review-item")
    assert "aucun patient avec l'IPP 800123465" in item.inner_text()
    item.get_by_label("IPP du patient").fill("800123457")  # a slip again: refused
    item.get_by_role("button", name="Rattacher à ce dossier").click()
    field = page.get_by_test_id("review-item").get_by_label("IPP du patient")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Aucun patient avec l'IPP 800123457." in page.get_by_test_id(
        "review-item").inner_text()
    field.fill("800123456")
    page.get_by_test_id("review-item").get_by_role(
        "button", name="Rattacher à ce dossier").click()
    assert page.get_by_role("alert").filter(
        has_text="Résultat rattaché au dossier du patient.").is_visible()
    assert page.get_by_text("Aucun résultat reçu n'attend de revue.").is_visible()
    assert TroughLevel.objects.get(patient=patient).recorded_by == haematologist
    page.goto(patient.get_absolute_url())
    assert "9,1" in page.content()
    assert page.console_errors == []
