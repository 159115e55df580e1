"""Issue 14, item 1: every decision re-runs the engine on the current record. A forbidden drug,
an allergy or a new weight recorded after the proposal refuses the validation, with the alert
(rule ID, French) or the changes old → new; the prescriber re-proposes in one click."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.documents.data import dose_sheet
from sirolimus_app.models import BodyMeasurement, CoMedication, Prescription
from sirolimus_app.services import prescriptions, records
from sirolimus_app.services.decisions import ForbiddenError, StaleProposalError, check_decision
from tests.conftest import client_for
from tests.web.test_workflow_data import eligible_patient, on_treatment, proposal

Status = Prescription.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(haematologist):
    patient = eligible_patient(haematologist, "IPP-900")
    return proposal(haematologist, patient, reason="Début du traitement")


def _add_mycophenolate(user, patient, on=None):
    return records.add_comedication(user, CoMedication(
        patient=patient, name="mycophénolate mofétil",
        start_date=on or timezone.localdate()))


def _status(prescription):
    prescription.refresh_from_db()
    return prescription.status


def test_a_forbidden_drug_added_after_the_proposal_refuses_the_validation(
        proposed, haematologist, pharmacist):
    _add_mycophenolate(haematologist, proposed.patient)
    with pytest.raises(ForbiddenError) as refused:
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert "NO-OTHER-IS" in refused.value.message
    assert "autre immunosuppresseur" in refused.value.message
    assert _status(proposed) == Status.PROPOSED


def test_the_refusal_is_in_english_for_an_english_speaking_pharmacist(
        proposed, haematologist, pharmacist):
    from django.utils import translation
    _add_mycophenolate(haematologist, proposed.patient)
    with translation.override("en"), pytest.raises(ForbiddenError) as refused:
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert "NO-OTHER-IS" in refused.value.message
    assert "immunosuppressant" in refused.value.message
    assert "autre immunosuppresseur" not in refused.value.message


def test_a_peanut_allergy_added_after_the_proposal_refuses_the_validation(
        proposed, haematologist, pharmacist):
    patient = proposed.patient
    patient.allergies = "arachide"
    records.update_patient(haematologist, patient, patient.version)
    with pytest.raises(ForbiddenError) as refused:
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert "CI-SOY-PEANUT" in refused.value.message
    assert _status(proposed) == Status.PROPOSED


def test_a_new_weight_refuses_the_validation_and_lists_old_and_new(
        proposed, haematologist, pharmacist):
    records.add_measurement(haematologist, BodyMeasurement(
        patient=proposed.patient, measured_on=timezone.localdate(),
        weight_kg=Decimal("39"), height_cm=Decimal("130")))
    with pytest.raises(StaleProposalError) as refused:
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    changes = {c.field: (c.old, c.new) for c in refused.value.changes}
    assert changes["weight_kg"] == (Decimal("30.00"), 39.0)
    assert changes["bsa_m2"][0] < changes["bsa_m2"][1]
    assert "re-proposer" in refused.value.message.lower()
    assert _status(proposed) == Status.PROPOSED


def test_an_unchanged_record_still_validates(proposed, pharmacist):
    assert check_decision(proposed).advice is not None
    done = prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    assert done.status == Status.ACTIVE


def test_a_forbidden_drug_refuses_prescribing(haematologist):
    patient = eligible_patient(haematologist, "IPP-901")
    _add_mycophenolate(haematologist, patient)
    with pytest.raises(ForbiddenError):
        proposal(haematologist, patient)
    assert not patient.prescriptions.exists()


def test_stopping_the_other_drug_lets_the_validation_through(
        proposed, haematologist, pharmacist):
    drug = _add_mycophenolate(haematologist, proposed.patient)
    with pytest.raises(ForbiddenError):
        prescriptions.validate(pharmacist, proposed.pk, proposed.version)
    records.void_record(haematologist, drug, "Saisie sur le mauvais dossier")
    assert prescriptions.validate(pharmacist, proposed.pk, proposed.version).status == \
        Status.ACTIVE


def test_repropose_withdraws_the_stale_proposal_and_proposes_the_current_dose(
        proposed, haematologist, pharmacist):
    records.add_measurement(haematologist, BodyMeasurement(
        patient=proposed.patient, measured_on=timezone.localdate(),
        weight_kg=Decimal("39"), height_cm=Decimal("130")))
    fresh = prescriptions.repropose(haematologist, proposed.pk, proposed.version)
    assert _status(proposed) == Status.REJECTED
    assert fresh.weight_kg == Decimal("39") and fresh.status == Status.PROPOSED
    assert prescriptions.validate(pharmacist, fresh.pk, fresh.version).status == Status.ACTIVE


def test_activating_a_later_start_rechecks_the_record(haematologist, pharmacist):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-902")
    later = proposal(haematologist, patient)
    Prescription.objects.filter(pk=later.pk).update(start_date=today + timedelta(days=2))
    validated = prescriptions.validate(pharmacist, later.pk, later.version)
    assert validated.status == Status.VALIDATED
    _add_mycophenolate(haematologist, patient)
    with pytest.raises(ForbiddenError):
        prescriptions.activate(haematologist, validated.pk, validated.version,
                               today=today + timedelta(days=2))
    assert _status(validated) == Status.VALIDATED


def test_the_pharmacist_page_refuses_with_the_alert(client, proposed, haematologist,
                                                    pharmacist):
    _add_mycophenolate(haematologist, proposed.patient)
    client = client_for(client, pharmacist)
    page = client.get(reverse("prescription_review", args=[proposed.pk]))
    assert "NO-OTHER-IS" in page.content.decode()
    response = client.post(reverse("prescription_validate", args=[proposed.pk]),
                           {"version": proposed.version}, follow=True)
    assert "NO-OTHER-IS" in response.content.decode()
    assert _status(proposed) == Status.PROPOSED


def test_the_card_shows_old_and_new(client, proposed, haematologist, pharmacist):
    records.add_measurement(haematologist, BodyMeasurement(
        patient=proposed.patient, measured_on=timezone.localdate(),
        weight_kg=Decimal("39"), height_cm=Decimal("130")))
    page = client_for(client, pharmacist).get(reverse("prescription_review", args=[proposed.pk]))
    text = page.content.decode()
    assert 'data-testid="changed-weight_kg"' in text
    assert "30 kg → 39 kg" in text


# --- item 3: attention lists -----------------------------------------------------------------

def _home_entry(client, user, patient) -> str:
    text = client_for(client, user).get(reverse("home")).content.decode()
    marker = f'data-testid="attention-{patient.pk}"'
    assert marker in text
    start = text.index(marker)
    return text[start:text.index("</li>", start)]


@pytest.mark.parametrize("kind", ["mycophenolate", "peanut"])
def test_homes_list_a_child_on_sirolimus_with_a_critical_alert(
        client, kind, haematologist, pharmacist):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, f"IPP-91{len(kind)}",
                               since=today - timedelta(days=40))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=30))
    if kind == "mycophenolate":
        _add_mycophenolate(haematologist, patient)
        rule = "NO-OTHER-IS"
    else:
        patient.refresh_from_db()
        patient.allergies = "arachide"
        records.update_patient(haematologist, patient, patient.version)
        rule = "CI-SOY-PEANUT"
    for user in (haematologist, pharmacist):
        entry = _home_entry(client, user, patient)
        assert "Alerte bloquante du protocole" in entry
        assert rule in entry


# --- item 2: the pharmacist's whole check ---------------------------------------------------

def test_the_card_holds_the_whole_check(client, haematologist, nurse, pharmacist):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-920", since=today - timedelta(days=100),
                               allergies="pénicilline")
    records.add_comedication(haematologist, CoMedication(
        patient=patient, name="amoxicilline", start_date=today - timedelta(days=5)))
    waiting = proposal(haematologist, patient)
    page = client_for(client, pharmacist).get(reverse("prescription_review", args=[waiting.pk]))
    text = page.content.decode()
    assert 'data-testid="weight-old"' in text  # weighed 100 days ago
    assert "pénicilline" in text
    assert "amoxicilline (depuis le " + (today - timedelta(days=5)).strftime("%d/%m/%Y") in text
    assert "NFS " + (today - timedelta(days=100)).strftime("%d/%m/%Y") in text


def test_the_dose_sheet_holds_the_check_and_what_forbids_validation(
        proposed, haematologist, pharmacist):
    _add_mycophenolate(haematologist, proposed.patient)
    sheet = dose_sheet(Prescription.objects.get(pk=proposed.pk), pharmacist)
    assert [rule for rule, _text in sheet.forbidden] == ["NO-OTHER-IS"]
    assert [c.name for c in sheet.check.comedications] == ["mycophénolate mofétil"]
    assert sheet.check.weight_kg == 30.0 and not sheet.check.weight_old
