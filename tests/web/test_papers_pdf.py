"""The off-label prescription, the bottle label and the dispensing record on the dose sheet
(issue 19), read back with pypdf."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import AuditEvent, StaffProfile
from sirolimus_app.services import dispensing
from tests.conftest import client_for
from tests.web.test_documents_pdf import flat, read
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

TODAY = timezone.localdate()


@pytest.fixture
def started(haematologist, pharmacist):
    StaffProfile.objects.create(user=haematologist, rpps="10101234567")
    patient = eligible_patient(haematologist, "IPP-PAP-1", parents_phone="06 12 34 56 78")
    return on_treatment(haematologist, pharmacist, patient, TODAY)


def test_off_label_prescription_has_the_mention_prescriber_and_quantity(client, haematologist,
                                                                        started):
    response = client_for(client, haematologist).get(
        reverse("documents_prescription_pdf", args=[started.pk]))
    pages, reader = read(response)
    text = flat(pages)
    assert "Prescription hors autorisation de mise sur le marché" in text
    assert "La famille a été informée" in text
    assert "RPPS 10101234567" in text
    assert "Claire Martin" in text
    assert "DUPONT Léa" in text
    assert "2,1 ml de Rapamune® solution buvable à 1 mg/ml, soit 2,1 mg" in text
    assert "30 kg (pesé le" in text
    assert "flacon" in text and "Quantité à délivrer" in text
    assert "Prochaine consultation" in text
    assert "Signature du prescripteur" in text
    assert "ne remplace pas l'ordonnance" not in text
    line = AuditEvent.objects.get(action="document.prescription_print")
    assert line.user == haematologist and line.object_id == str(started.pk)


def test_off_label_prescription_only_once_validated(client, haematologist):
    patient = eligible_patient(haematologist, "IPP-PAP-2")
    proposed = proposal(haematologist, patient)
    response = client_for(client, haematologist).get(
        reverse("documents_prescription_pdf", args=[proposed.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="document.prescription_print").exists()


@pytest.mark.parametrize("role", ["nurse", "pharmacist", "outsider"])
def test_off_label_prescription_refused_to_other_roles(client, cast, started, role):
    response = client_for(client, cast[role]).get(
        reverse("documents_prescription_pdf", args=[started.pk]))
    assert response.status_code == 403


def test_bottle_label_and_dose_sheet_show_the_dispensing(client, pharmacist, started):
    record = dispensing.dispense(pharmacist, started.pk, days=30, batch="LOT-B7",
                                 expiry=TODAY + timedelta(days=180))
    client_for(client, pharmacist)
    pages, reader = read(client.get(reverse("documents_bottle_label_pdf", args=[record.pk])))
    label = flat(pages)
    assert len(reader.pages) == 1
    assert "DUPONT Léa" in label and "2,1 ml une fois par jour" in label
    assert "Lot LOT-B7" in label and "30 jours" in label and "pamplemousse" in label
    assert AuditEvent.objects.filter(action="document.label_print").count() == 1

    sheet = flat(read(client.get(reverse("documents_dose_sheet_pdf", args=[started.pk])))[0])
    assert "LOT-B7" in sheet
    assert "2 flacons de 60 ml (63 ml)" in sheet
    assert "environ 440 €" in sheet  # 63 ml a month: two bottles, not 231 €


@pytest.mark.parametrize("role", ["haematologist", "nurse", "outsider"])
def test_bottle_label_refused_to_other_roles(client, cast, pharmacist, started, role):
    record = dispensing.dispense(pharmacist, started.pk, days=28, batch="L",
                                 expiry=TODAY + timedelta(days=180))
    response = client_for(client, cast[role]).get(
        reverse("documents_bottle_label_pdf", args=[record.pk]))
    assert response.status_code == 403
