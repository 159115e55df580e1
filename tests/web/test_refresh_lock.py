"""The nightly refresh on several app servers: two runs started at once run one after the
other (or, with --no-wait, once), through a lock held by the database itself (PostgreSQL
advisory lock; on SQLite a lock on a file beside the database)."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from sirolimus_app.dblock import LockBusy, exclusive
from sirolimus_app.management.commands import refresh_schedules

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def runs(monkeypatch):
    """Each refresh's start and end (the engine work itself is what test_schedule checks)."""
    spans = []

    def slow_refresh(pks, today, chunk_size):
        started = time.monotonic()
        time.sleep(0.4)
        spans.append((started, time.monotonic()))
        return 0

    monkeypatch.setattr(refresh_schedules, "refresh_patients", slow_refresh)
    monkeypatch.setattr(refresh_schedules, "update_planner_statistics", lambda: None)
    return spans


def _in_threads(*argv_lists):
    """Start the commands in threads at the same instant (each its own connection, as two
    servers would); return their outputs."""
    barrier = threading.Barrier(len(argv_lists))
    outputs = [StringIO() for _ in argv_lists]
    errors = []

    def run(argv, out):
        try:
            barrier.wait(10)
            call_command("refresh_schedules", *argv, stdout=out)
        except Exception as error:  # noqa: BLE001 (reported to the test)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(argv, out))
               for argv, out in zip(argv_lists, outputs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return [out.getvalue() for out in outputs]


def test_two_refreshes_started_together_run_one_after_the_other(runs):
    outputs = _in_threads([], [])
    assert len(runs) == 2
    (first_start, first_end), (second_start, _second_end) = sorted(runs)
    assert second_start >= first_end  # never both at once
    assert all("Calendriers recalculés" in out for out in outputs)


def test_with_no_wait_the_second_server_leaves_it_to_the_first(runs):
    outputs = _in_threads(["--no-wait"], ["--no-wait"])
    assert len(runs) == 1
    assert sorted("déjà en cours" in out for out in outputs) == [False, True]


def test_the_lock_is_free_again_after_a_run_and_after_an_error(runs):
    call_command("refresh_schedules", stdout=StringIO())
    with pytest.raises(RuntimeError), exclusive("refresh_schedules", wait=False):
        raise RuntimeError("the refresh failed")
    with exclusive("refresh_schedules", wait=False):
        with pytest.raises(LockBusy):
            _held_elsewhere("refresh_schedules")


def _held_elsewhere(name):
    """Try the lock from another thread (another connection), without waiting."""
    result = []

    def attempt():
        try:
            with exclusive(name, wait=False):
                result.append("taken")
        except LockBusy as busy:
            result.append(busy)
        finally:
            connections.close_all()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(10)
    if isinstance(result[0], LockBusy):
        raise result[0]
