"""The audit trail: append-only through the ORM, the database and the admin; one line, with
who, what, before and after, for every service that changes clinical data."""

import json
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sirolimus_app.models import (
    AdverseEvent,
    AuditEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    Patient,
    Prescription,
    TroughLevel,
    Visit,
)
from sirolimus_app.services import audit, prescriptions, records
from sirolimus_app.services.engine import advise_patient, prefetch_clinical
from sirolimus_app.services.errors import ConcurrentChangeError, ServiceError
from tests.conftest import verify_second_factor
from tests.web.test_security_factories import TODAY, aware, new_patient, proposed_prescription

# Proposals built by hand, validated without the engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("hand_made_proposals")

TABLE = AuditEvent._meta.db_table


def clinical_lines():
    """The trail without the account lines (the cast's users are created and given roles)."""
    return AuditEvent.objects.exclude(object_type="auth.User")


@pytest.fixture
def event(haematologist):
    new_patient(haematologist)
    return clinical_lines().get()


# --- append-only: ORM -----------------------------------------------------------------

def test_a_saved_line_cannot_be_saved_again(event):
    event.action = "patient.delete"
    with pytest.raises(PermissionError):
        event.save()
    assert clinical_lines().get().action == "patient.create"


def test_a_line_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert clinical_lines().count() == 1


def test_the_trail_cannot_be_updated_in_bulk(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(after={})
    assert clinical_lines().get().action == "patient.create"


def test_deleting_the_user_keeps_the_trail(event, haematologist):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        haematologist.delete()
    assert clinical_lines().get().user == haematologist


# --- append-only: the database itself ---------------------------------------------------

def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s",  # noqa: S608
                           ["forged", event.pk])
    assert clinical_lines().get().action == "patient.create"


def test_raw_sql_delete_is_refused_by_postgresql(event):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets the test runner empty tables with DELETE (see migration 0002)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_trigger_is_installed_on_this_engine(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                           "AND NOT tgisinternal", [TABLE])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = %s", [TABLE])
        names = {row[0] for row in cursor.fetchall()}
    assert names & {"audit_no_update", "audit_no_update_delete"}


# --- append-only: the admin -------------------------------------------------------------

@pytest.fixture
def admin_client(client, db):
    superuser = User.objects.create_superuser("root", password="Un-admin-tres-solide-42")
    return verify_second_factor(client, superuser)  # the admin requires the second factor


def test_superuser_reads_the_trail_in_the_admin(admin_client, event):
    response = admin_client.get(reverse("admin:sirolimus_app_auditevent_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "patient.create" in content
    assert reverse("admin:sirolimus_app_auditevent_add") not in content
    assert "delete_selected" not in content


def test_superuser_cannot_add_change_or_delete_in_the_admin(admin_client, event):
    add = reverse("admin:sirolimus_app_auditevent_add")
    change = reverse("admin:sirolimus_app_auditevent_change", args=[event.pk])
    delete = reverse("admin:sirolimus_app_auditevent_delete", args=[event.pk])
    changelist = reverse("admin:sirolimus_app_auditevent_changelist")
    assert admin_client.get(add).status_code == 403
    assert admin_client.post(add, {"action": "forged", "object_type": "x",
                                   "object_id": "1"}).status_code == 403
    view = admin_client.get(change)
    assert view.status_code == 200 and 'name="action"' not in view.content.decode()
    assert admin_client.post(change, {"action": "forged"}).status_code == 403
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(changelist, {"action": "delete_selected",
                                          "_selected_action": [event.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    assert clinical_lines().count() == 1
    assert clinical_lines().get().action == "patient.create"


def test_clinical_staff_do_not_reach_the_admin(client, haematologist, event):
    client.force_login(haematologist)
    response = client.get(reverse("admin:sirolimus_app_auditevent_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- one line per change, with who, what, before and after -------------------------------

def _only_new_line(since: int) -> AuditEvent:
    lines = list(AuditEvent.objects.filter(pk__gt=since))
    assert len(lines) == 1, [line.action for line in lines]
    return lines[0]


def _last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def patient(haematologist):
    return new_patient(haematologist)


def test_create_patient_is_audited(haematologist):
    patient = new_patient(haematologist)
    line = clinical_lines().get()
    assert (line.user, line.action, line.object_type, line.object_id, line.patient_id) == (
        haematologist, "patient.create", "sirolimus_app.Patient", str(patient.pk), patient.pk)
    assert line.before is None
    assert line.after["hospital_number"] == "IPP-0001"
    assert line.after["birth_date"] == "2015-06-01"


def test_update_patient_records_before_and_after(haematologist2, patient):
    since = _last_id()
    patient.allergies = "soja, pénicilline"
    updated = records.update_patient(haematologist2, patient, expected_version=1)
    line = _only_new_line(since)
    assert (line.user, line.action, line.patient_id) == (haematologist2, "patient.update",
                                                         patient.pk)
    assert line.before["allergies"] == "soja"
    assert line.after["allergies"] == "soja, pénicilline"
    assert updated.version == 2


def test_a_refused_concurrent_update_writes_nothing(haematologist, haematologist2, patient):
    stale = Patient.objects.get(pk=patient.pk)
    patient.first_name = "Zoë"
    records.update_patient(haematologist, patient, expected_version=1)
    since = _last_id()
    stale.first_name = "Zoa"
    with pytest.raises(ConcurrentChangeError):
        records.update_patient(haematologist2, stale, expected_version=1)
    assert _last_id() == since
    assert Patient.objects.get(pk=patient.pk).first_name == "Zoë"


@pytest.mark.parametrize("service,who,build,action", [
    (records.add_measurement, "nurse", lambda p: BodyMeasurement(
        patient=p, measured_on=TODAY, weight_kg=Decimal("31.00"), height_cm=Decimal("132.0")),
     "bodymeasurement.create"),
    (records.add_comedication, "haematologist", lambda p: CoMedication(
        patient=p, name="prednisone", start_date=TODAY), "comedication.create"),
    (records.add_trough, "nurse", lambda p: TroughLevel(
        patient=p, sampled_at=aware(TODAY), value=Decimal("8.2")), "troughlevel.create"),
    (records.add_lab_result, "haematologist", lambda p: LabResult(
        patient=p, kind=LabResult.Kind.PLATELETS, sampled_at=aware(TODAY),
        value=Decimal("35"), unit="G/L"), "labresult.create"),
    (records.add_visit, "haematologist", lambda p: Visit(
        patient=p, label="M1", done_date=TODAY, systolic_bp=110), "visit.create"),
    (records.add_adverse_event, "haematologist", lambda p: AdverseEvent(
        patient=p, kind=AdverseEvent.Kind.FEVER, onset_date=TODAY,
        severity=AdverseEvent.Severity.GRADE_2), "adverseevent.create"),
    (records.mark_check_done, "nurse", lambda p: MonitoringCheck(
        patient=p, kind=MonitoringCheck.Kind.CBC, due_date=TODAY), "monitoringcheck.create"),
])
def test_each_record_creation_is_audited_with_its_author(request, patient, service, who, build,
                                                         action):
    user = request.getfixturevalue(who)
    since = _last_id()
    instance = service(user, build(patient))
    line = _only_new_line(since)
    assert (line.user, line.action, line.object_id, line.patient_id) == (
        user, action, str(instance.pk), patient.pk)
    assert line.before is None
    # The line holds JSON (times to the millisecond): compare typed values, not spellings.
    saved = json.loads(json.dumps(audit.snapshot(type(instance).objects.get(pk=instance.pk)),
                                  cls=DjangoJSONEncoder))
    assert set(line.after) == set(saved)
    for name, value in line.after.items():
        field = instance._meta.get_field(name)
        assert field.to_python(value) == field.to_python(saved[name]), name
    assert line.after["recorded_by"] == user.pk


def test_update_record_keeps_before_and_after(haematologist, haematologist2, patient):
    visit = records.add_visit(haematologist, Visit(patient=patient, label="M1",
                                                   done_date=TODAY, systolic_bp=110))
    since = _last_id()
    visit.systolic_bp = 125
    visit.notes = "Contrôle tensionnel"
    records.update_record(haematologist2, "change_visit", visit)
    line = _only_new_line(since)
    assert (line.user, line.action) == (haematologist2, "visit.update")
    assert (line.before["systolic_bp"], line.after["systolic_bp"]) == (110, 125)
    assert (line.before["notes"], line.after["notes"]) == ("", "Contrôle tensionnel")


def test_a_refused_change_writes_no_line(nurse, pharmacist, patient):
    since = _last_id()
    with pytest.raises(PermissionDenied):
        records.add_lab_result(nurse, LabResult(patient=patient, kind=LabResult.Kind.PLATELETS,
                                                sampled_at=aware(TODAY), value=Decimal("3"),
                                                unit="G/L"))
    with pytest.raises(PermissionDenied):
        records.update_patient(pharmacist, patient, expected_version=1)
    assert _last_id() == since
    assert not LabResult.objects.exists()


def test_change_and_audit_line_are_saved_together_or_not_at_all(haematologist, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(audit.AuditEvent.objects, "create", broken)
    with pytest.raises(DatabaseError):
        new_patient(haematologist)
    assert not Patient.objects.exists()


# --- the prescription life cycle ---------------------------------------------------------

def _transition_line(since, user, action, prescription, before_status, after_status):
    line = _only_new_line(since)
    assert (line.user, line.action, line.object_id, line.patient_id) == (
        user, action, str(prescription.pk), prescription.patient_id)
    assert (line.before["status"], line.after["status"]) == (before_status, after_status)
    return line


def test_validation_writes_validate_then_activate(haematologist, pharmacist, patient):
    proposal = proposed_prescription(patient, haematologist)
    since = _last_id()
    prescriptions.validate(pharmacist, proposal.pk, proposal.version, today=TODAY)
    lines = list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))
    assert [(line.action, line.user, line.before["status"], line.after["status"])
            for line in lines] == [
        ("prescription.validate", pharmacist, "proposed", "validated"),
        ("prescription.activate", pharmacist, "validated", "active")]
    assert lines[0].after["reviewed_by"] == pharmacist.pk


def test_replacing_a_dose_audits_the_old_and_the_new(haematologist, pharmacist, patient):
    first = proposed_prescription(patient, haematologist)
    prescriptions.validate(pharmacist, first.pk, 1, today=TODAY)
    second = proposed_prescription(patient, haematologist, mg="1.50")
    since = _last_id()
    prescriptions.validate(pharmacist, second.pk, 1, today=TODAY)
    actions = [(line.action, line.object_id) for line in
               AuditEvent.objects.filter(pk__gt=since).order_by("pk")]
    assert actions == [("prescription.validate", str(second.pk)),
                       ("prescription.replace", str(first.pk)),
                       ("prescription.activate", str(second.pk))]


def test_rejection_is_audited_with_its_reason(haematologist, pharmacist, patient):
    proposal = proposed_prescription(patient, haematologist)
    since = _last_id()
    prescriptions.reject(pharmacist, proposal.pk, 1, "Interaction avec le fluconazole")
    line = _transition_line(since, pharmacist, "prescription.reject", proposal, "proposed",
                            "rejected")
    assert line.after["rejection_reason"] == "Interaction avec le fluconazole"


def test_withdrawal_is_audited(haematologist, patient):
    proposal = proposed_prescription(patient, haematologist)
    since = _last_id()
    prescriptions.withdraw(haematologist, proposal.pk, 1)
    _transition_line(since, haematologist, "prescription.withdraw", proposal, "proposed",
                     "rejected")


def test_later_activation_is_audited(haematologist, pharmacist, nurse, patient):
    proposal = proposed_prescription(patient, haematologist)
    Prescription.objects.filter(pk=proposal.pk).update(start_date=TODAY + timedelta(days=3))
    prescriptions.validate(pharmacist, proposal.pk, 1, today=TODAY)
    since = _last_id()
    prescriptions.activate(nurse, proposal.pk, 2, today=TODAY + timedelta(days=3))
    _transition_line(since, nurse, "prescription.activate", proposal, "validated", "active")


@pytest.fixture
def active(haematologist, pharmacist, patient):
    proposal = proposed_prescription(patient, haematologist)
    return prescriptions.validate(pharmacist, proposal.pk, 1, today=TODAY)


def test_suspension_is_audited(haematologist2, active):
    since = _last_id()
    prescriptions.suspend(haematologist2, active.patient_id, "Aphtes grade 3",
                          today=TODAY + timedelta(days=5))
    line = _transition_line(since, haematologist2, "prescription.suspend", active, "active",
                            "suspended")
    assert line.after["suspended_on"] == (TODAY + timedelta(days=5)).isoformat()
    assert "Aphtes grade 3" in line.after["reason"]


def test_stop_is_audited(haematologist, active):
    since = _last_id()
    prescriptions.stop(haematologist, active.patient_id, "Rémission complète",
                       today=TODAY + timedelta(days=60))
    _transition_line(since, haematologist, "prescription.stop", active, "active", "stopped")


def test_a_refused_transition_writes_no_line(haematologist, pharmacist, pharmacist2, patient):
    proposal = proposed_prescription(patient, haematologist)
    prescriptions.validate(pharmacist, proposal.pk, 1, today=TODAY)
    since = _last_id()
    with pytest.raises(ConcurrentChangeError):
        prescriptions.validate(pharmacist2, proposal.pk, 1, today=TODAY)
    with pytest.raises(ServiceError):
        prescriptions.stop(haematologist, patient.pk, "", today=TODAY)
    assert _last_id() == since


def test_a_proposal_computed_by_the_engine_is_audited(haematologist, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pending = Prescription.objects.filter(status__in=["proposed", "validated"])
    for patient in prefetch_clinical(Patient.objects.exclude(prescriptions__in=pending)):
        advice = advise_patient(patient).advice
        if advice and advice.dose.action in prescriptions.PRESCRIBING_ACTIONS \
                and advice.dose.mg_per_day and advice.eligible:
            break
    else:
        pytest.fail("no demo patient gets a dose proposal")
    since = _last_id()
    proposal = prescriptions.propose(haematologist, patient.pk, 0, "Début selon protocole")
    line = _only_new_line(since)
    assert (line.user, line.action, line.object_id, line.patient_id) == (
        haematologist, "prescription.propose", str(proposal.pk), patient.pk)
    assert line.before is None
    assert Decimal(str(line.after["mg_per_day"])) == proposal.mg_per_day
    assert line.after["status"] == "proposed" and line.after["proposed_by"] == haematologist.pk
