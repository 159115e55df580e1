"""What a prescription is, said everywhere: a refused or withdrawn one's dose sheet is marked
across each page and gives nothing to administer; a withdrawal reads as a withdrawal; the
error pages (403, 404, 500) are the application's, in French, with the way back."""

import html

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from sirolimus_app.services import prescriptions
from tests.web.test_documents_pdf import _measured_patient, flat, read

pytestmark = pytest.mark.django_db
REFUSED = "REFUSÉE — NE PAS DÉLIVRER"
WITHDRAWN = "RETIRÉE — NE PAS DÉLIVRER"


def _sheet(client, user, prescription):
    client.force_login(user)
    return read(client.get(reverse("documents_dose_sheet_pdf", args=[prescription.pk])))[0]


def test_a_refused_prescription_sheet_is_marked_on_every_page(client, haematologist,
                                                              pharmacist, nurse):
    patient = _measured_patient(haematologist, nurse)
    proposed = prescriptions.propose(haematologist, patient.pk, 0, reason="")
    refused = prescriptions.reject(pharmacist, proposed.pk, proposed.version,
                                   "Poids à vérifier")
    pages = _sheet(client, nurse, refused)
    assert all(REFUSED in " ".join(page.split()) for page in pages)
    text = flat(pages)
    # Nothing to give where the dose to administer was.
    assert "À administrer Rien : prescription refusée par la pharmacie, ne pas délivrer." in text
    assert "Refusée par" in text and "Poids à vérifier" in text
    assert WITHDRAWN not in text


def test_a_withdrawn_proposal_reads_as_a_withdrawal(client, haematologist, pharmacist, nurse):
    patient = _measured_patient(haematologist, nurse)
    proposed = prescriptions.propose(haematologist, patient.pk, 0, reason="")
    withdrawn = prescriptions.withdraw(haematologist, proposed.pk, proposed.version)
    assert withdrawn.withdrawn and withdrawn.status_label == "Retirée"
    pages = _sheet(client, nurse, withdrawn)
    assert all(WITHDRAWN in " ".join(page.split()) for page in pages)
    text = flat(pages)
    assert "— retirée" in text and "Retirée par (prescripteur)" in text
    assert REFUSED not in text and "Refusée par" not in text

    client.force_login(haematologist)
    detail = client.get(reverse("patient_detail", args=[patient.pk])).text
    assert "retirée par son prescripteur" in detail and "a été refusée" not in detail
    history = client.get(reverse("patient_history", args=[patient.pk])).text
    assert "Retirée" in history and "Refusée" not in history
    client.force_login(pharmacist)
    review = client.get(reverse("prescription_review", args=[withdrawn.pk])).text
    assert "Retirée par le prescripteur" in review and "Motif du refus" not in review


def test_a_validated_sheet_has_no_mark(client, haematologist, pharmacist, nurse):
    patient = _measured_patient(haematologist, nurse)
    proposed = prescriptions.propose(haematologist, patient.pk, 0, reason="")
    validated = prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    text = flat(_sheet(client, nurse, validated))
    assert "NE PAS DÉLIVRER" not in text and "Rien :" not in text
    assert ", à heure fixe DOSE-TIMING" in text


def test_403_is_the_applications_page_in_french_with_the_way_back(client, outsider,
                                                                  haematologist, nurse):
    patient = _measured_patient(haematologist, nurse)
    client.force_login(outsider)
    response = client.get(reverse("patient_detail", args=[patient.pk]))
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "Accès refusé" in page and 'data-testid="current-user"' in page
    assert f'href="{reverse("home")}"' in page and "Retour à l'accueil" in page
    assert patient.last_name not in page


def test_404_is_the_applications_page_in_french_with_the_way_back(client, nurse):
    client.force_login(nurse)
    response = client.get(reverse("patient_detail", args=[999999]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page introuvable" in page and "Liste des patients" in page
    assert 'data-testid="current-user"' in page  # in the application's frame


def test_500_needs_neither_the_database_nor_a_context(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/patients/"))
    assert response.status_code == 500
    page = html.unescape(response.content.decode())
    assert "Erreur du serveur" in page and 'href="/"' in page and "Retour à l'accueil" in page
