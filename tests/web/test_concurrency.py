"""Two people changing the same patient or prescription at the same moment, on PostgreSQL
(the production engine; real row locks, one connection per thread): nobody silently
overwrites the other, and the one who lost is told and shown the newer version.

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (the CI's second pass).
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from sirolimus_app.models import AuditEvent, Patient, Prescription
from sirolimus_app.services import prescriptions, records
from sirolimus_app.services.errors import ConcurrentChangeError
from tests.web.test_fuzz_forms import forms_on, values
from tests.web.test_security_factories import TODAY, new_patient, proposed_prescription

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: run with DATABASE_URL=postgres://…")


def together(*jobs, timeout=30):
    """Run the jobs in threads released at the same instant; return results or errors."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 (reported to the test)
            results[index] = error
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results


def _edit(user, pk, **changes):
    def job():
        patient = Patient.objects.get(pk=pk)
        for name, value in changes.items():
            setattr(patient, name, value)
        return records.update_patient(user, patient, expected_version=1)
    return job


def test_two_simultaneous_edits_one_wins_the_other_is_told(haematologist, haematologist2):
    patient = new_patient(haematologist)
    results = together(_edit(haematologist, patient.pk, allergies="soja, pénicilline"),
                       _edit(haematologist2, patient.pk, first_name="Zoë"))
    winners = [r for r in results if isinstance(r, Patient)]
    losers = [r for r in results if isinstance(r, ConcurrentChangeError)]
    assert len(winners) == 1 and len(losers) == 1, results
    saved = Patient.objects.get(pk=patient.pk)
    assert saved.version == 2
    # The winner's change only: the loser's change was refused, not merged in silently.
    assert (saved.allergies, saved.first_name) in {("soja, pénicilline", "Zoé"),
                                                   ("soja", "Zoë")}
    assert AuditEvent.objects.filter(action="patient.update").count() == 1
    assert "modifié par quelqu'un d'autre" in losers[0].message


def test_the_one_who_lost_is_shown_the_newer_version(haematologist, haematologist2):
    """The loser read the record before the winner committed, and waited on the row lock:
    what it is shown must be the winner's version, not the one it read first."""
    patient = new_patient(haematologist)
    committed = threading.Event()

    def winner():
        with transaction.atomic():
            fresh = Patient.objects.get(pk=patient.pk)
            fresh.allergies = "arachide"
            records.update_patient(haematologist, fresh, expected_version=1)
            time.sleep(1.0)  # hold the row lock while the other one reads and waits
        committed.set()

    def loser():
        time.sleep(0.3)  # the winner has updated, not committed
        stale = Patient.objects.get(pk=patient.pk)
        stale.first_name = "Zoë"
        return records.update_patient(haematologist2, stale, expected_version=1)

    _none, error = together(winner, loser)
    assert committed.is_set()
    assert isinstance(error, ConcurrentChangeError), error
    assert error.current.version == 2
    assert error.current.allergies == "arachide"


def test_two_people_saving_the_edit_form_at_once(haematologist, haematologist2):
    patient = new_patient(haematologist)
    url = reverse("patient_edit", args=[patient.pk])
    clients = []
    for user in (haematologist, haematologist2):
        client = Client()
        client.force_login(user)
        clients.append(client)
    base = values(forms_on(clients[0], url, url)[0])  # the form as both pages show it
    assert base["version"] == "1"
    first, second = together(
        lambda: clients[0].post(url, {**base, "allergies": "arachide"}),
        lambda: clients[1].post(url, {**base, "allergies": "kiwi"}))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 302], statuses
    told = first if first.status_code == 200 else second
    won = "arachide" if told is second else "kiwi"
    page = told.content.decode()
    assert "modifié par quelqu&#x27;un d&#x27;autre" in page or \
        "modifié par quelqu'un d'autre" in page
    assert f'value="{won}"' in page  # the form now holds the newer version
    assert Patient.objects.get(pk=patient.pk).allergies == won


def test_two_pharmacists_validating_the_same_proposal(haematologist, pharmacist, pharmacist2,
                                                     hand_made_proposals):
    """The proposal is built by hand (the engine's check at validation is tested in
    test_decisions): what is tested here is the row lock between two validations."""
    patient = new_patient(haematologist)
    proposal = proposed_prescription(patient, haematologist)
    results = together(
        lambda: prescriptions.validate(pharmacist, proposal.pk, 1, today=TODAY),
        lambda: prescriptions.validate(pharmacist2, proposal.pk, 1, today=TODAY))
    done = [r for r in results if isinstance(r, Prescription)]
    told = [r for r in results if isinstance(r, ConcurrentChangeError)]
    assert len(done) == 1 and len(told) == 1, results
    assert told[0].current.status != Prescription.Status.PROPOSED  # shown what it became
    assert Prescription.objects.get(pk=proposal.pk).status == Prescription.Status.ACTIVE
    assert AuditEvent.objects.filter(action="prescription.validate").count() == 1


def test_validation_and_withdrawal_at_once(haematologist, pharmacist, hand_made_proposals):
    patient = new_patient(haematologist)
    proposal = proposed_prescription(patient, haematologist)
    results = together(
        lambda: prescriptions.validate(pharmacist, proposal.pk, 1, today=TODAY),
        lambda: prescriptions.withdraw(haematologist, proposal.pk, 1))
    assert sum(isinstance(r, Prescription) for r in results) == 1, results
    assert sum(isinstance(r, ConcurrentChangeError) for r in results) == 1, results
    final = Prescription.objects.get(pk=proposal.pk).status
    assert final in (Prescription.Status.ACTIVE, Prescription.Status.REJECTED)
    assert AuditEvent.objects.filter(
        action__in=["prescription.validate", "prescription.withdraw"]).count() == 1
