"""The FHIR API: tokens (hashed, scoped, revocable, audited), results in, a patient out."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from sirolimus_app.interop import tokens
from sirolimus_app.models import ApiToken, AuditEvent, InboundMessage, InboundResult, TroughLevel

from .conftest import bundle, observation

OBSERVATION_URL = "/api/fhir/Observation"
BUNDLE_URL = "/api/fhir/Bundle"


@pytest.fixture
def lab_token(db):
    return tokens.create_token("laboratoire-chu", ["results:write"])[1]


@pytest.fixture
def reader_token(db):
    return tokens.create_token("dpi", ["patients:read"])[1]


def post(url, body, token, client=None):
    client = client or Client(enforce_csrf_checks=True)  # the API must not need a CSRF token
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(url, data, content_type="application/fhir+json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    return response, response.json()


def test_the_command_creates_a_token_shown_once_and_stored_hashed(capsys, db):
    call_command("create_api_token", "laboratoire-chu", "--scope", "results:write")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get(name="laboratoire-chu")
    assert secret.startswith("sirpti_") and secret not in token.digest
    assert len(token.digest) == 64 and token.scopes == ["results:write"]
    assert AuditEvent.objects.filter(action="apitoken.create", object_id=str(token.pk)).exists()
    assert tokens.authenticate(f"Bearer {secret}", "results:write") == token


def test_a_trough_in_ng_ml_posted_as_an_observation(lea, lab_token):
    response, body = post(OBSERVATION_URL, observation("obs-1", 8.4), lab_token)
    assert response.status_code == 201, body
    assert response["Content-Type"] == "application/fhir+json"
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "information"
    trough = TroughLevel.objects.get(patient=lea)
    assert trough.value_ng_ml == Decimal("8.4")
    message = InboundMessage.objects.get()
    assert (message.sender, message.control_id, message.channel) == (
        "api:laboratoire-chu", "obs-1", "api")
    assert ApiToken.objects.get(name="laboratoire-chu").last_used_at is not None


def test_a_bundle_with_nmol_l_and_platelets(lea, lab_token):
    response, body = post(BUNDLE_URL, bundle("b-1", observation("o-1", 9.2, "nmol/L"),
                                             observation("o-2", 42, "10*9/L", code="777-3")),
                          lab_token)
    assert response.status_code == 201, body
    assert TroughLevel.objects.get(patient=lea).value_ng_ml == Decimal("8.41")
    assert lea.lab_results.filter(kind="platelets", value_canonical=42).exists()


def test_a_duplicate_is_answered_and_not_imported_twice(lea, lab_token):
    post(OBSERVATION_URL, observation("obs-1"), lab_token)
    response, body = post(OBSERVATION_URL, observation("obs-1"), lab_token)
    assert response.status_code == 200
    assert "déjà reçu" in body["issue"][0]["diagnostics"]
    assert TroughLevel.objects.filter(patient=lea).count() == 1


def test_an_unknown_patient_is_accepted_for_review(lea, lab_token):
    response, body = post(OBSERVATION_URL, observation("obs-1", ipp="800999999"), lab_token)
    assert response.status_code == 202
    assert InboundResult.objects.get().review_reason == "aucun patient avec l'IPP 800999999"
    assert not TroughLevel.objects.exists()


def test_a_corrected_observation_replaces_the_earlier_one(lea, lab_token):
    post(OBSERVATION_URL, observation("obs-1", 8.4), lab_token)
    response, _ = post(OBSERVATION_URL, observation("obs-2", 6.1, status="corrected"),
                       lab_token)
    assert response.status_code == 201
    first = InboundResult.objects.get(message__control_id="obs-1")
    item = InboundResult.objects.get(message__control_id="obs-2")
    assert item.corrects == first and item.status == "imported"
    assert TroughLevel.objects.get(pk=first.trough_id).voided_at is not None
    assert TroughLevel.objects.valid().get().value == Decimal("6.1")


@pytest.mark.parametrize(("body", "status", "words"), [
    ("{pas du json", 422, "JSON illisible"),
    ({"resourceType": "Observation", "id": "x", "status": "final"}, 422, "code"),
    ({"resourceType": "Patient", "id": "x"}, 422, "Patient non prise en charge"),
    ({**observation("obs-1"), "effectiveDateTime": "2026-11-30"}, 422, "effectiveDateTime"),
])
def test_malformed_resources_get_an_operation_outcome(lea, lab_token, body, status, words):
    response, outcome = post(OBSERVATION_URL, body, lab_token)
    assert response.status_code == status
    assert outcome["resourceType"] == "OperationOutcome"
    assert words in outcome["issue"][0]["diagnostics"]
    assert InboundMessage.objects.get().fate in ("error", "rejected")
    assert not TroughLevel.objects.exists()


def test_a_bundle_posted_as_an_observation_is_refused(lea, lab_token):
    response, _ = post(OBSERVATION_URL, bundle("b-1", observation()), lab_token)
    assert response.status_code == 422
    assert not TroughLevel.objects.exists()


def test_no_token_a_wrong_one_a_revoked_one_or_the_wrong_scope(lea, lab_token, reader_token):
    client = Client()
    response = client.post(OBSERVATION_URL, json.dumps(observation()),
                           content_type="application/fhir+json")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert post(OBSERVATION_URL, observation(), "sirpti_faux")[0].status_code == 401
    assert post(OBSERVATION_URL, observation(), reader_token)[0].status_code == 403
    call_command("create_api_token", "laboratoire-chu", "--revoke")
    response, body = post(OBSERVATION_URL, observation(), lab_token)
    assert response.status_code == 401 and "révoqué" in body["issue"][0]["diagnostics"]
    assert AuditEvent.objects.filter(action="apitoken.revoke").count() == 1
    assert not TroughLevel.objects.exists() and not InboundMessage.objects.exists()


def test_get_is_not_allowed_on_the_results_endpoints(lab_token):
    assert Client().get(OBSERVATION_URL).status_code == 405


def test_everything_is_a_valid_r4b_bundle(client, lea, reader_token, lab_token):
    post(OBSERVATION_URL, observation("obs-1", 8.4), lab_token)
    response = client.get(f"/api/fhir/Patient/{lea.pk}/$everything",
                          HTTP_AUTHORIZATION=f"Bearer {reader_token}")
    assert response.status_code == 200
    data = response.json()
    parsed = get_fhir_model_class("Bundle").model_validate(data)  # parsed back
    resources = [entry.resource for entry in parsed.entry]
    kinds = [r.get_resource_type() for r in resources]
    assert kinds.count("Patient") == 1 and "MedicationRequest" in kinds
    patient = resources[0]
    assert [(i.system, i.value) for i in patient.identifier] == [
        ("urn:oid:1.2.250.1.999.1.1.1", "800123456")]  # the IPP, no INS
    request = next(r for r in resources if r.get_resource_type() == "MedicationRequest")
    prescription = lea.prescriptions.get()
    assert request.status == "active"  # validated by the pharmacist
    assert request.dosageInstruction[0].doseAndRate[0].doseQuantity.value == \
        prescription.mg_per_day
    assert request.dosageInstruction[0].doseAndRate[1].doseQuantity.unit == "mL"
    assert "Validée par la pharmacie (Marc Petit)" in request.note[0].text
    codes = {r.code.coding[0].code: r for r in resources
             if r.get_resource_type() == "Observation"}
    assert set(codes) == {"29247-4", "26515-7", "29463-7", "8302-2"}
    assert codes["29247-4"].valueQuantity.value == Decimal("8.4")
    assert codes["29247-4"].valueQuantity.code == "ng/mL"
    assert codes["29463-7"].valueQuantity.code == "kg"
    line = AuditEvent.objects.get(action="patient.fhir_read")
    assert (line.patient_id, line.after["token"]) == (lea.pk, "dpi")


def test_everything_needs_the_read_scope_and_an_existing_patient(client, lea, lab_token,
                                                                 reader_token):
    url = f"/api/fhir/Patient/{lea.pk}/$everything"
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {lab_token}").status_code == 403
    response = client.get(f"/api/fhir/Patient/{lea.pk + 99}/$everything",
                          HTTP_AUTHORIZATION=f"Bearer {reader_token}")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_body_too_large_is_refused_with_an_operation_outcome(lea, lab_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response, body = post(BUNDLE_URL, bundle("b-1", *[observation(f"o-{n}") for n in range(9)]),
                          lab_token)
    assert response.status_code == 413
    assert "trop volumineuse" in body["issue"][0]["diagnostics"]
    assert not TroughLevel.objects.exists()


def test_a_body_that_is_not_utf8_is_refused(lea, lab_token):
    client = Client()
    response = client.post(OBSERVATION_URL, "é".encode("latin-1"),
                           content_type="application/fhir+json",
                           HTTP_AUTHORIZATION=f"Bearer {lab_token}")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_everything_costs_a_fixed_number_of_queries(client, lea, haematologist, reader_token,
                                                    django_assert_num_queries):
    from tests.web.test_workflow_data import trough

    url = f"/api/fhir/Patient/{lea.pk}/$everything"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {reader_token}"}
    client.get(url, **auth)
    # Token lookup and its last use, the patient, then one query per kind of record
    # (measurements, lab results, visits, co-medications, nurses' ticks, prescriptions with
    # their authors, troughs, adverse events), and the audit line: flat whatever the history.
    with django_assert_num_queries(12):
        client.get(url, **auth)
    for n in range(3):
        trough(haematologist, lea, timezone.localdate() - timedelta(days=n + 1), "7.5")
    with django_assert_num_queries(12):
        assert len(client.get(url, **auth).json()["entry"]) > 3
