"""Entry errors: a wrong trough, result, measurement, visit, event or co-medication voided
("erreur de saisie", with its reason) or corrected, by its author or a haematologist. The
record stays, struck through, in the history and the audit trail, and no longer counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import (
    AuditEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    Patient,
    PatientStatus,
    TroughLevel,
    Visit,
)
from sirolimus_app.services import records
from sirolimus_app.services.engine import advise_patient, prefetch_clinical
from tests.web.test_workflow_data import aware, eligible_patient, on_treatment, trough

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def patient(haematologist, pharmacist, today):
    patient = eligible_patient(haematologist, "IPP-901", since=today - timedelta(days=20))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=12))
    return patient


def _advice(patient):
    return advise_patient(prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()).advice


def _url(name, record):
    return reverse(name, args=[record.patient_id, record._meta.model_name, record.pk])


def test_a_voided_toxic_trough_no_longer_advises_a_suspension(client, patient, nurse,
                                                              haematologist, today):
    toxic = trough(nurse, patient, today - timedelta(days=1), "61")  # 6,1 typed without comma
    assert _advice(patient).dose.action == "suspend"
    assert PatientStatus.objects.get(pk=patient.pk).toxic_trough

    client.force_login(haematologist)
    response = client.post(_url("record_void", toxic),
                           {"reason": "Virgule oubliée : 6,1 ng/ml"})
    assert response.status_code == 302

    toxic.refresh_from_db()
    assert toxic.voided_by == haematologist and toxic.void_reason.startswith("Virgule")
    assert TroughLevel.objects.filter(pk=toxic.pk).exists()  # never deleted
    assert _advice(patient).dose.action != "suspend"
    # The stored status was recomputed in the same transaction: no toxic trough flagged.
    assert not PatientStatus.objects.get(pk=patient.pk).toxic_trough

    history = client.get(reverse("patient_history", args=[patient.pk])).text
    row = history.split(f'data-testid="entry-troughlevel-{toxic.pk}"')[1].split("</tr>")[0]
    assert "<del>" in row and "Virgule oubliée" in row and "Erreur de saisie" in row
    assert "Erreur de saisie, annulée" in history  # the audit line
    line = AuditEvent.objects.get(action="troughlevel.void")
    assert line.user == haematologist and line.before["void_reason"] == ""
    assert line.after["void_reason"] == "Virgule oubliée : 6,1 ng/ml"


def test_correcting_a_trough_voids_it_and_links_the_right_value(client, patient, nurse, today):
    wrong = trough(nurse, patient, today - timedelta(days=1), "61")
    client.force_login(nurse)  # the author
    page = client.get(_url("record_correct", wrong)).text
    assert 'value="61' in page  # pre-filled from the wrong entry
    response = client.post(_url("record_correct", wrong), {
        "void-reason": "Virgule oubliée",
        "sampled_at": timezone.localtime(wrong.sampled_at).strftime("%Y-%m-%dT%H:%M"),
        "value": "6,1", "unit": "ng/ml", "assay": "LC-MS/MS"})
    assert response.status_code == 302, response.content.decode()[:3000]
    wrong.refresh_from_db()
    right = wrong.corrected_by
    assert wrong.voided_at and right.value_ng_ml == Decimal("6.10") and right.voided_at is None
    assert _advice(patient).dose.action != "suspend"
    assert {"troughlevel.void", "troughlevel.create"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_void_without_a_reason_is_refused_next_to_the_field(client, patient, nurse,
                                                            haematologist, today):
    wrong = trough(nurse, patient, today - timedelta(days=1), "61")
    client.force_login(haematologist)
    response = client.post(_url("record_void", wrong), {"reason": "   "})
    assert response.status_code == 200
    assert "Indiquez le motif de l&#x27;annulation" in response.text
    wrong.refresh_from_db()
    assert wrong.voided_at is None and not AuditEvent.objects.filter(
        action="troughlevel.void").exists()


def test_a_correction_with_a_bad_value_saves_nothing(client, patient, nurse, today):
    wrong = trough(nurse, patient, today - timedelta(days=1), "61")
    client.force_login(nurse)
    response = client.post(_url("record_correct", wrong), {
        "void-reason": "Virgule oubliée",
        "sampled_at": timezone.localtime(wrong.sampled_at).strftime("%Y-%m-%dT%H:%M"),
        "value": "abc", "unit": "ng/ml", "assay": "LC-MS/MS"})
    assert response.status_code == 200
    wrong.refresh_from_db()
    assert wrong.voided_at is None and TroughLevel.objects.count() == 1


def test_who_may_void(client, patient, nurse, haematologist, haematologist2, pharmacist,
                      outsider, today):
    by_doctor = trough(haematologist, patient, today - timedelta(days=1), "7")
    by_nurse = trough(nurse, patient, today - timedelta(days=2), "8")
    for user, record, status in [
        (nurse, by_doctor, 403),  # not her entry
        (pharmacist, by_nurse, 403),
        (outsider, by_nurse, 403),
        (nurse, by_nurse, 200),  # her own
        (haematologist2, by_nurse, 200),  # any haematologist
    ]:
        client.force_login(user)
        assert client.get(_url("record_void", record)).status_code == status, (user, record)
        if status == 403:
            client.post(_url("record_void", record), {"reason": "x"})
            record.refresh_from_db()
            assert record.voided_at is None


def test_unknown_kind_or_other_patients_record_is_404(client, patient, haematologist,
                                                      nurse, today):
    wrong = trough(nurse, patient, today - timedelta(days=1), "6")
    client.force_login(haematologist)
    url = reverse("record_void", args=[patient.pk, "prescription", wrong.pk])
    assert client.get(url).status_code == 404
    url = reverse("record_void", args=[patient.pk + 999, "troughlevel", wrong.pk])
    assert client.get(url).status_code == 404


def test_a_record_cannot_be_voided_twice(patient, nurse, haematologist, today):
    wrong = trough(nurse, patient, today - timedelta(days=1), "6")
    records.void_record(haematologist, wrong, "doublon")
    with pytest.raises(records.ServiceError):
        records.void_record(haematologist, wrong, "encore")


@pytest.mark.parametrize("kind", ["lab", "measurement", "visit", "event", "comedication"])
def test_every_kind_of_record_can_be_voided_and_stops_counting(client, patient,
                                                               haematologist, today, kind):
    from sirolimus_app.models import AdverseEvent

    day = today - timedelta(days=1)
    record = {
        "lab": lambda: records.add_lab_result(haematologist, LabResult(
            patient=patient, kind="platelets", sampled_at=aware(day), value=Decimal(15),
            unit="G/L")),
        "measurement": lambda: records.add_measurement(haematologist, BodyMeasurement(
            patient=patient, measured_on=day, weight_kg=Decimal(90), height_cm=Decimal(132))),
        "visit": lambda: records.add_visit(haematologist, Visit(
            patient=patient, label="HP", done_date=day, systolic_bp=150, diastolic_bp=95)),
        "event": lambda: records.add_adverse_event(haematologist, AdverseEvent(
            patient=patient, kind="aphthae", onset_date=day, severity="1")),
        "comedication": lambda: records.add_comedication(haematologist, CoMedication(
            patient=patient, name="mycophenolate", start_date=day)),
    }[kind]()
    client.force_login(haematologist)
    assert client.post(_url("record_void", record), {"reason": "erreur"}).status_code == 302
    course = advise_patient(prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get())
    doc = course.course
    assert {
        "lab": lambda: all(p.g_per_l != 15 for p in doc.platelets),
        "measurement": lambda: doc.patient.weight_kg != 90,
        "visit": lambda: doc.workup.blood_pressure != day,
        "event": lambda: doc.adverse_events == (),
        "comedication": lambda: all(c.name != "mycophenolate"
                                    for c in doc.patient.comedication_history),
    }[kind]()
    assert client.get(reverse("patient_history", args=[patient.pk])).status_code == 200


def test_a_voided_visit_frees_its_label(patient, haematologist, today):
    visit = records.add_visit(haematologist, Visit(patient=patient, label="M1",
                                                   done_date=today - timedelta(days=1)))
    records.void_record(haematologist, visit, "mauvais patient")
    again = records.add_visit(haematologist, Visit(patient=patient, label="M1",
                                                   done_date=today))
    assert again.pk != visit.pk


def test_the_pharmacist_records_a_comedication_found_at_reconciliation(client, patient,
                                                                      pharmacist, today):
    client.force_login(pharmacist)
    review = patient.prescriptions.get()
    page = client.get(reverse("prescription_review", args=[review.pk])).text
    url = reverse("comedication_add", args=[patient.pk])
    assert f'href="{url}" data-testid="reconciliation"' in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Fluconazole",
                                 "start_date": (today - timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    added = CoMedication.objects.get(patient=patient)
    assert added.recorded_by == pharmacist
    # Her own entry: she may void it; a haematologist's, not.
    assert records.can_void(pharmacist, added)


def test_void_constraint_in_the_database(patient, nurse, today):
    from django.db import IntegrityError, transaction

    wrong = trough(nurse, patient, today - timedelta(days=1), "6")
    with pytest.raises(IntegrityError), transaction.atomic():
        TroughLevel.objects.filter(pk=wrong.pk).update(voided_at=timezone.now())


def test_correcting_a_visit_keeps_its_label_and_voids_its_weight(client, patient,
                                                                 haematologist, today):
    from sirolimus_app.services.patients import save_visit

    day = today - timedelta(days=1)
    wrong = save_visit(haematologist, Visit(patient=patient, label="M1", done_date=day,
                                            weight_kg=Decimal(90), height_cm=Decimal(132)))
    assert BodyMeasurement.objects.valid().filter(patient=patient, weight_kg=90).exists()
    client.force_login(haematologist)
    response = client.post(_url("record_correct", wrong), {
        "void-reason": "Poids d'un autre enfant", "label": "M1",
        "done_date": day.isoformat(), "weight_kg": "30", "height_cm": "132"})
    assert response.status_code == 302, response.content.decode()[:3000]
    wrong.refresh_from_db()
    assert wrong.voided_at and wrong.corrected_by.label == "M1"
    # The weight the wrong visit made a measurement of no longer counts either.
    assert not BodyMeasurement.objects.valid().filter(patient=patient, weight_kg=90).exists()
    assert _advice(patient) is not None
    doc = advise_patient(prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()).course
    assert doc.patient.weight_kg == 30
