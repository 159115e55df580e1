"""Two pharmacists pressing Valider at once on a proposal made stale by a forbidden drug
added after it: both are refused by the engine, nothing is validated. Real threads and
connections on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from sirolimus_app.models import AuditEvent, CoMedication, Prescription
from sirolimus_app.services import prescriptions, records
from sirolimus_app.services.decisions import ForbiddenError
from tests.web.test_workflow_data import eligible_patient, proposal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")


def test_two_pharmacists_at_once_are_both_refused_after_a_forbidden_drug(
        haematologist, pharmacist, pharmacist2):
    proposed = proposal(haematologist, eligible_patient(haematologist, "IPP-930"))
    records.add_comedication(haematologist, CoMedication(
        patient=proposed.patient, name="mycophénolate", start_date=timezone.localdate()))
    start = threading.Barrier(2)
    results = {}

    def validate(user):
        try:
            start.wait()
            results[user.username] = prescriptions.validate(user, proposed.pk, proposed.version)
        except ForbiddenError as error:
            results[user.username] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=validate, args=(user,))
               for user in (pharmacist, pharmacist2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 2
    assert all(isinstance(r, ForbiddenError) and "NO-OTHER-IS" in r.message
               for r in results.values()), results
    assert Prescription.objects.get(pk=proposed.pk).status == Prescription.Status.PROPOSED
    assert not AuditEvent.objects.filter(action="prescription.validate").exists()
