"""Query counts that stay flat: the home pages and worklists with 5 then 50 patients, the
patient pages with a short then a two-year history. Timings live in `make bench`, never in a
test; the registry is the benchmark's synthetic one (with its stored schedules)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.bench.measure import measured_pages, sheet_day
from sirolimus_app.bench.registry import HISTORY_PATIENT, seed_registry
from sirolimus_app.models import (
    AdverseEvent,
    CoMedication,
    MonitoringCheck,
    Patient,
    Prescription,
    ScheduleItem,
)
from sirolimus_app.services import audit, schedule
from sirolimus_app.views.nursing import PER_PAGE
from tests.web.test_workflow_data import eligible_patient, proposal

pytestmark = pytest.mark.django_db

# (role, URL name, query string, queries). None of these grows with the number of patients:
# every list reads one page of rows and counts the rest in SQL.
LIST_PAGES = [
    # the haematologist's home: attention list, due now, counts, rejected proposals. The
    # counts by section are one query over the listed items grouped by appointment day (they
    # were the statuses' overdue sum and a query for the coming week): one query less.
    ("haematologist", "home", "", 19),
    ("nurse", "home", "", 18),  # attention list, due now, counts
    ("pharmacist", "home", "", 18),  # attention list, proposals to validate
    # The worklist pages through children's days (patient + appointment): one query for the
    # page's days, one for their items; the counts (items, days) in one query.
    ("nurse", "nurse_worklist", "", 15),
    ("nurse", "nurse_worklist", "?periode=overdue", 15),
    ("nurse", "nurse_worklist", "?page=2", 15),
    # 10 for the page, + 8 to re-run the engine on the page's proposals (issue 14): the 8
    # record kinds build_course reads, once per page (services.engine.fetch_records; the
    # patients come with the proposals).
    ("pharmacist", "pharmacy_worklist", "", 18),
    ("haematologist", "patient_list", "", 11),
    ("haematologist", "patient_list", "?q=Martin", 11),
]
# (URL name, queries) whatever the length of the history: the record is prefetched in a fixed
# number of queries (access.get_patient_record_for_user), the history page reads one page of
# audit lines. The patient page reads its latest audit lines too: one query more than the
# eligibility page. The nurses' ticks are prefetched with the records (the engine decides which
# record or tick fulfilled each calendar item): one query. The history page lists every entry
# of five kinds of record, one query per kind, whatever their number. Each page writes one
# access-log line (one INSERT; tests/web/test_security_access_log.py pins it to exactly 1).
PATIENT_PAGES = [("patient_detail", 19), ("patient_eligibility", 18), ("patient_proposal", 18),
                 ("patient_history", 20)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _small_registry(haematologist) -> None:
    """5 patients (the two-year one among them), one with a proposal awaiting validation so
    that every list has rows: an empty list spares the query that reads its rows."""
    seed_registry(3, timezone.localdate())
    proposal(haematologist, eligible_patient(haematologist, "IPP-PERF", last_name="Martin"))
    assert Patient.objects.count() == 5


@pytest.mark.parametrize("role,name,query,queries", LIST_PAGES)
def test_list_pages_query_the_same_for_5_and_50_patients(client, cast, role, name, query,
                                                         queries, django_assert_num_queries):
    _small_registry(cast["haematologist"])
    client.force_login(cast[role])
    url = reverse(name) + query
    assert _queries(client, url) == queries
    seed_registry(45, timezone.localdate(), first=3)
    assert Patient.objects.count() == 50
    with django_assert_num_queries(queries):
        page = client.get(url)
    assert page.status_code == 200


def test_the_larger_registry_fills_the_pages(client, cast):
    """The flat counts above are measured on pages with rows in them."""
    seed_registry(50, timezone.localdate())
    client.force_login(cast["nurse"])
    worklist = client.get(reverse("nurse_worklist")).text
    assert worklist.count('data-testid="child-day-') == PER_PAGE  # one row per child's day
    assert worklist.count('data-testid="due-') >= PER_PAGE
    client.force_login(cast["haematologist"])
    home = client.get(reverse("home")).text
    assert home.count('data-testid="attention-') >= 5
    assert Prescription.objects.filter(status="proposed").exists()


@pytest.mark.parametrize("name,queries", PATIENT_PAGES)
def test_patient_pages_query_the_same_for_short_and_long_histories(
        client, haematologist, name, queries, django_assert_num_queries):
    seed_registry(30, timezone.localdate())
    long = Patient.objects.get(hospital_number=HISTORY_PATIENT)
    short = (Patient.objects.filter(prescriptions__status="active")
             .annotate(drawn=Count("troughs", distinct=True)).filter(drawn__gt=0)
             .order_by("drawn", "pk").first())
    assert long.troughs.count() > 3 * short.troughs.count() > 0
    # The synthetic registry writes an audit trail for the two-year patient only.
    audit.record(haematologist, "patient.update", short, before={}, after={})
    assert long.audit_events.count() > 3 * short.audit_events.count()
    client.force_login(haematologist)
    assert _queries(client, reverse(name, args=[short.pk])) == queries
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[long.pk])).status_code == 200


def _refresh_queries(ids) -> int:
    with CaptureQueriesContext(connection) as captured:
        schedule.refresh_patients(ids, timezone.localdate())
    return len(captured)


def test_the_nightly_refresh_reads_and_writes_a_chunk_in_the_same_queries_whatever_it_holds(
        haematologist):
    """One chunk of `refresh_schedules` (services.schedule._refresh): the same queries for
    the child with the shortest treatment as for 30 children with the two-year patient among
    them, every kind of record present (a column the engine reads but the refresh does not
    load would cost a query per record: services.engine.READ)."""
    seed_registry(30, timezone.localdate())
    long = Patient.objects.get(hospital_number=HISTORY_PATIENT)
    _every_kind_of_record(long, haematologist)
    eligible_patient(haematologist, "IPP-NEVER")  # and a child with no prescription yet
    short = (Patient.objects.filter(prescriptions__status="active")
             .annotate(drawn=Count("troughs", distinct=True))
             .order_by("drawn", "pk").first())
    assert long.troughs.count() > 3 * short.troughs.count()
    ids = list(Patient.objects.values_list("pk", flat=True))
    assert len(ids) > 30 and schedule.CHUNK_SIZE >= len(ids)
    assert _refresh_queries(ids) == _refresh_queries([short.pk])
    assert ScheduleItem.objects.filter(patient=long).exists()
    assert ScheduleItem.objects.filter(patient=short).exists()


def _every_kind_of_record(patient, user) -> None:
    """A co-medication, an adverse event and a nurse's tick besides the registry's records,
    and a voided trough (build_course leaves it out)."""
    today = timezone.localdate()
    CoMedication.objects.create(patient=patient, name="paracétamol", recorded_by=user,
                                start_date=today - timedelta(days=40))
    AdverseEvent.objects.create(patient=patient, kind="aphthae", severity="1",
                                onset_date=today - timedelta(days=20), recorded_by=user)
    MonitoringCheck.objects.create(patient=patient, kind="lipids", recorded_by=user,
                                   due_date=today - timedelta(days=10), done_at=timezone.now())
    trough = patient.troughs.first()
    trough.voided_at, trough.voided_by, trough.void_reason = timezone.now(), user, "Erreur"
    trough.save()


def test_every_page_the_bench_measures_answers_for_its_role(client, cast):
    """`make bench` times these pages on its registry (and stops on an error page): the
    two-year patient's papers need its current prescription and dispensing, seeded with it."""
    today = timezone.localdate()
    seed_registry(3, today)
    history = Patient.objects.get(hospital_number=HISTORY_PATIENT)
    pages = measured_pages(history, sheet_day(today))
    assert {"pdf_prescription", "pdf_label", "pdf_day_sheet"} <= set(pages)
    for name, (role, url) in pages.items():
        client.force_login(cast[role])
        response = client.get(url)
        assert response.status_code == 200, name
        if name.startswith("pdf_"):
            assert response["Content-Type"] == "application/pdf", name
            assert response.content.startswith(b"%PDF"), name
