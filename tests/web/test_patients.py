"""Patient list, creation and edition: who may, what is saved, what is refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.demo import Demo
from sirolimus_app.models import AuditEvent, Patient
from sirolimus_app.services import records


@pytest.fixture
def demo(haematologist, nurse, pharmacist):
    return Demo(doctor=haematologist, nurse=nurse, pharmacist=pharmacist,
                today=timezone.localdate())


def new_patient(demo, number="IPP-1", last="Dupont", first="Alice"):
    return demo.patient(number, last, first, age_days=9 * 365, sex="F",
                        diagnosed_days_ago=500)


def patient_data(**changes):
    today = timezone.localdate()
    data = {
        "hospital_number": "ipp-42", "last_name": "Lambert", "first_name": "Zoé",
        "birth_date": (today - timedelta(days=8 * 365)).isoformat(), "sex": "F",
        "diagnosis_date": (today - timedelta(days=400)).isoformat(), "itp_phase": "chronic",
        "severity_signs": "on", "workup_updated": "on", "allergies": "",
        "vzv_immune": "true", "bsa_formula": "mosteller", "form": "solution",
    }
    data.update(changes)
    return data


# --- list -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["haematologist", "nurse", "pharmacist"])
def test_list_is_open_to_each_clinical_role(client, cast, demo, role):
    new_patient(demo)
    client.force_login(cast[role])
    response = client.get(reverse("patient_list"))
    assert response.status_code == 200
    assert "DUPONT Alice" in response.content.decode()


def test_list_refuses_a_user_without_role(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("patient_list")).status_code == 403


def test_list_sends_anonymous_users_to_login(client, db):
    response = client.get(reverse("patient_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_searches_names_and_hospital_numbers(client, haematologist, demo):
    new_patient(demo, "IPP-1", "Dupont", "Alice")
    new_patient(demo, "IPP-2", "Moreau", "Basile")
    client.force_login(haematologist)
    by_name = client.get(reverse("patient_list"), {"q": "mor"}).content.decode()
    assert "MOREAU Basile" in by_name and "DUPONT" not in by_name
    by_number = client.get(reverse("patient_list"), {"q": "ipp-1"}).content.decode()
    assert "DUPONT Alice" in by_number and "MOREAU" not in by_number
    both_words = client.get(reverse("patient_list"), {"q": "alice dupont"}).content.decode()
    assert "DUPONT Alice" in both_words
    nobody = client.get(reverse("patient_list"), {"q": "zzz"}).content.decode()
    assert "Aucun patient ne correspond à « zzz »" in nobody


def test_list_is_paginated(client, haematologist, demo):
    for i in range(27):
        new_patient(demo, f"IPP-{i:02}", f"Nom{i:02}", "Test")
    client.force_login(haematologist)
    first = client.get(reverse("patient_list")).content.decode()
    assert "NOM00 Test" in first and "NOM26" not in first and "Page 1 sur 2" in first
    second = client.get(reverse("patient_list"), {"page": 2}).content.decode()
    assert "NOM26 Test" in second and "NOM00" not in second


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("patient_list")).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_patients(client, haematologist, demo):
    client.force_login(haematologist)
    started = new_patient(demo, "IPP-A")
    demo.measure(started, 3, "30", "135")
    demo.workup(started, 3, "10")
    demo.start(started, 2)
    few = _list_queries(client)
    for i in range(12):
        patient = new_patient(demo, f"IPP-B{i}")
        demo.measure(patient, 3, "30", "135")
        demo.workup(patient, 3, "10")
        demo.propose(patient)
    assert _list_queries(client) == few


def test_list_shows_current_dose_and_pending_proposal(client, haematologist, demo):
    patient = new_patient(demo)
    demo.measure(patient, 3, "28.4", "132")
    demo.workup(patient, 3, "10")
    demo.propose(patient)
    client.force_login(haematologist)
    html = client.get(reverse("patient_list")).content.decode()
    # 2 mg/m²/day × 1.0205 m² = 2.04 mg: the nearest realisable dose, 2 mg (issue 12)
    assert "Proposée : 2 mg/j" in html


# --- create ---------------------------------------------------------------------------

def test_haematologist_creates_a_patient(client, haematologist):
    client.force_login(haematologist)
    response = client.post(reverse("patient_create"), patient_data())
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])
    assert patient.hospital_number == "IPP-42" and patient.vzv_immune is True
    assert AuditEvent.objects.filter(patient=patient, action="patient.create",
                                     user=haematologist).exists()


def test_create_form_is_in_french(client, haematologist):
    client.force_login(haematologist)
    html = client.get(reverse("patient_create")).content.decode()
    assert "Numéro de dossier (IPP)" in html and "Date de naissance" in html


@pytest.mark.parametrize("role", ["nurse", "pharmacist", "outsider"])
def test_create_is_refused_to_other_roles(client, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("patient_create")).status_code == 403
    assert client.post(reverse("patient_create"), patient_data()).status_code == 403
    assert not Patient.objects.exists()


def test_create_sends_anonymous_users_to_login(client, db):
    response = client.post(reverse("patient_create"), patient_data())
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Patient.objects.exists()


@pytest.mark.parametrize("changes,message", [
    ({"birth_date": (timezone.localdate() + timedelta(days=3)).isoformat()},
     "La date ne peut pas être dans le futur."),
    ({"diagnosis_date": (timezone.localdate() - timedelta(days=9 * 365)).isoformat()},
     "Le diagnostic ne peut pas précéder la naissance."),
    ({"birth_date": "1990-01-01", "diagnosis_date": "2000-01-01"},
     "ce protocole concerne les enfants et adolescents"),
    ({"last_name": ""}, "Ce champ est obligatoire."),
    ({"birth_date": "31/02/2020"}, "Saisissez une date valide."),
])
def test_create_with_bad_input_saves_nothing(client, haematologist, changes, message):
    client.force_login(haematologist)
    response = client.post(reverse("patient_create"), patient_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Patient.objects.exists()


def test_create_refuses_a_duplicate_hospital_number(client, haematologist, demo):
    new_patient(demo, "IPP-42")
    client.force_login(haematologist)
    response = client.post(reverse("patient_create"), patient_data())
    assert "Un patient porte déjà ce numéro de dossier." in response.content.decode()
    assert Patient.objects.count() == 1


# --- edit -----------------------------------------------------------------------------

def _edit_data(patient, **changes):
    data = patient_data(hospital_number=patient.hospital_number,
                        last_name=patient.last_name, first_name=patient.first_name,
                        birth_date=patient.birth_date.isoformat(),
                        diagnosis_date=patient.diagnosis_date.isoformat(),
                        version=patient.version)
    data.update(changes)
    return data


def test_haematologist_edits_a_patient(client, haematologist, demo):
    patient = new_patient(demo)
    client.force_login(haematologist)
    form = client.get(reverse("patient_edit", args=[patient.pk])).content.decode()
    assert 'name="version" value="1"' in form
    response = client.post(reverse("patient_edit", args=[patient.pk]),
                           _edit_data(patient, allergies="arachide"))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.allergies == "arachide" and patient.version == 2
    event = AuditEvent.objects.get(patient=patient, action="patient.update")
    assert event.before["allergies"] == "" and event.after["allergies"] == "arachide"


def test_edit_after_someone_else_saved_shows_the_newer_version(client, haematologist,
                                                               haematologist2, demo):
    patient = new_patient(demo)
    stale = _edit_data(patient, allergies="arachide")  # loaded at version 1
    other = Patient.objects.get(pk=patient.pk)
    other.first_name = "Alicia"
    records.update_patient(haematologist2, other, expected_version=1)
    client.force_login(haematologist)
    response = client.post(reverse("patient_edit", args=[patient.pk]), stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "modifié par quelqu&#x27;un d&#x27;autre" in html
    assert 'value="Alicia"' in html and 'name="version" value="2"' in html
    assert "Vos saisies non enregistrées" in html and "arachide" in html
    patient.refresh_from_db()
    assert patient.first_name == "Alicia" and patient.allergies == ""


@pytest.mark.parametrize("role", ["nurse", "pharmacist", "outsider"])
def test_edit_is_refused_to_other_roles(client, cast, demo, role):
    patient = new_patient(demo)
    client.force_login(cast[role])
    response = client.post(reverse("patient_edit", args=[patient.pk]),
                           _edit_data(patient, allergies="soja"))
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.allergies == ""


def test_edit_with_bad_input_saves_nothing(client, haematologist, demo):
    patient = new_patient(demo)
    client.force_login(haematologist)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("patient_edit", args=[patient.pk]),
                           _edit_data(patient, diagnosis_date=future, last_name="X"))
    assert "La date ne peut pas être dans le futur." in response.content.decode()
    patient.refresh_from_db()
    assert patient.last_name == "Dupont" and patient.version == 1


def test_edit_of_a_missing_patient_is_404(client, haematologist):
    client.force_login(haematologist)
    assert client.get(reverse("patient_edit", args=[999])).status_code == 404
