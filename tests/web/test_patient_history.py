"""The patient's history page: every change of the record, a page at a time, and every
prescription; the patient page itself shows only the latest changes and links to it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.demo import Demo
from sirolimus_app.models import AuditEvent
from sirolimus_app.services import audit
from sirolimus_app.views.patients_detail import AUDIT_LINES_SHOWN, HISTORY_PER_PAGE


@pytest.fixture
def demo(haematologist, nurse, pharmacist):
    return Demo(doctor=haematologist, nurse=nurse, pharmacist=pharmacist,
                today=timezone.localdate())


@pytest.fixture
def treated(demo):
    """A child on sirolimus: created, measured, worked up, started, validated."""
    patient = demo.patient("IPP-H", "Durand", "Paul", age_days=8 * 365, sex="M",
                           diagnosed_days_ago=400)
    demo.measure(patient, 40, "25.0", "125.0")
    demo.workup(patient, 40, "12")
    demo.start(patient, 30)
    return patient


def _more_changes(user, patient, n):
    for _ in range(n):
        audit.record(user, "patient.update", patient, before={"first_name": "Paul"},
                     after={"first_name": "Paul"})


def _audit_rows(html: str) -> int:
    table = html[html.index('data-testid="audit"'):]
    return table[:table.index("</table>")].count("<tr>") - 1  # minus the header row


@pytest.mark.parametrize("role", ["haematologist", "nurse", "pharmacist"])
def test_history_is_open_to_each_clinical_role(client, cast, treated, role):
    client.force_login(cast[role])
    response = client.get(reverse("patient_history", args=[treated.pk]))
    assert response.status_code == 200
    html = response.text
    assert "DURAND Paul" in html
    doses = html[html.index('data-testid="dose-history"'):]
    assert "<td>Début</td>" in doses and "En cours" in doses and "Marc Petit" in doses
    count = AuditEvent.objects.filter(patient=treated).count()
    assert f"{count} modifications, les plus récentes d'abord" in html
    assert _audit_rows(html) == count


def test_history_refuses_outsiders_and_anonymous(client, outsider, treated):
    url = reverse("patient_history", args=[treated.pk])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.get(reverse("patient_history", args=[99999])).status_code == 403


def test_unknown_patient_history_is_404(client, haematologist):
    client.force_login(haematologist)
    assert client.get(reverse("patient_history", args=[99999])).status_code == 404


def test_patient_page_shows_the_latest_changes_and_links_to_all(client, haematologist,
                                                                   treated):
    _more_changes(haematologist, treated, AUDIT_LINES_SHOWN + 5)
    client.force_login(haematologist)
    html = client.get(reverse("patient_detail", args=[treated.pk])).text
    assert _audit_rows(html) == AUDIT_LINES_SHOWN
    assert f"Les {AUDIT_LINES_SHOWN} dernières modifications." in html
    assert reverse("patient_history", args=[treated.pk]) in html


def test_patient_page_with_few_changes_shows_them_all(client, haematologist, demo):
    referral = demo.patient("IPP-N", "Petit", "Zoé", age_days=6 * 365, sex="F",
                            diagnosed_days_ago=200)
    demo.measure(referral, 10, "20.0", "115.0")
    client.force_login(haematologist)
    html = client.get(reverse("patient_detail", args=[referral.pk])).text
    count = AuditEvent.objects.filter(patient=referral).count()
    assert count <= AUDIT_LINES_SHOWN
    assert _audit_rows(html) == count
    assert "dernières modifications." not in html


def test_history_pages_through_every_change_newest_first(client, haematologist, treated):
    before = AuditEvent.objects.filter(patient=treated).count()
    _more_changes(haematologist, treated, HISTORY_PER_PAGE + 10 - before)
    client.force_login(haematologist)
    url = reverse("patient_history", args=[treated.pk])
    first = client.get(url).text
    second = client.get(url, {"page": 2}).text
    assert _audit_rows(first) == HISTORY_PER_PAGE
    assert _audit_rows(second) == 10
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
    # The oldest line (the patient's creation) is on the last page.
    assert "Dossier créé" in second and "Dossier créé" not in first
    # Nonsense page numbers show a page, never an error.
    assert client.get(url, {"page": "abc"}).status_code == 200
    assert client.get(url, {"page": "999"}).status_code == 200


def test_history_queries_do_not_grow_with_the_changes(client, haematologist, treated,
                                                        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(haematologist)
    url = reverse("patient_history", args=[treated.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _more_changes(haematologist, treated, 40)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_history_lists_the_counts_and_visits_the_patient_page_sums_up(client, haematologist,
                                                                     treated):
    client.force_login(haematologist)
    detail = client.get(reverse("patient_detail", args=[treated.pk])).text
    assert 'id="visits-title"' not in detail and 'id="platelets-title"' not in detail
    html = client.get(reverse("patient_history", args=[treated.pk])).text
    counts = html[html.index('id="platelets-title"'):html.index('id="visits-title"')]
    assert "<td>12</td>" in counts  # the pre-treatment count of the work-up, in G/L
    visits = html[html.index('id="visits-title"'):html.index('id="audit-title"')]
    assert "PRE" in visits and reverse("visit_edit", args=[
        treated.pk, treated.visits.get().pk]) in visits
