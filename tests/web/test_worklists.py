"""The pharmacist's and the nurse's worklists: what they list, who may see them, the nurse's
one-click "done", and query counts that do not grow with the number of patients."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from protocol.calendar import is_working_day
from sirolimus_app.models import (
    AuditEvent,
    CoMedication,
    MonitoringCheck,
    Patient,
    PatientStatus,
    Prescription,
    ScheduleItem,
)
from sirolimus_app.models.schedule import NEVER, URGENCY
from sirolimus_app.presenters import attention, calendar
from sirolimus_app.services import prescriptions, records, schedule, worklists
from tests.web.test_security_factories import new_patient
from tests.web.test_workflow_data import (
    eligible_patient,
    on_treatment,
    proposal,
    trough,
)

pytestmark = pytest.mark.django_db
Kind = MonitoringCheck.Kind


@pytest.fixture
def today():
    return timezone.localdate()


def _started(haematologist, pharmacist, number, days_ago, last_name="Dupont"):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, number, last_name=last_name,
                               since=today - timedelta(days=days_ago + 5))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=days_ago))
    return patient


def _items(patient, today):
    scans = worklists.scan(today, worklists.followed_patients().filter(pk=patient.pk))
    return {(i.kind, i.label): i for s in scans for i in calendar.worklist_items(s.items, today)}


def _row(response, patient, kind, day):
    marker = f'data-testid="due-{patient.pk}-{kind}-{day.isoformat()}"'
    assert marker in response.text, f"{kind} {day} missing"
    return response.text.split(marker)[1].split("</li>")[0]


# --- the nurse's calendar ----------------------------------------------------------------

def test_d7_trough_is_due_today_with_its_instruction(client, haematologist, pharmacist, nurse,
                                                     today):
    patient = _started(haematologist, pharmacist, "IPP-300", days_ago=7)
    client.force_login(nurse)
    response = client.get(reverse("nurse_worklist"))
    assert response.status_code == 200
    row = _row(response, patient, "trough", today)
    assert "T0 J7" in row and "prélever juste avant la prise du matin" in row
    assert '<span class="rule-id">TDM-STEADY-STATE</span>' in row
    assert "Prélèvement fait" in row


def test_nurse_records_the_sample_in_one_click(client, haematologist, pharmacist, nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-301", days_ago=7)
    client.force_login(nurse)
    response = client.post(reverse("nurse_check_done"), {
        "patient": patient.pk, "kind": "trough", "due_date": today.isoformat(),
        "next": reverse("nurse_worklist")}, follow=True)
    check = MonitoringCheck.objects.get()
    assert (check.patient, check.kind, check.due_date, check.recorded_by) == (
        patient, Kind.TROUGH, today, nurse)
    assert AuditEvent.objects.filter(action="monitoringcheck.create").count() == 1
    assert "Taux résiduel T0 J7 noté comme réalisé pour DUPONT Léa" in response.text
    row = _row(response, patient, "trough", today)
    assert "Réalisé" in row and "Julie Bernard" in row and "Prélèvement fait" not in row

    again = client.post(reverse("nurse_check_done"), {
        "patient": patient.pk, "kind": "trough", "due_date": today.isoformat()}, follow=True)
    assert "Déjà noté comme réalisé." in again.text
    assert MonitoringCheck.objects.count() == 1


def _working_day_before(day: date) -> date:
    """`day` or the latest working day before it (the calendar's own rule)."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def test_overdue_trough_until_a_trough_is_recorded(haematologist, pharmacist, nurse, today):
    # The day-7 trough due on a working day at least 3 days ago: booked that day, as late.
    due = _working_day_before(today - timedelta(days=3))
    patient = _started(haematologist, pharmacist, "IPP-302", days_ago=(today - due).days + 7)
    item = _items(patient, today)[("trough", "T0 J7")]
    assert (item.date, item.appointment) == (due, due)
    assert (item.section, item.days_late, item.done) == (
        worklists.OVERDUE, (today - due).days, False)
    found = worklists.scan(today, worklists.followed_patients().filter(pk=patient.pk))[0]
    assert [a.code for a in attention.of_scan(found, today)] == ["overdue_trough"]

    trough(nurse, patient, today - timedelta(days=1), "6.5")
    assert ("trough", "T0 J7") not in _items(patient, today)


def test_week_shows_the_coming_trough_and_the_m1_visit_items(haematologist, pharmacist, today):
    patient = _started(haematologist, pharmacist, "IPP-303", days_ago=3)
    items = _items(patient, today)
    assert items[("trough", "T0 J7")].date == today + timedelta(days=4)
    assert items[("trough", "T0 J7")].section == worklists.WEEK
    later = _started(haematologist, pharmacist, "IPP-304", days_ago=26, last_name="Martin")
    m1 = _items(later, today)
    assert {kind for kind, label in m1 if label == "M1"} == {
        "visit", "cbc", "blood_pressure", "lipids"}
    assert all(item.section == worklists.WEEK for (kind, label), item in m1.items()
               if label == "M1")


def test_the_48h_control_after_a_toxic_suspension(haematologist, pharmacist, nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-305", days_ago=12)
    trough(nurse, patient, today - timedelta(days=2), "18.4")
    found = worklists.scan(today, worklists.followed_patients().filter(pk=patient.pk))[0]
    assert "toxic_trough" in [a.code for a in attention.of_scan(found, today)]  # not suspended

    prescriptions.suspend(haematologist, patient.pk, "T0 18,4 ng/ml",
                          on_date=today - timedelta(days=1))
    control = _items(patient, today)[("control", "Contrôle 48 h")]
    assert (control.date, control.section) == (today + timedelta(days=1), worklists.WEEK)
    assert "48 h" in control.instruction
    found = worklists.scan(today, worklists.followed_patients().filter(pk=patient.pk))[0]
    assert "toxic_trough" not in [a.code for a in attention.of_scan(found, today)]


def test_a_visit_recorded_by_the_doctor_counts_as_done(haematologist, pharmacist, today):
    from sirolimus_app.models import Visit

    patient = _started(haematologist, pharmacist, "IPP-306", days_ago=35)
    assert _items(patient, today)[("visit", "M1")].section == worklists.OVERDUE
    records.add_visit(haematologist, Visit(patient=patient, label="M1", done_date=today,
                                           systolic_bp=110, diastolic_bp=70))
    items = _items(patient, today)
    assert ("visit", "M1") not in items and ("blood_pressure", "M1") not in items


def test_stopped_and_never_prescribed_patients_are_not_followed(haematologist, pharmacist):
    stopped = _started(haematologist, pharmacist, "IPP-307", days_ago=20)
    prescriptions.stop(haematologist, stopped.pk, "Rémission")
    eligible_patient(haematologist, "IPP-308", last_name="Sanstraitement")
    pending = eligible_patient(haematologist, "IPP-309", last_name="Enattente")
    proposal(haematologist, pending)
    assert list(worklists.followed_patients()) == [pending]


def test_a_patient_whose_data_the_engine_refuses_is_named(client, haematologist, pharmacist,
                                                          nurse):
    patient = _started(haematologist, pharmacist, "IPP-310", days_ago=7)
    patient.measurements.all().delete()  # no weight: no BSA, no calendar
    client.force_login(nurse)
    response = client.get(reverse("nurse_worklist"))
    warning = response.text.split('data-testid="incomplete"')[1].split("</div>")[0]
    assert "DUPONT Léa (IPP-310)" in warning


@pytest.mark.parametrize("data,message", [
    ({"kind": "teleportation"}, "Élément du calendrier non reconnu"),
    ({"due_date": "24/11/2026"}, "Élément du calendrier non reconnu"),
    ({"due_date": "2001-01-01"}, "plus au calendrier de DUPONT"),
    ({"kind": "lipids"}, "plus au calendrier de DUPONT"),
])
def test_a_bad_tick_is_refused_and_nothing_saved(client, haematologist, pharmacist, nurse, today,
                                                 data, message):
    patient = _started(haematologist, pharmacist, "IPP-311", days_ago=7)
    client.force_login(nurse)
    response = client.post(reverse("nurse_check_done"), {
        "patient": patient.pk, "kind": "trough", "due_date": today.isoformat(), **data},
        follow=True)
    assert message in response.text
    assert not MonitoringCheck.objects.exists()


def test_ticking_an_unknown_patient_is_404(client, nurse, today):
    client.force_login(nurse)
    response = client.post(reverse("nurse_check_done"), {
        "patient": 9999, "kind": "trough", "due_date": today.isoformat()})
    assert response.status_code == 404


@pytest.mark.parametrize("who,status", [("nurse", 200), ("haematologist", 200),
                                        ("pharmacist", 403), ("outsider", 403)])
def test_nurse_worklist_roles(client, cast, who, status):
    client.force_login(cast[who])
    assert client.get(reverse("nurse_worklist")).status_code == status


@pytest.mark.parametrize("who", ["pharmacist", "outsider"])
def test_only_care_roles_tick(client, cast, haematologist, pharmacist, who, today):
    patient = _started(haematologist, pharmacist, "IPP-312", days_ago=7)
    client.force_login(cast[who])
    response = client.post(reverse("nurse_check_done"), {
        "patient": patient.pk, "kind": "trough", "due_date": today.isoformat()})
    assert response.status_code == 403
    assert not MonitoringCheck.objects.exists()


def test_anonymous_goes_to_login(client):
    for url in (reverse("nurse_worklist"), reverse("pharmacy_worklist")):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/connexion/" in response.url


def test_nurse_worklist_filters_by_period(client, haematologist, pharmacist, nurse, today):
    due_today = _started(haematologist, pharmacist, "IPP-313", days_ago=7)
    overdue = _started(haematologist, pharmacist, "IPP-314", days_ago=9, last_name="Bernard")
    client.force_login(nurse)
    response = client.get(reverse("nurse_worklist"), {"periode": "overdue"})
    assert f'data-testid="due-{overdue.pk}-trough-' in response.text
    assert f'data-testid="due-{due_today.pk}-trough-' not in response.text
    assert client.get(reverse("nurse_worklist"), {"periode": "n'importe"}).status_code == 200


def _day_row(response, patient, day):
    """The worklist row of one child's day (its items, each with its state)."""
    marker = f'data-testid="child-day-{patient.pk}-{day.isoformat()}"'
    assert response.text.count(marker) == 1, f"{patient} {day}: not one row"
    return response.text.split(marker)[1].split("</tr>")[0]


def test_a_childs_visit_day_is_one_row_with_one_done_per_item(client, haematologist,
                                                              pharmacist, nurse, today):
    """The M1 visit and what is done at it (CBC, blood pressure, lipids): one row for the
    child's day, each item with its own tick; ticking one leaves the others to do."""
    patient = _started(haematologist, pharmacist, "IPP-315", days_ago=26)
    m1 = {kind: item for (kind, label), item in _items(patient, today).items() if label == "M1"}
    assert set(m1) == {"visit", "cbc", "blood_pressure", "lipids"}
    booked = {item.appointment for item in m1.values()}
    assert len(booked) == 1  # one working day for the whole visit
    day = booked.pop()
    client.force_login(nurse)
    response = client.get(reverse("nurse_worklist"))
    row = _day_row(response, patient, day)
    assert "DUPONT Léa" in row and "IPP-315" in row
    assert row.count(f'href="{reverse("patient_detail", args=[patient.pk])}"') == 1
    for kind, item in m1.items():
        assert f'data-testid="due-{patient.pk}-{kind}-{item.date.isoformat()}"' in row
    assert row.count("Prélèvement fait") == 2  # the CBC and the lipids
    assert row.count('data-testid="vitals-') == 2  # the visit and the blood pressure
    if m1["visit"].date != day:  # M1 on a weekend or a holiday: the protocol date is said
        said = row.split('class="worklist-day"')[1].split("</td>")[0]
        assert "prévu le" in said and f"{m1['visit'].date:%d/%m}" in said

    cbc = m1["cbc"]
    client.post(reverse("nurse_check_done"), {
        "patient": patient.pk, "kind": "cbc", "due_date": cbc.date.isoformat()})
    row = _day_row(client.get(reverse("nurse_worklist")), patient, day)
    done = row.split(f'data-testid="due-{patient.pk}-cbc-')[1].split("</li>")[0]
    assert "Réalisé" in done and "Julie Bernard" in done and "Prélèvement fait" not in done
    assert row.count("Prélèvement fait") == 1  # the lipids, still to do
    assert row.count('data-testid="vitals-') == 2


def test_printing_the_worklist_keeps_the_state_of_each_item(client, haematologist, pharmacist,
                                                            nurse, today):
    """The browser's print hides the buttons and forms (static/css/print.css, d-print-none),
    never the column that says what is done and what is to do."""
    patient = _started(haematologist, pharmacist, "IPP-316", days_ago=7)
    client.force_login(nurse)
    header = client.get(reverse("nurse_worklist")).text.split("<thead")[1].split("</thead>")[0]
    assert "d-print-none" not in header
    item = _row(client.get(reverse("nurse_worklist")), patient, "trough", today)
    state = item.split('data-testid="state"')[1]
    assert '<span class="d-none d-print-inline">☐ À faire</span>' in state
    assert '<div class="d-print-none">' in state  # the button, on screen only
    records.mark_check_done(nurse, MonitoringCheck(patient=patient, kind=Kind.TROUGH,
                                                   due_date=today))
    item = _row(client.get(reverse("nurse_worklist")), patient, "trough", today)
    state = item.split('data-testid="state"')[1]
    assert 'class="badge text-bg-success">Réalisé</span>' in state
    assert "d-print-none" not in state.split("Réalisé")[0]


def _hand_made_days(patients, today):
    """Calendar rows written directly (the services' queries are under test, not the engine):
    the first patient has three items today, the others one each; the first also has one
    the next day."""
    rows = []
    for n, patient in enumerate(patients):
        kinds = ("cbc", "visit", "blood_pressure") if n == 0 else ("trough",)
        for position, kind in enumerate(kinds):
            rows.append(ScheduleItem(patient=patient, due_date=today, appointment=today,
                                     kind=kind, label="M3", superseded_on=NEVER,
                                     position=position))
    rows.append(ScheduleItem(patient=patients[0], due_date=today + timedelta(days=1),
                             appointment=today + timedelta(days=1), kind="trough",
                             label="T0 J7", superseded_on=NEVER, position=3))
    ScheduleItem.objects.bulk_create(rows)


def test_the_worklist_pages_through_childrens_days_never_splitting_one(client, haematologist,
                                                                       nurse, today):
    from sirolimus_app.views.nursing import PER_PAGE

    patients = [new_patient(haematologist, f"IPP-4{n:02}", last_name=f"Enfant{n:02}")
                for n in range(PER_PAGE)]
    _hand_made_days(patients, today)
    counts = worklists.section_counts(today)
    assert counts["days"] == {worklists.OVERDUE: 0, worklists.TODAY: PER_PAGE,
                              worklists.WEEK: 1}
    assert counts["pending"] == {worklists.OVERDUE: 0, worklists.TODAY: PER_PAGE + 2,
                                 worklists.WEEK: 1}
    client.force_login(nurse)
    first = client.get(reverse("nurse_worklist"))
    assert first.text.count('data-testid="child-day-') == PER_PAGE
    assert "Page 1 sur 2" in first.text
    row = _day_row(first, patients[0], today)  # its three items in its one row
    assert all(f'data-testid="due-{patients[0].pk}-{kind}-' in row
               for kind in ("cbc", "visit", "blood_pressure"))
    second = client.get(reverse("nurse_worklist"), {"page": 2})
    assert second.text.count('data-testid="child-day-') == 1
    _day_row(second, patients[0], today + timedelta(days=1))
    assert f'data-testid="due-{patients[0].pk}-cbc-' not in second.text
    today_tab = client.get(reverse("nurse_worklist"), {"periode": "today"})
    assert today_tab.text.count('data-testid="child-day-') == PER_PAGE
    assert "Page 1 sur" not in today_tab.text  # one page: the next day is another tab
    tab = today_tab.text.split('data-testid="tab-today"')[1].split("</a>")[0]
    assert f">{PER_PAGE + 2}</span>" in tab  # the items to do, not the rows


# A trough due on a Saturday is booked on the Monday (protocol.calendar: only later); one
# due on Christmas (a Friday) on the Monday after.
SATURDAY, MONDAY, TUESDAY = date(2026, 12, 5), date(2026, 12, 7), date(2026, 12, 8)
CHRISTMAS, AFTER_CHRISTMAS = date(2026, 12, 25), date(2026, 12, 28)


@pytest.mark.parametrize("due,booked", [(SATURDAY, MONDAY), (CHRISTMAS, AFTER_CHRISTMAS)])
def test_an_item_due_on_a_weekend_or_holiday_follows_its_working_day(haematologist, nurse,
                                                                     due, booked):
    """Tabs, counts, lateness, the home page's "due now", the attention list and the day
    sheet all go by the appointment: not late on the protocol date, due on the working day,
    late by the days since it."""
    from protocol.calendar import appointment
    from sirolimus_app.documents.daysheet import day_sheet

    assert appointment(due, "trough") == booked
    patient = new_patient(haematologist, "IPP-450", last_name="Samedi")
    ScheduleItem.objects.create(patient=patient, due_date=due, appointment=booked,
                                kind="trough", label="T0 J7", rules=["TDM-STEADY-STATE"],
                                superseded_on=NEVER, position=0)
    status = PatientStatus.objects.get(patient=patient)
    rows = list(ScheduleItem.objects.filter(patient=patient))
    late_rank = URGENCY.index("overdue_trough")

    def seen_on(day):
        counts = worklists.section_counts(day)
        [item] = calendar.worklist_items(worklists.due_items(day), day)
        in_sql = dict(worklists._ranked_on(day).values_list("pk", "urgency_today"))
        assert in_sql.get(patient.pk) == schedule.urgency_on(status, rows, day)
        return (item.section, item.days_late, counts["pending"], counts["days"],
                len(worklists.due_now(day)), in_sql.get(patient.pk))

    week = {worklists.OVERDUE: 0, worklists.TODAY: 0, worklists.WEEK: 1}
    on_day = {worklists.OVERDUE: 0, worklists.TODAY: 1, worklists.WEEK: 0}
    late = {worklists.OVERDUE: 1, worklists.TODAY: 0, worklists.WEEK: 0}
    assert seen_on(due) == (worklists.WEEK, 0, week, week, 0, None)
    assert seen_on(booked) == (worklists.TODAY, 0, on_day, on_day, 1, None)
    after = booked + timedelta(days=1)
    assert seen_on(after) == (worklists.OVERDUE, 1, late, late, 1, late_rank)
    assert list(worklists.due_days(due, worklists.WEEK)) == [(patient.pk, booked)]
    assert worklists.due_days(due, worklists.OVERDUE).count() == 0
    # The day sheet of the working day lists it, with its protocol date; the protocol
    # date's sheet does not.
    assert [r.patient for r in day_sheet(booked, booked, nurse).rows] == [patient]
    assert day_sheet(due, due, nurse).rows == []
    assert [s.due for s in day_sheet(booked, booked, nurse).rows[0].samples] == [due]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_nurse_worklist_queries_do_not_grow_with_patients(client, haematologist, pharmacist,
                                                          nurse, django_assert_num_queries):
    for n in range(2):
        _started(haematologist, pharmacist, f"IPP-32{n}", days_ago=7 + n, last_name=f"Nom{n}")
    client.force_login(nurse)
    few = _queries(client, reverse("nurse_worklist"))
    for n in range(2, 8):
        patient = _started(haematologist, pharmacist, f"IPP-32{n}", days_ago=7 + n,
                           last_name=f"Nom{n}")
        trough(nurse, patient, timezone.localdate(), "5")
        records.add_comedication(haematologist, CoMedication(
            patient=patient, name="fluconazole", start_date=timezone.localdate()))
    with django_assert_num_queries(few):
        client.get(reverse("nurse_worklist"))


# --- the pharmacist's worklist -----------------------------------------------------------

def test_pharmacy_worklist_shows_everything_needed_to_validate(client, haematologist, pharmacist,
                                                               today):
    patient = _started(haematologist, pharmacist, "IPP-330", days_ago=30)
    records.add_comedication(haematologist, CoMedication(
        patient=patient, name="fluconazole", start_date=today - timedelta(days=2)))
    change = proposal(haematologist, patient, reason="Fluconazole introduit : nouvelle dose")
    client.force_login(pharmacist)
    response = client.get(reverse("pharmacy_worklist"))
    assert response.status_code == 200
    card = response.text.split(f'data-testid="proposal-{change.pk}"')[1].split("</article>")[0]
    assert "2,1 mg/j" in card and "2,02 mg/m²/j" in card  # the dose and its per-m² value
    assert "1,0408 m² (Mosteller)" in card and "30 kg · 130 cm" in card
    assert "dose actuelle 2,1 mg/j" in card  # the engine's basis for a continued dose
    assert "Poursuite" in card
    previous = card.split('data-testid="previous-dose"')[1]
    assert "2,1 mg/j" in previous and "en cours" in previous
    assert "Fluconazole introduit : nouvelle dose" in card
    assert '<span class="rule-id">DDI-CYP3A-PGP</span>' in card
    assert "fluconazole" in card.lower() and "augmente les concentrations" in card
    assert f'name="version" value="{change.version}"' in card


def test_pharmacy_worklist_flags_a_record_changed_after_the_proposal(
        client, haematologist, pharmacist, nurse, today):
    patient = _started(haematologist, pharmacist, "IPP-331", days_ago=30)
    change = proposal(haematologist, patient)
    client.force_login(pharmacist)
    assert 'data-testid="new-data"' not in client.get(reverse("pharmacy_worklist")).text
    trough(nurse, patient, today, "16")
    assert 'data-testid="new-data"' in client.get(reverse("pharmacy_worklist")).text
    assert 'data-testid="new-data"' in client.get(
        reverse("prescription_review", args=[change.pk])).text


def test_pharmacy_worklist_is_oldest_first_and_paginated(client, haematologist, pharmacist):
    from sirolimus_app.views.pharmacy import PER_PAGE

    made = [proposal(haematologist, eligible_patient(haematologist, f"IPP-34{n:02}",
                                                     last_name=f"Patient{n:02}"))
            for n in range(PER_PAGE + 2)]
    client.force_login(pharmacist)
    first = client.get(reverse("pharmacy_worklist")).text
    positions = [first.index(f'data-testid="proposal-{p.pk}"') for p in made[:PER_PAGE]]
    assert positions == sorted(positions)
    assert f'data-testid="proposal-{made[PER_PAGE].pk}"' not in first
    assert f"{PER_PAGE + 2} propositions en attente" in first
    second = client.get(reverse("pharmacy_worklist"), {"page": 2}).text
    assert f'data-testid="proposal-{made[-1].pk}"' in second


@pytest.mark.parametrize("who", ["haematologist", "nurse", "outsider"])
def test_pharmacy_worklist_is_for_pharmacists_only(client, cast, who):
    client.force_login(cast[who])
    assert client.get(reverse("pharmacy_worklist")).status_code == 403


def test_pharmacy_worklist_queries_do_not_grow_with_proposals(client, haematologist, pharmacist,
                                                              django_assert_num_queries):
    for n in range(2):
        proposal(haematologist, eligible_patient(haematologist, f"IPP-35{n}",
                                                 last_name=f"Nom{n}"))
    client.force_login(pharmacist)
    few = _queries(client, reverse("pharmacy_worklist"))
    for n in range(2, 9):
        proposal(haematologist, eligible_patient(haematologist, f"IPP-35{n}",
                                                 last_name=f"Nom{n}"))
    with django_assert_num_queries(few):
        client.get(reverse("pharmacy_worklist"))
    assert Prescription.objects.filter(status="proposed").count() == 9


def test_a_row_is_shown_on_its_working_day_and_says_which_record_did_it(nurse):
    """A visit due on a Sunday is on the Monday's worklist (the engine's appointment), and
    what was done says by which record, in the presenter's one sentence."""
    sunday, monday = date(2026, 3, 1), date(2026, 3, 2)
    row = ScheduleItem(patient=Patient(), due_date=sunday, appointment=monday,
                       kind="visit", label="M3",
                       rules=[], superseded_on=sunday, position=0)
    item = calendar.DueItem.of_row(row, monday)
    assert item.section == "today" and not item.overdue and item.appointment == monday
    assert item.done_display == ""
    row.done, row.fulfilled_on, row.fulfilled_kind = True, monday, "visit"
    assert calendar.DueItem.of_row(row, monday).done_display == \
        "fait le 02/03/2026 (visite M3)"
    row.kind, row.label, row.fulfilled_kind = "trough", "T0 M6", "trough"
    row.fulfilled_ref = "trough:7"
    assert calendar.DueItem.of_row(row, monday).done_display == \
        "fait le 02/03/2026 (prélèvement du 02/03/2026)"
    row.fulfilled_ref = "check:3"
    row.tick = MonitoringCheck(kind="trough", due_date=sunday, recorded_by=nurse,
                               done_at=timezone.now())
    assert calendar.DueItem.of_row(row, monday).done_display == \
        f"fait le 02/03/2026 (coché par {nurse.get_full_name()})"
