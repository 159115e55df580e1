"""Two pharmacists validating the same proposal at the same moment: exactly one wins, the
other is told. Real threads and connections on PostgreSQL; on SQLite the same guarantee rests
on the version check (see test_workflow.py::test_validating_with_a_stale_version_is_refused)."""

import threading
import time

import pytest
from django.db import connection, connections

from sirolimus_app.models import AuditEvent, Prescription
from sirolimus_app.services import audit, prescriptions
from sirolimus_app.services.errors import ConcurrentChangeError
from tests.web.test_workflow_data import eligible_patient, proposal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")


def _in_thread(results, name, call):
    try:
        results[name] = call()
    except ConcurrentChangeError as error:
        results[name] = error
    finally:
        connections.close_all()  # this thread's own connection


def _outcome(results):
    winners = [r for r in results.values() if isinstance(r, Prescription)]
    losers = [r for r in results.values() if isinstance(r, ConcurrentChangeError)]
    return winners, losers


def test_two_pharmacists_at_once_exactly_one_wins(haematologist, pharmacist, pharmacist2):
    proposed = proposal(haematologist, eligible_patient(haematologist, "IPP-200"))
    start = threading.Barrier(2)
    results = {}

    def validate(user):
        start.wait()
        return prescriptions.validate(user, proposed.pk, proposed.version)

    threads = [threading.Thread(target=_in_thread, args=(results, user.username,
                                                         lambda u=user: validate(u)))
               for user in (pharmacist, pharmacist2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners, losers = _outcome(results)
    assert len(winners) == 1 and len(losers) == 1, results
    assert "En cours" in losers[0].message or "Une autre personne" in losers[0].message
    saved = Prescription.objects.get(pk=proposed.pk)
    assert saved.status == Prescription.Status.ACTIVE
    assert saved.reviewed_by == winners[0].reviewed_by
    assert AuditEvent.objects.filter(action="prescription.validate").count() == 1


def test_the_loser_blocked_on_the_row_is_refused_by_the_conditional_update(
        haematologist, pharmacist, pharmacist2, monkeypatch):
    """The first pharmacist's transaction is held open after its UPDATE; the second reads the
    old 'proposed' row (read committed), waits on the row lock, and its conditional UPDATE
    then matches nothing once the first commits."""
    proposed = proposal(haematologist, eligible_patient(haematologist, "IPP-201"))
    holding, release = threading.Event(), threading.Event()
    record = audit.record

    def slow_record(user, action, instance, **kwargs):
        line = record(user, action, instance, **kwargs)
        if user == pharmacist and action == "prescription.activate":
            holding.set()
            release.wait(timeout=30)
        return line

    monkeypatch.setattr(audit, "record", slow_record)
    results = {}
    first = threading.Thread(target=_in_thread, args=(results, "first", lambda: (
        prescriptions.validate(pharmacist, proposed.pk, proposed.version))))
    second = threading.Thread(target=_in_thread, args=(results, "second", lambda: (
        prescriptions.validate(pharmacist2, proposed.pk, proposed.version))))
    first.start()
    assert holding.wait(timeout=30)
    second.start()
    time.sleep(0.5)  # the second is now waiting on the row lock
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert isinstance(results["first"], Prescription)
    assert isinstance(results["second"], ConcurrentChangeError)
    assert "Une autre personne vient de modifier cette prescription (« En cours »)" in \
        results["second"].message
    saved = Prescription.objects.get(pk=proposed.pk)
    assert (saved.status, saved.reviewed_by) == (Prescription.Status.ACTIVE, pharmacist)
