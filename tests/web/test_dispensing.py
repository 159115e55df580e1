"""Dispensing (issue 19): the quantity computed for the period (60 ml bottles kept 30 days
once opened, tablets per strength), batch and expiry, who and when; audited; refused for a
prescription that cannot be given; the dispensing form for pharmacists only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import AuditEvent, Dispensing, Patient, Prescription
from sirolimus_app.services import dispensing
from sirolimus_app.services.errors import ServiceError
from tests.conftest import client_for
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

TODAY = timezone.localdate()


@pytest.fixture
def started(haematologist, pharmacist):
    patient = eligible_patient(haematologist, "IPP-DISP-1")
    return on_treatment(haematologist, pharmacist, patient, TODAY)


def test_dispense_records_quantity_batch_expiry_and_audit(pharmacist, started):
    assert started.form == "solution" and started.mg_per_day == Decimal("2.1")
    record = dispensing.dispense(pharmacist, started.pk, days=28, batch="LOT-A12",
                                 expiry=TODAY + timedelta(days=200))
    assert record.volume_ml == Decimal("58.8")  # 2.1 ml × 28 days
    assert record.bottles == 1
    assert record.dispensed_by == pharmacist
    line = AuditEvent.objects.get(action="prescription.dispense")
    assert line.patient_id == started.patient_id
    assert line.after["batch"] == "LOT-A12"


def test_dispense_counts_a_second_bottle_past_60_ml(pharmacist, started):
    record = dispensing.dispense(pharmacist, started.pk, days=30, batch="L1",
                                 expiry=TODAY + timedelta(days=90))
    assert record.volume_ml == Decimal("63.0")
    assert record.bottles == 2


def test_dispense_tablets_per_strength(haematologist, pharmacist):
    patient = eligible_patient(haematologist, "IPP-DISP-2", form=Patient.Form.TABLETS,
                               first_name="Noé")
    started = on_treatment(haematologist, pharmacist, patient, TODAY)
    assert started.form == "tablets"
    record = dispensing.dispense(pharmacist, started.pk, days=14, batch="CP-9",
                                 expiry=TODAY + timedelta(days=400))
    per_day = started.tablets
    assert record.tablets == {strength: count * 14 for strength, count in per_day.items()}
    assert record.bottles is None and record.volume_ml is None


def test_the_tablet_strengths_are_written_in_the_interface_language():
    from django.utils import translation

    from sirolimus_app.forms.dispensing import DispenseForm
    with translation.override("fr"):
        assert "Comprimés à 0,5 mg" in [str(f.label) for f in
                                        DispenseForm(form="tablets").fields.values()]
    with translation.override("en"):
        assert "Tablets of 0.5 mg" in [str(f.label) for f in
                                       DispenseForm(form="tablets").fields.values()]


def test_a_lot_expiring_within_the_period_is_refused(pharmacist, started):
    with pytest.raises(ServiceError) as error:
        dispensing.dispense(pharmacist, started.pk, days=28, batch="L2",
                            expiry=TODAY + timedelta(days=10))
    assert error.value.field == "expiry"
    assert "périme" in str(error.value.message)
    assert not Dispensing.objects.exists()


def test_a_proposal_not_validated_cannot_be_dispensed(haematologist, pharmacist):
    patient = eligible_patient(haematologist, "IPP-DISP-3")
    proposed = proposal(haematologist, patient)
    with pytest.raises(ServiceError):
        dispensing.dispense(pharmacist, proposed.pk, days=28, batch="L3",
                            expiry=TODAY + timedelta(days=100))
    assert not Dispensing.objects.exists()


def test_only_pharmacists_dispense(haematologist, nurse, started):
    from django.core.exceptions import PermissionDenied
    for user in (haematologist, nurse):
        with pytest.raises(PermissionDenied):
            dispensing.dispense(user, started.pk, days=28, batch="L",
                                expiry=TODAY + timedelta(days=100))


def test_default_period_runs_to_the_next_visit(started):
    days = dispensing.period(started, TODAY).days
    assert 7 <= days <= 92
    # The first visit after the start is M1: about a month.
    assert 28 <= days <= 31


def test_the_prescription_and_the_dispensing_cover_the_same_period(started, haematologist):
    from sirolimus_app.documents import papers
    paper = papers.off_label_prescription(started, haematologist, today=TODAY)
    covered = dispensing.period(started, TODAY)
    assert (paper.start, paper.days, paper.review) == (covered.start, covered.days,
                                                        covered.review)
    assert covered.review is not None and covered.review.kind == "visit"


def test_dispense_page_for_pharmacist_computes_and_saves(client, pharmacist, started):
    url = reverse("prescription_dispense", args=[started.pk])
    page = client_for(client, pharmacist).get(url)
    assert page.status_code == 200
    assert "flacon" in page.content.decode()
    response = client.post(url, {"days": "28", "bottles": "1", "batch": "LOT-77",
                                 "expiry": (TODAY + timedelta(days=300)).isoformat()})
    assert response.status_code == 302
    record = Dispensing.objects.get()
    assert record.batch == "LOT-77"
    label = client.get(reverse("documents_bottle_label_pdf", args=[record.pk]))
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"


def test_dispense_page_bad_input_is_shown_next_to_the_field(client, pharmacist, started):
    url = reverse("prescription_dispense", args=[started.pk])
    response = client_for(client, pharmacist).post(url, {"days": "400", "bottles": "1",
                                                          "batch": "", "expiry": "2020-13-01"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="error_1_id_days"' in body or "inférieure ou égale à 92" in body
    assert "Ce champ est obligatoire" in body
    assert not Dispensing.objects.exists()


@pytest.mark.parametrize("role", ["haematologist", "nurse", "outsider"])
def test_dispense_page_refused_to_other_roles(client, cast, started, role):
    url = reverse("prescription_dispense", args=[started.pk])
    assert client_for(client, cast[role]).get(url).status_code == 403


def test_dispense_page_unknown_prescription(client, pharmacist):
    assert client_for(client, pharmacist).get(
        reverse("prescription_dispense", args=[999999])).status_code == 404


def test_rejected_prescription_shows_it_cannot_be_dispensed(client, haematologist, pharmacist):
    from sirolimus_app.services import prescriptions
    patient = eligible_patient(haematologist, "IPP-DISP-4")
    proposed = proposal(haematologist, patient)
    prescriptions.reject(pharmacist, proposed.pk, proposed.version, "Poids à vérifier")
    page = client_for(client, pharmacist).get(reverse("prescription_dispense",
                                                      args=[proposed.pk]))
    assert page.status_code == 200
    assert "ne peut pas être dispensée" in page.content.decode()
    assert "Enregistrer la dispensation" not in page.content.decode()
    assert Prescription.objects.get(pk=proposed.pk).status == "rejected"


def test_review_page_links_to_dispensing_once_validated(client, pharmacist, started):
    page = client_for(client, pharmacist).get(reverse("prescription_review", args=[started.pk]))
    assert reverse("prescription_dispense", args=[started.pk]) in page.content.decode()


def test_patient_page_offers_the_prescription_once_validated(client, haematologist, started):
    page = client_for(client, haematologist).get(reverse("patient_detail",
                                                         args=[started.patient_id]))
    assert reverse("documents_prescription_pdf", args=[started.pk]) in page.content.decode()


def test_dispensing_is_refused_when_the_protocol_now_forbids_it(haematologist, pharmacist,
                                                                started):
    # Mycophenolate added after the validation: NO-OTHER-IS, a critical alert.
    from sirolimus_app.models import CoMedication
    from sirolimus_app.services import records
    records.add_comedication(haematologist, CoMedication(
        patient=started.patient, name="mycophénolate mofétil", start_date=TODAY))
    with pytest.raises(ServiceError) as error:
        dispensing.dispense(pharmacist, started.pk, days=28, batch="L9",
                            expiry=TODAY + timedelta(days=200))
    assert "NO-OTHER-IS" in str(error.value.message)
    assert not Dispensing.objects.exists()
