"""The demo patients: each typical situation of the protocol is there, as the engine sees it,
with a real audit trail, and loading twice adds nothing."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from sirolimus_app.demo import BUILDERS, load_demo_patients
from sirolimus_app.models import AuditEvent, Patient, Prescription
from sirolimus_app.services.engine import advise_patient, prefetch_clinical


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = True
    call_command("load_demo")
    settings.DEBUG = False
    return {p.hospital_number: p for p in prefetch_clinical(Patient.objects.all())}


def advice(patient) -> dict:
    """The engine's advice as its contract writes it (docs/advise-contract.md)."""
    result = advise_patient(patient)
    assert result.problems == [], result.problems
    return result.advice.to_dict()


def test_loading_twice_adds_nothing(loaded):
    assert set(loaded) == set(BUILDERS)
    users = {u.username: u for u in User.objects.all()}
    counts = (Patient.objects.count(), Prescription.objects.count(), AuditEvent.objects.count())
    assert load_demo_patients(users) == 0
    assert counts == (Patient.objects.count(), Prescription.objects.count(),
                      AuditEvent.objects.count())


def test_new_referral_is_eligible_with_its_work_up_done(loaded):
    result = advice(loaded["DEMO-001"])
    assert result["eligible"] and result["dose"]["action"] == "start"
    workup = [c for c in result["eligibility"] if c["rule"] == "PRE-WORKUP"]
    assert len(workup) == 3 and all(c["status"] == "ok" for c in workup)
    assert not loaded["DEMO-001"].prescriptions.exists()


def test_soy_allergy_is_not_eligible(loaded):
    result = advice(loaded["DEMO-002"])
    assert result["eligible"] is False
    assert any(c["rule"] == "CI-SOY-PEANUT" and c["status"] == "blocking"
               for c in result["eligibility"])


def test_day_7_toxic_trough_advises_suspension(loaded):
    result = advice(loaded["DEMO-003"])
    assert result["day_of_treatment"] == 7
    assert result["dose"]["action"] == "suspend"
    assert any(a["rule"] == "TOX-SUSPEND" and a["severity"] == "critical"
               for a in result["alerts"])
    assert result["troughs"][-1]["value_ng_ml"] == 16


def test_day_25_non_responder_is_offered_the_increase(loaded):
    result = advice(loaded["DEMO-004"])
    assert result["day_of_treatment"] == 25
    assert result["response"]["status"] == "no_response"
    assert [o["action"] for o in result["options"]] == ["increase"]
    assert result["troughs"][-1]["value_ng_ml"] == 3.1


def test_fourteen_months_of_complete_response_offer_the_taper(loaded):
    result = advice(loaded["DEMO-005"])
    assert result["response"]["status"] == "complete_response"
    assert result["response"]["confirmed"]
    assert result["taper"]["rule"] == "TAPER-AFTER-CR"
    assert any("TAPER-AFTER-CR" in o["rules"] for o in result["options"])


def test_a_proposal_awaits_the_pharmacist(loaded):
    prescription = loaded["DEMO-006"].prescriptions.get()
    assert prescription.status == Prescription.Status.PROPOSED
    assert prescription.proposed_by.username == "hematologue"


def test_one_patient_takes_tablets(loaded):
    prescription = loaded["DEMO-007"].prescriptions.get()
    assert prescription.status == Prescription.Status.ACTIVE
    assert prescription.form == "tablets" and prescription.tablets == {"2": 1, "1": 1}


def test_a_refused_proposal_carries_the_pharmacist_reason(loaded):
    prescription = loaded["DEMO-008"].prescriptions.get()
    assert prescription.status == Prescription.Status.REJECTED
    assert prescription.reviewed_by.username == "pharmacien"
    assert "repeser" in prescription.rejection_reason


def test_the_audit_trail_names_the_three_demo_users(loaded):
    actors = set(AuditEvent.objects.filter(patient=loaded["DEMO-003"])
                 .values_list("user__username", flat=True))
    assert actors == {"hematologue", "infirmiere", "pharmacien"}


def test_every_demo_patient_page_renders(client, loaded):
    client.force_login(User.objects.get(username="hematologue"))
    for patient in loaded.values():
        for name in ("patient_detail", "patient_eligibility", "patient_proposal"):
            response = client.get(reverse(name, args=[patient.pk]))
            assert response.status_code == 200, (patient.hospital_number, name)
