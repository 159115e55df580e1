"""The pharmacist validates one proposal and refuses another with a reason; the prescribing
haematologist then reads that reason."""

import os

import pytest
from django.urls import NoReverseMatch, reverse

from sirolimus_app.models import Prescription
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import eligible_patient, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to keep the pages as PNG files


def _card(page, prescription):
    return page.get_by_test_id(f"proposal-{prescription.pk}")


def test_pharmacist_validates_one_rejects_another_and_the_prescriber_reads_why(
        page, haematologist, pharmacist):
    start = proposal(haematologist, eligible_patient(haematologist, "IPP-500"),
                     reason="PTI chronique avec signes de gravité, échec des TPO-RA")
    other = proposal(haematologist, eligible_patient(haematologist, "IPP-501",
                                                     last_name="Moreau", first_name="Hugo"),
                     reason="Deuxième ligne")

    login(page, pharmacist.username, PASSWORD)
    page.get_by_role("link", name="Validations").click()
    assert page.get_by_test_id("pending-count").inner_text().startswith("2 propositions")
    card = _card(page, start)
    assert "2,1 mg/j" in card.get_by_test_id("dose").inner_text()
    assert "Aucune : début de traitement." in card.inner_text()
    assert "2 mg/m²/j × 1,0408 m²" in card.inner_text()
    if SHOTS:
        page.set_viewport_size({"width": 1400, "height": 1100})
        page.screenshot(path=os.path.join(SHOTS, "pharmacy_worklist.png"), full_page=True)

    card.get_by_role("button", name="Valider").click()
    assert page.get_by_role("alert").filter(
        has_text="Prescription validée pour DUPONT Léa").is_visible()

    card = _card(page, other)
    card.get_by_role("button", name="Refuser").click()  # no reason yet: refused, said so
    assert page.get_by_text("Indiquez le motif du refus : il est transmis au prescripteur."
                            ).is_visible()
    card = _card(page, other)
    card.get_by_label("Motif du refus").fill("Surface corporelle à recalculer : taille de 2019")
    card.get_by_role("button", name="Refuser").click()
    assert page.get_by_role("alert").filter(has_text="Prescription refusée pour MOREAU Hugo"
                                            ).is_visible()
    assert page.get_by_text("Aucune prescription n'attend de validation.").is_visible()
    assert Prescription.objects.get(pk=start.pk).status == Prescription.Status.ACTIVE
    assert Prescription.objects.get(pk=other.pk).status == Prescription.Status.REJECTED

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, haematologist.username, PASSWORD)
    rejected = page.get_by_test_id("home-rejected")
    assert "Surface corporelle à recalculer : taille de 2019" in rejected.inner_text()
    try:
        page.goto(reverse("patient_detail", args=[other.patient_id]))
    except NoReverseMatch:  # the patient page belongs to another issue
        pass
    else:
        assert page.get_by_text("Surface corporelle à recalculer : taille de 2019").first \
            .is_visible()
    assert page.console_errors == []
