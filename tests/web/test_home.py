"""Each role's home page: its worklist in short and the patients needing attention."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import LabResult
from sirolimus_app.presenters import attention
from sirolimus_app.services import prescriptions, records, worklists
from tests.web.test_workflow_data import (
    aware,
    eligible_patient,
    on_treatment,
    proposal,
    trough,
)

pytestmark = pytest.mark.django_db


def _started(haematologist, pharmacist, number, days_ago, last_name):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, number, last_name=last_name,
                               since=today - timedelta(days=days_ago + 5))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=days_ago))
    return patient


@pytest.fixture
def ward(haematologist, pharmacist, nurse):
    """One child of each situation that needs someone's attention, and one that does not."""
    today = timezone.localdate()
    toxic = _started(haematologist, pharmacist, "IPP-400", 20, "Toxique")
    trough(nurse, toxic, today - timedelta(days=13), "7")
    trough(nurse, toxic, today - timedelta(days=1), "17.2")
    late = _started(haematologist, pharmacist, "IPP-401", 12, "Enretard")
    waiting = eligible_patient(haematologist, "IPP-402", last_name="Attente")
    proposal(haematologist, waiting)
    no_response = _started(haematologist, pharmacist, "IPP-403", 100, "Sansreponse")
    trough(nurse, no_response, today - timedelta(days=93), "6")
    for days, count in ((60, "15"), (10, "14")):
        records.add_lab_result(haematologist, LabResult(
            patient=no_response, kind=LabResult.Kind.PLATELETS,
            sampled_at=aware(today - timedelta(days=days)), value=Decimal(count), unit="G/L"))
    fine = _started(haematologist, pharmacist, "IPP-404", 3, "Tranquille")
    return {"toxic": toxic, "late": late, "waiting": waiting, "no_response": no_response,
            "fine": fine}


def _attention(response, patient) -> str:
    marker = f'data-testid="attention-{patient.pk}"'
    return response.text.split(marker)[1].split("</li>\n        \n")[0] \
        if marker in response.text else ""


def test_patients_needing_attention_each_with_its_reason(client, ward, haematologist):
    client.force_login(haematologist)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    toxic = _attention(response, ward["toxic"])
    assert "Résiduel toxique sans suspension" in toxic and "TOX-SUSPEND" in toxic
    assert re.search(r"17[.,]2 ng/ml", toxic)  # the engine's own message
    assert "Taux résiduel en retard" in _attention(response, ward["late"])
    assert "T0 J7 prévu le" in _attention(response, ward["late"])
    assert "Prescription en attente de validation" in _attention(response, ward["waiting"])
    no_response = _attention(response, ward["no_response"])
    assert "Pas de réponse à 3 mois" in no_response and "RESP-DELAY" in no_response
    assert _attention(response, ward["fine"]) == ""
    # the most urgent first
    assert response.text.index(f'attention-{ward["toxic"].pk}"') < response.text.index(
        f'attention-{ward["waiting"].pk}"')


def test_a_suspended_toxic_patient_no_longer_needs_suspending(ward, haematologist):
    prescriptions.suspend(haematologist, ward["toxic"].pk, "T0 17,2 ng/ml")
    scans = worklists.scan(patients=worklists.followed_patients().filter(pk=ward["toxic"].pk))
    reasons = attention.of_scan(scans[0], timezone.localdate())
    assert "toxic_trough" not in [a.code for a in reasons]


def test_pharmacist_home_lists_the_proposals_to_validate(client, ward, pharmacist):
    client.force_login(pharmacist)
    response = client.get(reverse("home"))
    pending = response.text.split('data-testid="home-pending"')[1].split("</section>")[0]
    assert "ATTENTE Léa" in pending and "Début" in pending
    assert reverse("prescription_review", args=[ward["waiting"].prescriptions.get().pk]) in pending
    assert 'data-testid="home-care"' not in response.text


def test_nurse_home_counts_the_care_due(client, ward, nurse):
    client.force_login(nurse)
    response = client.get(reverse("home"))
    care = response.text.split('data-testid="home-care"')[1].split("</section>")[0]
    assert "ENRETARD Léa" in care and "T0 J7" in care
    assert "prélever juste avant la prise du matin" in care
    assert 'data-testid="home-pending"' not in response.text
    assert 'data-testid="home-rejected"' not in response.text


def test_haematologist_home_shows_rejections_of_their_proposals_only(
        client, haematologist, haematologist2, pharmacist):
    mine = proposal(haematologist, eligible_patient(haematologist, "IPP-410"))
    theirs = proposal(haematologist2, eligible_patient(haematologist2, "IPP-411",
                                                       last_name="Autre"))
    prescriptions.reject(pharmacist, mine.pk, mine.version, "Allergie à vérifier")
    prescriptions.reject(pharmacist, theirs.pk, theirs.version, "Poids ancien")
    client.force_login(haematologist)
    rejected = client.get(reverse("home")).text.split('data-testid="home-rejected"')[1]
    rejected = rejected.split("</section>")[0]
    assert "Allergie à vérifier" in rejected and "Marc Petit" in rejected
    assert "Poids ancien" not in rejected


def test_no_role_and_anonymous(client, outsider):
    assert "/compte/connexion/" in client.get(reverse("home")).url
    client.force_login(outsider)
    response = client.get(reverse("home"))
    assert response.status_code == 403 and 'data-testid="no-role"' in response.text
    assert client.get(reverse("healthz")).text == "ok"


def test_home_queries_do_not_grow_with_patients(client, haematologist, pharmacist, nurse,
                                                django_assert_num_queries):
    _started(haematologist, pharmacist, "IPP-420", 7, "Premier")
    proposal(haematologist, eligible_patient(haematologist, "IPP-421", last_name="Second"))
    client.force_login(haematologist)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))
    for n in range(2, 8):
        patient = _started(haematologist, pharmacist, f"IPP-42{n}", 7 + n, f"Nom{n}")
        trough(nurse, patient, timezone.localdate(), "16")
        proposal(haematologist, eligible_patient(haematologist, f"IPP-43{n}",
                                                 last_name=f"Autre{n}"))
    with django_assert_num_queries(len(captured)):
        response = client.get(reverse("home"))
    # 6 toxic troughs and 7 proposals awaiting validation; the first 10 shown
    assert response.text.count('data-testid="attention-') == 10
    assert "10 premiers sur 13." in response.text


def test_patients_needing_attention_in_english(client, ward, haematologist):
    """The engine's stored texts (toxic trough, no response, calendar names, the nurse's
    instruction) follow the interface language like the rest of the page."""
    client.force_login(haematologist)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"))
    toxic = _attention(response, ward["toxic"])
    assert "Toxic trough without suspension" in toxic and "TOX-SUSPEND" in toxic
    assert re.search(r"17\.2 ng/ml", toxic) and "Résiduel" not in toxic
    late = _attention(response, ward["late"])
    assert "T0 D7" in late and "T0 J7" not in late
    no_response = _attention(response, ward["no_response"])
    assert "RESP-DELAY" in no_response and "réponse" not in no_response
    worklist = client.get(reverse("nurse_worklist")).text
    # The engine's instruction stored with each trough, in English.
    assert "sample just before the morning dose" in worklist
    assert "prélever juste avant" not in worklist.lower()
