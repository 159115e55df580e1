"""The nurse's ticks: a wrong one undone with its reason (audited, the item due again), the
blood pressure (and weight, height) entered where she ticks a visit or a blood pressure item,
and a conditional item (the 48 h control before the suspension is recorded) with no button."""

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.models import AuditEvent, BodyMeasurement, MonitoringCheck, ScheduleItem, Visit
from sirolimus_app.roles import Role
from sirolimus_app.services import records
from tests.conftest import PASSWORD
from tests.web.test_workflow_data import trough
from tests.web.test_worklists import _items, _row, _started

pytestmark = pytest.mark.django_db
Kind = MonitoringCheck.Kind


@pytest.fixture
def today():
    return timezone.localdate()


def _tick(nurse, patient, day, kind=Kind.TROUGH):
    return records.mark_check_done(nurse, MonitoringCheck(patient=patient, kind=kind,
                                                          due_date=day))


def test_the_nurse_undoes_her_wrong_tick_with_a_reason(client, haematologist, pharmacist,
                                                      nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-801", days_ago=7)
    check = _tick(nurse, patient, today)
    assert _items(patient, today)[("trough", "T0 J7")].done
    client.force_login(nurse)
    row = _row(client.get(reverse("nurse_worklist")), patient, "trough", today)
    assert reverse("nurse_check_undo", args=[patient.pk, check.pk]) in row and "Annuler" in row

    url = reverse("nurse_check_undo", args=[patient.pk, check.pk])
    refused = client.post(url, {"reason": " ", "next": reverse("nurse_worklist")})
    assert refused.status_code == 200
    assert "Indiquez le motif de l'annulation" in html.unescape(refused.text)
    check.refresh_from_db()
    assert check.voided_at is None

    response = client.post(url, {"reason": "Mauvais patient", "next": reverse("nurse_worklist")},
                           follow=True)
    check.refresh_from_db()
    assert check.voided_by == nurse and check.void_reason == "Mauvais patient"
    item = _items(patient, today)[("trough", "T0 J7")]
    assert not item.done and item.check is None  # back in the list, to do
    assert "Prélèvement fait" in _row(response, patient, "trough", today)
    line = AuditEvent.objects.get(action="monitoringcheck.void")
    assert line.user == nurse and line.after["void_reason"] == "Mauvais patient"
    # Ticked again: a new check, the undone one kept.
    _tick(nurse, patient, today)
    assert MonitoringCheck.objects.filter(patient=patient).count() == 2


def test_who_may_undo_a_tick(client, haematologist, pharmacist, nurse, outsider, today):
    patient = _started(haematologist, pharmacist, "IPP-802", days_ago=7)
    check = _tick(nurse, patient, today)
    colleague = User.objects.create_user("ide.roux", password=PASSWORD)
    colleague.groups.add(Group.objects.get(name=Role.NURSE))
    url = reverse("nurse_check_undo", args=[patient.pk, check.pk])
    for user, status in [(pharmacist, 403), (outsider, 403), (colleague, 403),
                         (haematologist, 200), (nurse, 200)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        if status == 403:
            client.post(url, {"reason": "x"})
    check.refresh_from_db()
    assert check.voided_at is None


def test_the_nurse_enters_the_blood_pressure_where_she_ticks(client, haematologist,
                                                            pharmacist, nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-803", days_ago=28)
    bp = next(i for (kind, label), i in _items(patient, today).items()
              if kind == "blood_pressure" and label == "M1")
    client.force_login(nurse)
    row = _row(client.get(reverse("nurse_worklist")), patient, "blood_pressure", bp.date)
    assert 'name="systolic_bp"' in row and 'name="diastolic_bp"' in row
    key = {"patient": patient.pk, "kind": "blood_pressure", "due_date": bp.date.isoformat(),
           "next": reverse("nurse_worklist")}

    bad = client.post(reverse("nurse_check_vitals"), {**key, "systolic_bp": "12",
                                                       "diastolic_bp": "8"})
    assert bad.status_code == 200
    page = html.unescape(bad.text)
    next_to_field = page.split('id="error_1_id_systolic_bp"')[1]
    assert "vouliez-vous dire 12 cmHg, soit 120 mmHg" in next_to_field
    missing = client.post(reverse("nurse_check_vitals"), key)
    assert "Saisissez la tension mesurée" in html.unescape(missing.text)
    assert not Visit.objects.filter(patient=patient, label="HP").exists()
    assert not MonitoringCheck.objects.filter(patient=patient).exists()

    done = client.post(reverse("nurse_check_vitals"), {**key, "systolic_bp": "112",
                                                        "diastolic_bp": "68"}, follow=True)
    assert done.status_code == 200
    visit = Visit.objects.get(patient=patient, label="HP")
    assert (visit.systolic_bp, visit.diastolic_bp, visit.done_date) == (112, 68, today)
    assert visit.recorded_by == nurse
    check = MonitoringCheck.objects.get(patient=patient)
    assert (check.kind, check.due_date, check.recorded_by) == ("blood_pressure", bp.date, nurse)
    assert "Réalisé" in _row(done, patient, "blood_pressure", bp.date)


def test_the_nurse_enters_weight_and_height_with_a_visit(client, haematologist, pharmacist,
                                                        nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-804", days_ago=28)
    visit = _items(patient, today)[("visit", "M1")]
    client.force_login(nurse)
    key = {"patient": patient.pk, "kind": "visit", "due_date": visit.date.isoformat()}
    alone = client.post(reverse("nurse_check_vitals"), {**key, "weight_kg": "31,5"})
    assert "Saisissez le poids et la taille ensemble" in html.unescape(alone.text)
    assert client.post(reverse("nurse_check_vitals"), {
        **key, "systolic_bp": "105", "diastolic_bp": "65", "weight_kg": "31,5",
        "height_cm": "133"}).status_code == 302
    measured = BodyMeasurement.objects.filter(patient=patient).first()
    assert (str(measured.weight_kg), measured.measured_on, measured.recorded_by) == (
        "31.50", today, nurse)
    assert _items(patient, today)[("visit", "M1")].done


def test_vitals_are_for_care_roles_only(client, haematologist, pharmacist, today):
    patient = _started(haematologist, pharmacist, "IPP-805", days_ago=28)
    client.force_login(pharmacist)
    assert client.post(reverse("nurse_check_vitals"), {"patient": patient.pk}).status_code == 403


def test_the_48h_control_before_the_suspension_is_conditional(client, haematologist,
                                                             pharmacist, nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-806", days_ago=12)
    trough(nurse, patient, today - timedelta(days=1), "18.4")  # toxic, not suspended yet
    control = ScheduleItem.objects.get(patient=patient, kind="control")
    assert control.conditional and not control.done
    client.force_login(nurse)
    row = _row(client.get(reverse("nurse_worklist")), patient, "control", control.due_date)
    assert "Conditionnel : seulement une fois la suspension enregistrée" in html.unescape(row)
    assert "<button" not in row and "Prélèvement fait" not in row
    refused = client.post(reverse("nurse_check_done"), {
        "patient": patient.pk, "kind": "control", "due_date": control.due_date.isoformat()},
        follow=True)
    assert "conditionnel" in refused.text and not MonitoringCheck.objects.exists()

    from sirolimus_app.services import prescriptions

    prescriptions.suspend(haematologist, patient.pk, "Résiduel 18,4", on_date=today)
    control = ScheduleItem.objects.get(patient=patient, kind="control")
    assert not control.conditional  # the suspension is recorded: a sample to take
    row = _row(client.get(reverse("nurse_worklist")), patient, "control", control.due_date)
    assert "Prélèvement fait" in row
