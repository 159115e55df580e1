"""The access log (issue 16, item 1): every read of a child's record writes who, when, what and
from where, in one INSERT, append-only; the "Accès au dossier" page; the CSV export; and the
audit trail keeping names at the time and recording account and role changes."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import AccessLogEntry, AuditEvent, Prescription
from sirolimus_app.roles import Role
from sirolimus_app.services import access_log, prescriptions, records
from sirolimus_app.views.access_log import PER_PAGE
from tests.conftest import verify_second_factor
from tests.web.test_security_factories import TODAY, rich_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hand_made_proposals")]
TABLE = AccessLogEntry._meta.db_table


@pytest.fixture
def patient(haematologist, nurse):
    return rich_patient(haematologist, nurse, "IPP-LOG", "Confidentiel")


@pytest.fixture
def validated(patient, pharmacist):
    first = Prescription.objects.get(patient=patient)
    return prescriptions.validate(pharmacist, first.pk, first.version, today=TODAY)


def _pages(patient, validated):
    """(URL, page logged, reference) for every page or document with this child's data."""
    pk = patient.pk
    return [
        (reverse("patient_detail", args=[pk]), "record", ""),
        (reverse("patient_history", args=[pk]), "history", ""),
        (reverse("patient_eligibility", args=[pk]), "eligibility", ""),
        (reverse("patient_proposal", args=[pk]), "proposal", ""),
        (reverse("patient_edit", args=[pk]), "edit", ""),
        (reverse("prescription_review", args=[validated.pk]), "review",
         f"prescription:{validated.pk}"),
        (reverse("documents_schedule_pdf", args=[pk]), "schedule_pdf", ""),
        (reverse("documents_schedule_ics", args=[pk]), "schedule_ics", ""),
        (reverse("documents_summary_pdf", args=[pk]), "summary_pdf", ""),
        (reverse("documents_dose_sheet_pdf", args=[validated.pk]), "dose_sheet_pdf",
         f"prescription:{validated.pk}"),
        (reverse("patient_access_log", args=[pk]), "access_log", ""),
    ]


def test_every_page_and_document_of_a_record_logs_who_what_when_and_where(
        client, haematologist, patient, validated):
    client.force_login(haematologist)
    for url, page, ref in _pages(patient, validated):
        before = timezone.now()
        response = client.get(url, REMOTE_ADDR="10.20.30.40")
        assert response.status_code == 200, url
        entry = AccessLogEntry.objects.get(page=page)
        assert (entry.user, entry.username, entry.user_full_name) == (
            haematologist, "dr.martin", "Claire Martin"), url
        assert (entry.patient_id, entry.object_ref, entry.ip_address) == (
            patient.pk, ref, "10.20.30.40"), url
        assert before <= entry.at <= timezone.now()
    assert AccessLogEntry.objects.count() == len(_pages(patient, validated))


def test_the_cohort_export_is_logged_without_a_patient(client, haematologist):
    client.force_login(haematologist)
    assert client.get(reverse("documents_cohort_patients_csv")).status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.page, entry.patient_id, entry.object_ref) == ("cohort_csv", None,
                                                                "cohort:patients:0")


def test_the_log_line_is_one_insert_and_nothing_else(client, haematologist, patient,
                                                     monkeypatch):
    """+1 query per page, an INSERT: the pages' pinned counts grow by exactly that."""
    client.force_login(haematologist)
    url = reverse("patient_detail", args=[patient.pk])
    client.get(url)  # warm caches (permissions, translations)
    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    monkeypatch.setattr(access_log, "record", lambda *args, **kwargs: None)
    with CaptureQueriesContext(connection) as unlogged:
        client.get(url)
    extra = len(logged) - len(unlogged)
    assert extra == 1
    inserts = [q["sql"] for q in logged.captured_queries if TABLE in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")


# --- append-only ------------------------------------------------------------------------

@pytest.fixture
def entry(client, nurse, patient):
    client.force_login(nurse)
    client.get(reverse("patient_detail", args=[patient.pk]))
    return AccessLogEntry.objects.get()


def test_the_log_cannot_be_changed_or_deleted_through_the_orm(entry):
    entry.page = "history"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.update(page="x")
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get().page == "record"


def test_raw_sql_update_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET username = %s WHERE id = %s",  # noqa: S608
                           ["forged", entry.pk])
    assert AccessLogEntry.objects.get().username == "ide.bernard"


def test_raw_sql_delete_is_refused_by_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets the test runner empty tables with DELETE (see migration 0002)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])  # noqa: S608
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_trail_stays_append_only_after_the_migration(patient):
    """SQLite rebuilt the audit table to add its columns: its trigger was recreated."""
    line = AuditEvent.objects.filter(patient=patient).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE sirolimus_app_auditevent SET action = 'x' WHERE id = %s",
                           [line.pk])


# --- the page ---------------------------------------------------------------------------

def test_the_haematologist_sees_who_opened_the_record(client, haematologist, nurse,
                                                      pharmacist, patient):
    for user in (nurse, pharmacist):
        client.force_login(user)
        client.get(reverse("patient_detail", args=[patient.pk]), REMOTE_ADDR="10.0.0.7")
    client.force_login(haematologist)
    detail = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert 'data-testid="access-log-link"' in detail
    page = client.get(reverse("patient_access_log", args=[patient.pk])).content.decode()
    for text in ("Julie Bernard", "ide.bernard", "Marc Petit", "10.0.0.7", "Dossier",
                 "Accès au dossier"):
        assert text in page, text


@pytest.mark.parametrize("role", ["nurse", "pharmacist", "outsider"])
def test_only_haematologists_read_the_access_log(client, cast, patient, role):
    client.force_login(cast[role])
    assert client.get(reverse("patient_access_log", args=[patient.pk])).status_code == 403
    if role != "outsider":
        detail = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
        assert 'data-testid="access-log-link"' not in detail


def test_the_access_log_pages_through_many_reads(client, haematologist, nurse, patient):
    client.force_login(nurse)
    for _ in range(PER_PAGE + 5):
        client.get(reverse("patient_history", args=[patient.pk]))
    client.force_login(haematologist)
    url = reverse("patient_access_log", args=[patient.pk])
    # Opening the log is a read too, newest first: 1 + 49 of the nurse's 55 on page 1; the
    # second look pushes one more of hers onto page 2 (2 + 48, then 7).
    first = client.get(url).content.decode()
    assert first.count("ide.bernard") == PER_PAGE - 1 and first.count("dr.martin") == 1
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("ide.bernard") == 7 and "Page 2 sur 2" in second


def test_another_patients_reads_are_not_shown(client, haematologist, nurse, patient):
    other = rich_patient(haematologist, nurse, "IPP-OTHER", "Autre")
    client.force_login(nurse)
    client.get(reverse("patient_detail", args=[other.pk]))
    client.force_login(haematologist)
    page = client.get(reverse("patient_access_log", args=[patient.pk])).content.decode()
    assert "ide.bernard" not in page


# --- the export -------------------------------------------------------------------------

def test_the_export_command_writes_a_quoted_csv_for_a_date_range(client, nurse, patient,
                                                                  tmp_path, capsys):
    client.force_login(nurse)
    client.get(reverse("patient_detail", args=[patient.pk]), REMOTE_ADDR="10.0.0.8")
    today = timezone.localdate()
    target = tmp_path / "acces.csv"
    call_command("export_access_log", "--from", (today - timedelta(days=1)).isoformat(),
                 "--to", today.isoformat(), "--output", str(target))
    text = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["username"], r["user_full_name"], r["ip_address"], r["page"], r["patient_id"])
            for r in rows] == [("ide.bernard", "Julie Bernard", "10.0.0.8", "record",
                                str(patient.pk))]
    assert text.splitlines()[0].startswith('"at","username"')
    call_command("export_access_log", "--from", (today - timedelta(days=9)).isoformat(),
                 "--to", (today - timedelta(days=2)).isoformat())
    assert capsys.readouterr().out.strip().count("\n") == 0  # the header only


def test_the_export_refuses_a_bad_range():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="précède"):
        call_command("export_access_log", "--from", "2026-02-01", "--to", "2026-01-01")
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("export_access_log", "--from", "01/02/2026", "--to", "2026-01-01")


# --- the audit trail: names at the time, accounts and roles -----------------------------

def test_a_renamed_user_does_not_rewrite_the_history(client, haematologist, nurse, patient):
    line = AuditEvent.objects.filter(patient=patient, action="patient.create").get()
    assert (line.username, line.user_full_name) == ("dr.martin", "Claire Martin")
    haematologist.username, haematologist.last_name = "dr.autre", "Autre"
    haematologist.save()
    client.force_login(nurse)
    page = client.get(reverse("patient_history", args=[patient.pk])).content.decode()
    trail = page[page.index('data-testid="audit"'):]
    trail = trail[:trail.index("</table>")]
    assert "Claire Martin" in trail and "Claire Autre" not in trail


def _account_lines(user):
    return list(AuditEvent.objects.filter(object_type="auth.User", object_id=str(user.pk))
                .order_by("pk").values_list("action", flat=True))


def test_account_creation_changes_and_roles_are_audited_without_the_password(db):
    user = User.objects.create_user("nouvelle", password="Un-mot-de-passe-42",
                                    first_name="Ève")
    group = Group.objects.get(name=Role.NURSE)
    user.groups.add(group)
    user.is_staff = True
    user.save()
    group.user_set.remove(user)
    assert _account_lines(user) == ["account.create", "account.role_add", "account.update",
                                    "account.role_remove"]
    lines = AuditEvent.objects.filter(object_type="auth.User", object_id=str(user.pk))
    assert all("password" not in (line.after or {}) for line in lines)
    assert lines.get(action="account.update").after["is_staff"] is True
    assert lines.get(action="account.role_add").after["groups"] == [Role.NURSE]


def test_signing_in_is_not_an_account_change(client, nurse):
    before = _account_lines(nurse)
    client.post(reverse("login"), {"username": nurse.username,
                                   "password": "motdepasse-test-solide"})
    nurse.refresh_from_db()
    assert nurse.last_login is not None and _account_lines(nurse) == before


def test_a_change_in_the_admin_is_audited_with_the_administrator(client, admin_user, nurse):
    verify_second_factor(client, admin_user)
    url = reverse("admin:auth_user_change", args=[nurse.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {"username": nurse.username, "first_name": "Julie", "last_name": "Bernard-Roy",
            "email": "", "is_active": "on", "groups": [g.pk for g in nurse.groups.all()],
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "08:00:00"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    line = AuditEvent.objects.filter(object_type="auth.User", object_id=str(nurse.pk),
                                     action="account.update").last()
    assert line.user == admin_user and line.username == admin_user.username
    assert line.after["last_name"] == "Bernard-Roy"


def test_a_clinical_change_still_has_one_line(haematologist, patient):
    since = AuditEvent.objects.order_by("-pk").first().pk
    patient.allergies = "arachide"
    records.update_patient(haematologist, patient, patient.version)
    assert AuditEvent.objects.filter(pk__gt=since).count() == 1


def test_the_admin_shows_the_log_read_only(client, admin_user, entry):
    verify_second_factor(client, admin_user)
    changelist = reverse("admin:sirolimus_app_accesslogentry_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and "ide.bernard" in page.content.decode()
    assert client.get(reverse("admin:sirolimus_app_accesslogentry_add")).status_code == 403
    change = reverse("admin:sirolimus_app_accesslogentry_change", args=[entry.pk])
    assert client.post(change, {"page": "history"}).status_code == 403
    assert AccessLogEntry.objects.get().page == "record"
