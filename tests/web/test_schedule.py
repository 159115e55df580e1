"""The stored calendars and statuses (models.schedule): equal to what the engine says after
every kind of write, filled by the nightly command and after `migrate`, and read against
today's date so that rows computed on an earlier day still answer correctly."""

import inspect
import threading
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from protocol.dates import add_months
from sirolimus_app.bench.registry import HISTORY_PATIENT, seed_registry
from sirolimus_app.models import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    Patient,
    PatientStatus,
    Prescription,
    ScheduleItem,
    TroughLevel,
    Visit,
)
from sirolimus_app.models.schedule import CLINICAL_MODELS, URGENCY
from sirolimus_app.presenters import attention, calendar
from sirolimus_app.services import patients, prescriptions, records, schedule, worklists
from sirolimus_app.services.engine import advise_patient, fetch_records, prefetch_clinical
from tests.web.test_home import ward  # noqa: F401 (a fixture, used as a parameter below)
from tests.web.test_perf import _every_kind_of_record
from tests.web.test_workflow_data import aware, eligible_patient, proposal, trough
from tests.web.test_worklists import _started

pytestmark = pytest.mark.django_db
Kind = MonitoringCheck.Kind
STATUS_FIELDS = ("computed_for", "treatment", "calendar", "mg_per_day", "response",
                 "awaiting_validation", "toxic_trough", "toxic_detail", "toxic_detail_en",
                 "no_response_from", "no_response_detail", "no_response_detail_en",
                 "alert_severity", "alert_rules")


def _rows(status, items) -> tuple:
    return (
        tuple(getattr(status, name) for name in STATUS_FIELDS),
        sorted((i.kind, i.due_date, i.label, tuple(i.rules), i.instruction, i.instruction_en,
                i.superseded_on, i.done, i.tick_id) for i in items),
    )


def stored(patient) -> tuple:
    return _rows(PatientStatus.objects.get(patient=patient),
                 ScheduleItem.objects.filter(patient=patient))


def fresh(patient) -> tuple:
    """What a refresh would store now, computed without storing it."""
    loaded = prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()
    ticks = {(c.kind, c.due_date): c
             for c in MonitoringCheck.objects.valid().filter(patient=patient)}
    return _rows(*schedule.derive(loaded, timezone.localdate(), ticks))


def _spoil(patient) -> None:
    """Make the stored rows visibly wrong, as if the last write had not refreshed them."""
    ScheduleItem.objects.filter(patient=patient).delete()
    PatientStatus.objects.filter(patient=patient).update(
        computed_for=date(2000, 1, 1), toxic_trough=False, toxic_detail="périmé")


# --- every service that writes clinical data leaves the schedule current -------------------

def _proposal_shown(patient) -> dict:
    advice = advise_patient(prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get())
    return prescriptions.proposals(advice.advice)[0]


def _activate(c):
    later = timezone.localdate() + timedelta(days=3)
    waiting = proposal(c.haematologist, c.fresh_patient, on=later)
    validated = prescriptions.validate(c.pharmacist, waiting.pk, waiting.version)
    assert validated.status == Prescription.Status.VALIDATED
    _spoil(c.fresh_patient)
    prescriptions.activate(c.haematologist, validated.pk, validated.version, today=later)
    return c.fresh_patient


def _after_a_proposal(act):
    """A write on a proposal of `fresh_patient`, made once the proposal's rows are spoiled."""
    def write(c):
        waiting = proposal(c.haematologist, c.fresh_patient)
        _spoil(c.fresh_patient)
        act(c, waiting)
        return c.fresh_patient
    return write


def _update_record(c):
    visit = Visit.objects.get(patient=c.treated, label="PRE")
    visit.notes = "Revu"
    records.update_record(c.haematologist, "change_visit", visit)
    return c.treated


def _update_patient(c):
    patient = Patient.objects.get(pk=c.treated.pk)
    patient.allergies = "soja"
    records.update_patient(c.haematologist, patient, patient.version)
    return c.treated


def _propose_choice(c):
    shown = _proposal_shown(c.treated)
    patients.propose_choice(c.haematologist, c.treated.pk, 0, shown.action,
                            shown.mg_per_day)
    return c.treated


def _void_record(c):
    wrong = trough(c.nurse, c.treated, c.today, "61")
    return records.void_record(c.haematologist, wrong, "Virgule oubliée").patient


def _correct_record(c):
    wrong = trough(c.nurse, c.treated, c.today, "61")
    right = TroughLevel(patient=c.treated, sampled_at=wrong.sampled_at, value=Decimal("6.1"))
    return records.correct_record(c.nurse, wrong, right, "Virgule oubliée",
                                  records.add_trough).patient


def _undo_check(c):
    check = records.mark_check_done(c.nurse, MonitoringCheck(
        patient=c.treated, kind=Kind.TROUGH, due_date=c.today - timedelta(days=23)))
    return records.undo_check(c.nurse, check, "Pas encore prélevé").patient


def _record_vitals(c):
    check = MonitoringCheck(patient=c.treated, kind=Kind.BLOOD_PRESSURE,
                            due_date=c.today - timedelta(days=1))
    return records.record_vitals(c.nurse, check, systolic=110, diastolic=70,
                                 measurement=BodyMeasurement(weight_kg=Decimal("32"),
                                                             height_cm=Decimal("131"))).patient


# Each writing service, as (name, what to do with the Cast; returns the patient concerned).
# The stored rows of `treated` are spoiled before each call (see the test).
WRITERS = {
    "create_patient": lambda c: eligible_patient(c.haematologist, "IPP-900"),
    "update_patient": _update_patient,
    "add_measurement": lambda c: records.add_measurement(c.haematologist, BodyMeasurement(
        patient=c.treated, measured_on=c.today, weight_kg=Decimal("33"),
        height_cm=Decimal("132"))).patient,
    "add_comedication": lambda c: records.add_comedication(c.haematologist, CoMedication(
        patient=c.treated, name="fluconazole", start_date=c.today)).patient,
    "add_trough": lambda c: trough(c.nurse, c.treated, c.today, "17.5").patient,
    "add_lab_result": lambda c: records.add_lab_result(c.haematologist, LabResult(
        patient=c.treated, kind=LabResult.Kind.CHOLESTEROL, sampled_at=aware(c.today),
        value=Decimal("5.1"), unit="mmol/L")).patient,
    "add_visit": lambda c: records.add_visit(c.haematologist, Visit(
        patient=c.treated, label="M1", done_date=c.today, systolic_bp=112,
        diastolic_bp=70)).patient,
    "update_record": _update_record,
    "add_adverse_event": lambda c: records.add_adverse_event(c.haematologist, AdverseEvent(
        patient=c.treated, kind=AdverseEvent.Kind.APHTHAE, onset_date=c.today,
        severity=AdverseEvent.Severity.GRADE_3)).patient,
    "mark_check_done": lambda c: records.mark_check_done(c.nurse, MonitoringCheck(
        patient=c.treated, kind=Kind.TROUGH, due_date=c.today - timedelta(days=23))).patient,
    "propose": lambda c: proposal(c.haematologist, c.treated).patient,
    "validate": _after_a_proposal(
        lambda c, p: prescriptions.validate(c.pharmacist, p.pk, p.version)),
    "reject": _after_a_proposal(
        lambda c, p: prescriptions.reject(c.pharmacist, p.pk, p.version, "Poids à vérifier")),
    "withdraw": _after_a_proposal(
        lambda c, p: prescriptions.withdraw(c.haematologist, p.pk, p.version)),
    # On the treated child: a starting child's calendar is empty until the first dose.
    "repropose": lambda c: prescriptions.repropose(
        c.haematologist, *(lambda p: (p.pk, p.version))(proposal(c.haematologist, c.treated))
    ).patient,
    "activate": _activate,
    "suspend": lambda c: prescriptions.suspend(c.haematologist, c.treated.pk,
                                               "Aphtes grade 3").patient,
    "stop": lambda c: prescriptions.stop(c.haematologist, c.treated.pk, "Rémission").patient,
    "propose_choice": _propose_choice,
    "save_visit": lambda c: patients.save_visit(c.haematologist, Visit(
        patient=c.treated, label="M1", done_date=c.today, weight_kg=Decimal("31"),
        height_cm=Decimal("131"), systolic_bp=108, diastolic_bp=66)).patient,
    "void_record": _void_record,
    "correct_record": _correct_record,
    "undo_check": _undo_check,
    "record_vitals": _record_vitals,
}
# Public functions of the writing modules that change nothing.
READERS = {"proposals", "lab_canonical_value", "advise_safely", "search", "can_void",
           "history_entries"}


class Cast:
    def __init__(self, haematologist, pharmacist, nurse):
        self.haematologist, self.pharmacist, self.nurse = haematologist, pharmacist, nurse
        self.today = timezone.localdate()
        self.treated = _started(haematologist, pharmacist, "IPP-901", days_ago=30)
        self.fresh_patient = eligible_patient(haematologist, "IPP-902", last_name="Nouveau")


@pytest.mark.parametrize("service", sorted(WRITERS))
def test_every_write_leaves_the_stored_schedule_equal_to_the_engine(
        haematologist, pharmacist, nurse, service):
    cast = Cast(haematologist, pharmacist, nurse)
    _spoil(cast.treated)
    patient = WRITERS[service](cast)
    assert stored(patient) == fresh(patient)
    assert PatientStatus.objects.get(patient=patient).computed_for == cast.today
    assert ScheduleItem.objects.filter(patient=patient).exists() or \
        PatientStatus.objects.get(patient=patient).calendar != "available"


def test_every_public_service_is_known_to_write_or_not():
    """A new service must be added to WRITERS (and refresh the schedule) or to READERS."""
    public = {name for module in (records, prescriptions, patients)
              for name, function in inspect.getmembers(module, inspect.isfunction)
              if function.__module__ == module.__name__ and not name.startswith("_")}
    assert public == set(WRITERS) | READERS


def test_every_model_of_a_patient_is_clinical_or_derived():
    """Deleting a clinical record outside the services refreshes its patient: every model
    pointing at a patient is either in CLINICAL_MODELS or derived from them, or the trail."""
    from django.apps import apps

    pointing = {model for model in apps.get_app_config("sirolimus_app").get_models()
                if any(f.related_model is Patient for f in model._meta.fields)}
    # InboundResult is the laboratory's log, like the trails: what it imports is a trough or a
    # lab result, which are clinical. ExportedEvent is what the family's iCalendar was given:
    # the next export compares it with the calendar, so nothing needs refreshing.
    derived = {ScheduleItem, PatientStatus, apps.get_model("sirolimus_app", "AuditEvent"),
               apps.get_model("sirolimus_app", "AccessLogEntry"),
               apps.get_model("sirolimus_app", "InboundResult"),
               apps.get_model("sirolimus_app", "ExportedEvent")}
    assert pointing == set(CLINICAL_MODELS) | derived


# --- what the stored rows say, checked against the engine itself ---------------------------

def test_the_stored_calendar_is_the_engines_from_today(haematologist, pharmacist, nurse):
    patient = _started(haematologist, pharmacist, "IPP-903", days_ago=40)
    trough(nurse, patient, timezone.localdate() - timedelta(days=30), "6")
    today = timezone.localdate()
    advice = advise_patient(prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get())
    engine = {(i.kind, i.date, i.label) for i in advice.advice.schedule
              if not i.condition and i.date >= today}
    kept = {(i.kind, i.due_date, i.label)
            for i in ScheduleItem.objects.filter(patient=patient, due_date__gte=today)}
    assert kept == engine and len(kept) > 10
    # Of the past items only those still owed are kept: here the M1 visit items (not done)
    past = ScheduleItem.objects.filter(patient=patient, due_date__lt=today)
    assert {(i.kind, i.label, i.done) for i in past} == {
        ("visit", "M1", False), ("blood_pressure", "M1", False), ("cbc", "M1", False),
        ("lipids", "M1", False)}
    # the D7 trough was drawn (a trough dated after it): done, and not kept once past
    assert not ScheduleItem.objects.filter(patient=patient, label="T0 J7").exists()


def test_a_tick_and_a_record_each_mark_their_item_done(haematologist, pharmacist, nurse):
    patient = _started(haematologist, pharmacist, "IPP-904", days_ago=7)
    today = timezone.localdate()
    item = ScheduleItem.objects.get(patient=patient, kind=Kind.TROUGH, due_date=today)
    assert not item.done
    check = records.mark_check_done(nurse, MonitoringCheck(patient=patient, kind=Kind.TROUGH,
                                                           due_date=today))
    item = ScheduleItem.objects.get(patient=patient, kind=Kind.TROUGH, due_date=today)
    assert item.done and item.tick == check

    later = _started(haematologist, pharmacist, "IPP-905", days_ago=7, last_name="Martin")
    trough(nurse, later, today, "6.2")
    item = ScheduleItem.objects.get(patient=later, kind=Kind.TROUGH, due_date=today)
    assert item.done and item.tick is None


def test_a_record_deleted_outside_the_services_refreshes_its_patient(haematologist,
                                                                      pharmacist, nurse):
    patient = _started(haematologist, pharmacist, "IPP-906", days_ago=7)
    today = timezone.localdate()
    drawn = trough(nurse, patient, today, "6.2")
    assert ScheduleItem.objects.get(patient=patient, due_date=today, kind=Kind.TROUGH).done
    TroughLevel.objects.filter(pk=drawn.pk).delete()  # a data fix in the shell
    assert not ScheduleItem.objects.get(patient=patient, due_date=today, kind=Kind.TROUGH).done
    assert stored(patient) == fresh(patient)


def test_the_engine_failing_does_not_block_the_record(haematologist, pharmacist, nurse,
                                                      monkeypatch, client, caplog):
    patient = _started(haematologist, pharmacist, "IPP-907", days_ago=7)

    def broken(*args, **kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(schedule, "advise_patient", broken)
    trough(nurse, patient, timezone.localdate(), "6.2")
    assert TroughLevel.objects.filter(patient=patient).count() == 1  # saved all the same
    assert PatientStatus.objects.get(patient=patient).calendar == "engine_error"
    assert "Protocol engine failed for patient" in caplog.text
    client.force_login(nurse)
    warning = client.get(reverse("nurse_worklist")).text.split('data-testid="incomplete"')[1]
    assert "DUPONT Léa (IPP-907)" in warning.split("</div>")[0]


# --- the nightly command, and databases from before the tables -----------------------------

def test_the_nightly_command_fills_missing_and_stale_rows(haematologist, pharmacist, nurse):
    missing = _started(haematologist, pharmacist, "IPP-910", days_ago=7)
    stale = _started(haematologist, pharmacist, "IPP-911", days_ago=12, last_name="Martin")
    never = eligible_patient(haematologist, "IPP-912", last_name="Sanstraitement")
    ScheduleItem.objects.filter(patient=missing).delete()
    PatientStatus.objects.filter(patient=missing).delete()
    _spoil(stale)
    out = StringIO()
    call_command("refresh_schedules", "--chunk-size", "2", stdout=out)
    assert "3 patients" in out.getvalue()
    for patient in (missing, stale, never):
        assert stored(patient) == fresh(patient)
    assert PatientStatus.objects.get(patient=never).calendar == "not_followed"
    assert ScheduleItem.objects.filter(patient=missing, label="T0 J7").exists()


def test_the_nightly_command_refuses_a_bad_chunk_size():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="au moins 1"):
        call_command("refresh_schedules", "--chunk-size", "0")


def test_migrate_fills_the_patients_without_rows(haematologist, pharmacist):
    patient = _started(haematologist, pharmacist, "IPP-913", days_ago=7)
    ScheduleItem.objects.filter(patient=patient).delete()
    PatientStatus.objects.filter(patient=patient).delete()
    emit_post_migrate_signal(0, False, connection.alias)
    assert stored(patient) == fresh(patient)


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_that_keeps_english_texts_computes_every_row_again(haematologist,
                                                                       pharmacist):
    patient = _started(haematologist, pharmacist, "IPP-914", days_ago=3)
    call_command("migrate", "sirolimus_app", "0003", verbosity=0)
    call_command("migrate", "sirolimus_app", verbosity=0)
    assert stored(patient) == fresh(patient)
    trough = ScheduleItem.objects.filter(patient=patient, kind=Kind.TROUGH).first()
    assert trough.instruction == "prélever juste avant la prise du matin"
    assert trough.instruction_en == "sample just before the morning dose"


# --- rows computed on an earlier day still answer today ------------------------------------

def test_overdue_is_decided_today_from_rows_computed_earlier(haematologist, pharmacist):
    today = timezone.localdate()
    patient = _started(haematologist, pharmacist, "IPP-920", days_ago=9)
    schedule.refresh_patient(patient.pk, today=today - timedelta(days=3))  # D7 not due yet
    rows = calendar.worklist_items(worklists.scan(today)[0].items, today)
    item = {(i.kind, i.label): i for i in rows}[("trough", "T0 J7")]
    assert (item.section, item.days_late) == (worklists.OVERDUE, 2)
    assert [a.code for a in attention.of_scan(worklists.scan(today)[0], today)] == [
        "overdue_trough"]
    assert worklists.freshness(today).not_current == 1


def test_no_response_at_3_months_applies_from_its_date(haematologist, pharmacist, nurse):
    today = timezone.localdate()
    start = today - timedelta(days=88)
    patient = _started(haematologist, pharmacist, "IPP-921", days_ago=88)
    trough(nurse, patient, start + timedelta(days=7), "6")
    records.add_lab_result(haematologist, LabResult(
        patient=patient, kind=LabResult.Kind.PLATELETS, sampled_at=aware(today),
        value=Decimal("14"), unit="G/L"))
    status = PatientStatus.objects.get(patient=patient)
    assert status.response == "no_response"
    assert status.no_response_from == add_months(start, 3)
    assert status.no_response_from > today
    assert "no_response" not in [a.code for a in attention.of_scan(worklists.scan(today)[0],
                                                                    today)]
    later = attention.of_scan(worklists.scan(status.no_response_from)[0],
                              status.no_response_from)
    assert "no_response" in [a.code for a in later]
    # what the engine says on that day, once refreshed then: the same flag, its own words
    schedule.refresh_patient(patient.pk, today=status.no_response_from)
    engine = attention.of_scan(worklists.scan(status.no_response_from)[0],
                               status.no_response_from)
    # Refreshed that day, the engine's critical advice ("arrêter le sirolimus", which
    # refuses a validation) is its Advice.no_response_stop: the child is listed once, as not
    # responding, not a second time as forbidden.
    assert [a.code for a in engine] == [a.code for a in later] == ["no_response"]
    assert PatientStatus.objects.get(patient=patient).critical_detail == ""
    said = next(a.detail for a in engine if a.code == "no_response")
    assert "Pas de réponse à 3 mois après l'ajustement" in said and "arrêter" in said


def test_urgency_in_python_and_in_sql_agree_on_every_day(
        ward, haematologist, pharmacist, nurse):  # noqa: F811
    """The urgency a refresh stores (Python) is what the attention list evaluates in SQL
    when the statuses are not from today: the two must agree on any day."""
    today = timezone.localdate()
    soon = _started(haematologist, pharmacist, "IPP-923", days_ago=80, last_name="Bientot")
    trough(nurse, soon, today - timedelta(days=73), "6")
    records.add_lab_result(haematologist, LabResult(
        patient=soon, kind=LabResult.Kind.PLATELETS, sampled_at=aware(today),
        value=Decimal("12"), unit="G/L"))
    statuses = list(PatientStatus.objects.all())
    rows = {s.pk: list(ScheduleItem.objects.filter(patient_id=s.pk)) for s in statuses}
    seen = set()
    for offset in range(200):
        day = today + timedelta(days=offset)
        in_sql = dict(worklists._ranked_on(day).values_list("pk", "urgency_today"))
        for status in statuses:
            expected = schedule.urgency_on(status, rows[status.pk], day)
            assert in_sql.get(status.pk) == expected, (status, day)
            seen.add((status.pk, expected))
    # "fine" misses its D7 trough, "soon" reaches 3 months without a response
    late, no_response = URGENCY.index("overdue_trough"), URGENCY.index("no_response")
    assert (ward["fine"].pk, None) in seen and (ward["fine"].pk, late) in seen
    assert (soon.pk, None) in seen and (soon.pk, no_response) in seen
    # The child past 3 months without response carries the engine's critical RESP-DELAY
    # ("arrêter le sirolimus", its Advice.no_response_stop): listed as not responding
    # (rank 3), after the late trough, not as forbidden (rank 1).
    assert {s.urgency for s in statuses} == {0, 2, 3, 4, None}


def test_the_figures_of_the_day_are_those_evaluated_against_today(ward):  # noqa: F811
    """On the day of its computation the stored urgency gives the pages what evaluating every
    fact against today gives (their path on any other day)."""
    today = timezone.localdate()
    fresh = worklists.freshness(today)
    late = worklists.Freshness(missing=0, stale=1)
    assert fresh.computed_today and not late.computed_today
    stored, evaluated = (worklists.attention_page(today, 10, f) for f in (fresh, late))
    assert [s.pk for s in stored[0]] == [s.pk for s in evaluated[0]] == [
        ward[k].pk for k in ("toxic", "late", "no_response", "waiting")]
    assert stored[1] == evaluated[1] == 4
    # The counts by section are read from the items whatever the statuses' day: every item
    # stored past its appointment and not done is overdue (computed today, none superseded).
    counts = worklists.section_counts(today)
    assert counts["pending"][worklists.OVERDUE] == ScheduleItem.objects.filter(
        appointment__lt=today, done=False, conditional=False).count() > 0


def test_the_pages_say_when_the_nightly_refresh_did_not_run(client, haematologist, pharmacist,
                                                            nurse):
    patient = _started(haematologist, pharmacist, "IPP-922", days_ago=9)
    client.force_login(nurse)
    assert 'data-testid="not-current"' not in client.get(reverse("nurse_worklist")).text
    PatientStatus.objects.filter(patient=patient).update(
        computed_for=timezone.localdate() - timedelta(days=1))
    for url in (reverse("nurse_worklist"), reverse("home")):
        page = client.get(url).text
        assert 'data-testid="not-current"' in page
        assert "Le calendrier de 1 patient n'a pas été recalculé aujourd'hui" in page


# --- two writes at once on PostgreSQL ------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writes_at_once_both_reach_the_schedule(haematologist, pharmacist, nurse):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    patient = _started(haematologist, pharmacist, "IPP-930", days_ago=40)
    today = timezone.localdate()
    start = threading.Barrier(2)
    errors = []

    def write(call):
        try:
            start.wait()
            call()
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    calls = [
        lambda: trough(nurse, patient, today, "6.1"),
        lambda: records.add_visit(haematologist, Visit(patient=patient, label="M1",
                                                       done_date=today, systolic_bp=110,
                                                       diastolic_bp=70)),
    ]
    threads = [threading.Thread(target=write, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert stored(patient) == fresh(patient)
    assert not ScheduleItem.objects.filter(patient=patient, label="M1", done=False).exclude(
        kind__in=[Kind.LIPIDS, Kind.CBC]).exists()


def test_the_nightly_refresh_reads_the_records_as_the_pages_do(haematologist,
                                                               django_assert_num_queries):
    """services.engine.fetch_records (the refresh: one query per kind, only the columns the
    engine reads) and prefetch_clinical (the pages) give the same status and calendar, for a
    two-year history with every kind of record, a voided one and a nurse's tick among them;
    the engine then reads nothing more from the database."""
    today = timezone.localdate()
    seed_registry(2, today)
    patient = Patient.objects.get(hospital_number=HISTORY_PATIENT)
    _every_kind_of_record(patient, haematologist)
    upcoming = (ScheduleItem.objects.filter(patient=patient, due_date__gte=today, done=False)
                .exclude(kind=Kind.CONTROL).order_by("due_date").first())
    MonitoringCheck.objects.create(patient=patient, kind=upcoming.kind,
                                   due_date=upcoming.due_date, done_at=timezone.now(),
                                   recorded_by=haematologist)
    ticks = schedule._ticks([patient.pk])[patient.pk]
    paged = prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()
    fetched = fetch_records([patient.pk])[patient.pk]
    with django_assert_num_queries(0):
        status, rows = schedule.derive(patient, today, ticks, fetched)
    expected_status, expected_rows = schedule.derive(paged, today, ticks)
    assert status.calendar == PatientStatus.Calendar.AVAILABLE
    assert ([getattr(status, name) for name in schedule.STATUS_COLUMNS]
            == [getattr(expected_status, name) for name in schedule.STATUS_COLUMNS])
    assert rows == expected_rows
    ticked = ticks[upcoming.kind, upcoming.due_date]
    assert [row.tick_id for row in rows if row.tick_id] == [ticked.pk]


def test_the_rows_written_by_the_refresh_have_every_column_of_the_calendar():
    """The refresh writes ScheduleItem rows without the ORM (schedule.Row): a column added to
    the model must be added there too, or the insert would miss it."""
    columns = {f.attname for f in ScheduleItem._meta.local_concrete_fields} - {"id"}
    assert set(schedule.Row._fields) == columns
