"""The family's calendar as an iCalendar file, parsed back with the `icalendar` library: one
event per appointment day in plain words, at the unit's time and place, a reminder the day
before, stable UIDs, and the days that leave the calendar cancelled on the next import."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from protocol import RULES
from protocol.calendar import appointment
from protocol.dates import add_months
from protocol.monitoring import Item, Reason
from sirolimus_app.documents import ical
from sirolimus_app.documents.data import ScheduleDocument
from sirolimus_app.models import (
    AuditEvent,
    BodyMeasurement,
    CoMedication,
    ExportedEvent,
    LabResult,
    Patient,
)
from sirolimus_app.presenters.calendar import due_items
from sirolimus_app.presenters.family import family_days
from sirolimus_app.services import records
from sirolimus_app.services.calendar_export import event_uid
from sirolimus_app.services.engine import advise_patient
from tests.web.test_documents_factories import aware, fetch, two_year_history
from tests.web.test_documents_pdf import _started_patient, flat, read

# A rule ID as the clinicians' documents print them (FOLLOW-VISITS, AE-BP, TDM-STEADY-STATE).
RULE_ID = re.compile(r"\b[A-Z]{2,}(-[A-Z0-9]+)+\b")


@pytest.fixture
def history(haematologist, nurse, pharmacist):
    return two_year_history(haematologist, nurse, pharmacist, hospital_number="77001")


def download(client, patient, **headers) -> tuple[Calendar, bytes]:
    response = client.get(reverse("documents_schedule_ics", args=[patient.pk]), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == \
        f'attachment; filename="calendrier-sirolimus-{patient.pk}.ics"'
    return Calendar.from_ical(response.content), response.content


def events(calendar: Calendar) -> dict[str, dict]:
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def active(calendar: Calendar) -> dict[str, dict]:
    return {uid: e for uid, e in events(calendar).items() if str(e["status"]) != "CANCELLED"}


def readable(calendar: Calendar) -> str:
    """Every text a family reads: the calendar's name and description, each event's title,
    description and place, each reminder."""
    texts = [str(calendar["x-wr-calname"]), str(calendar["x-wr-caldesc"])]
    for component in calendar.walk():
        texts += [str(component[key]) for key in ("summary", "description", "location")
                  if key in component]
    return "\n".join(texts)


def day_of(event) -> date:
    start = event.decoded("dtstart")
    return start.date() if isinstance(start, datetime) else start


def test_one_event_per_appointment_day_in_plain_words(client, nurse, history):
    client.force_login(nurse)
    calendar, raw = download(client, history.patient)
    assert calendar["version"] == "2.0" and "CEREVANCE" in str(calendar["prodid"])
    schedule = advise_patient(fetch(history.patient)).advice.schedule
    # One event per working day the engine booked, however many items fall on it.
    booked = {item.appointment for item in schedule}
    found = active(calendar)
    assert len(found) == len(booked) < len(schedule)
    assert {day_of(e) for e in found.values()} == booked
    assert all(day_of(e).weekday() < 5 for e in found.values())
    for event in found.values():
        # No appointment time configured: an all-day event.
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is date and end == start + timedelta(days=1)
        assert "Hématologie pédiatrique" in str(event["location"])
        (alarm,) = event.walk("VALARM")  # a reminder the day before
        assert alarm.decoded("trigger") == timedelta(days=-1)
        assert str(event["sequence"]) == "0"
    assert raw.count(b"TRIGGER:-P1D") == len(found)
    # No rule ID, no "T0", no "M6" anywhere in what the family reads.
    text = readable(calendar)
    assert "Prise de sang" in text
    assert not RULE_ID.search(text), RULE_ID.search(text)
    assert not [rule for rule in RULES if rule in text]
    assert "T0" not in text and not re.search(r"\bM\d+\b", text)


def test_each_day_says_what_is_done_and_why(client, nurse, history):
    client.force_login(nurse)
    found = active(download(client, history.patient)[0])
    by_day = {day_of(e): e for e in found.values()}
    start = history.start
    j7 = by_day[appointment(start + timedelta(days=7), "trough")]
    description = str(j7["description"])
    assert str(j7["summary"]) == "Sirolimus : prise de sang"
    assert ("Prise de sang juste avant la prise du matin pour doser le sirolimus, 7 jours après "
            "le début du traitement.") in description
    assert "Ce matin-là, ne donnez le sirolimus qu'après la prise de sang." in description
    day = (start + timedelta(days=7)).strftime("%d/%m/%Y")
    assert f"(fait le {day})" in description
    assert "Téléphone du service : 01 23 45 67 89" in description
    # A follow-up: the visit, its samples and the blood pressure, in one event.
    m30 = by_day[appointment(add_months(start, 30), "visit")]
    assert str(m30["summary"]) == "Sirolimus : consultation de suivi · prise de sang"
    lines = str(m30["description"]).splitlines()
    assert "Consultation de suivi avec le médecin, après 30 mois de traitement." in lines
    assert "Mesure de la tension artérielle, que le sirolimus peut augmenter." in lines
    assert ("Prise de sang juste avant la prise du matin pour doser le sirolimus : le contrôle "
            "régulier, tous les 6 mois.") in lines
    (alarm,) = m30.walk("VALARM")
    assert str(alarm["description"]) == (
        "Demain, rendez-vous de suivi du sirolimus : consultation de suivi · prise de sang. "
        "Ce matin-là, ne donnez le sirolimus qu'après la prise de sang.")
    # The trough 7 days after starting the azole says which medicine.
    azole = by_day[appointment(history.visit_day(8) + timedelta(days=7), "trough")]
    assert "7 jours après le début d'un médicament qui en change la quantité dans le sang " \
        "(fluconazole)" in str(azole["description"])


def test_events_at_the_units_appointment_time(client, nurse, history, settings):
    settings.APPOINTMENT_TIME = time(8, 30)
    client.force_login(nurse)
    calendar, raw = download(client, history.patient)
    found = active(calendar)
    for event in found.values():
        start = event.decoded("dtstart")
        assert isinstance(start, datetime) and (start.hour, start.minute) == (8, 30)
        assert str(start.tzinfo) == "Europe/Paris"
        assert event["dtstart"].params["TZID"] == "Europe/Paris"
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == timedelta(days=-1)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert b"DTSTART;TZID=Europe/Paris:" in raw


def test_uids_are_stable_so_a_new_import_updates_instead_of_duplicating(
        client, haematologist, nurse, history):
    client.force_login(nurse)
    first = active(download(client, history.patient)[0])
    # New data (a platelet count today) and a new export: the same days keep their UIDs,
    # and a day whose words did not change keeps its SEQUENCE.
    records.add_lab_result(haematologist, LabResult(
        patient=history.patient, kind=LabResult.Kind.PLATELETS,
        sampled_at=aware(timezone.localdate(), 7), value=Decimal("150"), unit="G/L"))
    second = active(download(client, history.patient)[0])
    assert set(first) == set(second)
    for uid, event in first.items():
        assert day_of(second[uid]) == day_of(event)
        assert str(second[uid]["summary"]) == str(event["summary"])
        assert second[uid]["sequence"] == event["sequence"] == 0
    # Derived from the patient's key and the day only, and showing neither.
    m1 = appointment(add_months(history.start, 1), "visit")
    uid = event_uid(history.patient.pk, m1)
    assert uid in first and day_of(first[uid]) == m1
    for shown in (history.patient.study_code, history.patient.hospital_number,
                  m1.isoformat(), m1.strftime("%Y%m%d")):
        assert shown not in uid
    assert ExportedEvent.objects.filter(patient=history.patient).count() == len(first)


def test_a_day_that_leaves_the_calendar_comes_back_cancelled(client, haematologist, nurse,
                                                              history):
    """The azole was entered by mistake: its two troughs leave the calendar, and the next file
    cancels them (higher SEQUENCE, STATUS:CANCELLED) so that re-importing removes them."""
    client.force_login(nurse)
    before = active(download(client, history.patient)[0])
    azole_days = {appointment(history.visit_day(8) + timedelta(days=days), "trough")
                  for days in (7, 21)}
    assert azole_days <= {day_of(e) for e in before.values()}
    assert AuditEvent.objects.filter(action="calendar.export").count() == 1

    comedication = CoMedication.objects.get(patient=history.patient, name="fluconazole")
    records.void_record(haematologist, comedication, "Saisie sur le mauvais dossier")
    calendar = download(client, history.patient)[0]
    after = events(calendar)
    assert set(after) == set(before)  # every day given is still in the file
    cancelled = {uid: e for uid, e in after.items() if str(e["status"]) == "CANCELLED"}
    assert {day_of(e) for e in cancelled.values()} == azole_days
    for uid, event in cancelled.items():
        assert event["sequence"] == before[uid]["sequence"] + 1
        assert str(event["summary"]) == "Annulé : rendez-vous de suivi du sirolimus"
        assert not event.walk("VALARM")
    for uid in set(after) - set(cancelled):
        assert str(after[uid]["status"]) == "CONFIRMED"
        assert after[uid]["sequence"] == before[uid]["sequence"]
    # One audit line says which days the family's calendar was told were cancelled.
    line = AuditEvent.objects.filter(action="calendar.export").first()
    assert sorted(line.after["cancelled"]) == sorted(d.isoformat() for d in azole_days)
    assert line.patient_id == history.patient.pk and line.user == nurse

    # Exported again: still cancelled, and no new version of anything.
    again = events(download(client, history.patient)[0])
    assert {uid: (str(e["status"]), e["sequence"]) for uid, e in again.items()} == \
        {uid: (str(e["status"]), e["sequence"]) for uid, e in after.items()}
    assert AuditEvent.objects.filter(action="calendar.export").count() == 2


def test_an_incomplete_record_cancels_nothing(client, haematologist, pharmacist, nurse):
    """The weight was entered on the wrong child: until it is entered again the engine cannot
    compute the calendar, and the file leaves the family's appointments as they were."""
    patient = _started_patient(haematologist, pharmacist, nurse)
    client.force_login(nurse)
    given = active(download(client, patient)[0])
    assert given
    records.void_record(nurse, BodyMeasurement.objects.get(patient=patient), "Mauvais dossier")
    calendar = download(client, patient)[0]
    assert not calendar.walk("VEVENT")
    assert not ExportedEvent.objects.filter(patient=patient, cancelled=True).exists()
    assert ExportedEvent.objects.filter(patient=patient).count() == len(given)


def _document(patient: Patient, items, today: date) -> ScheduleDocument:
    return ScheduleDocument(patient, None, today, None, None,
                            family_days(due_items(items), today), [],
                            {"service": "Hématologie pédiatrique", "name": "CHU Test"})


def test_a_changed_day_gets_a_higher_sequence_and_a_day_back_is_uncancelled(
        haematologist, nurse):
    patient = records.create_patient(haematologist, Patient(
        hospital_number="88001", last_name="Test", first_name="Zoé", sex="F",
        birth_date=date(2016, 1, 4), diagnosis_date=date(2023, 1, 2)))
    today = date(2026, 5, 1)
    visit = Item(date(2026, 6, 1), "visit", "M1", ("FOLLOW-VISITS",), reason=Reason.FOLLOW_UP,
                 month=1)
    trough = Item(date(2026, 5, 11), "trough", "T0 J7", ("TDM-STEADY-STATE",),
                  "sample just before the morning dose", "prélever juste avant la prise du matin",
                  reason=Reason.START)
    lipids = Item(date(2026, 6, 1), "lipids", "M1", ("AE-LIPIDS",), reason=Reason.FOLLOW_UP,
                  month=1)

    def export(*items) -> dict[date, tuple[str, int]]:
        calendar = Calendar.from_ical(ical.export(_document(patient, items, today), nurse))
        return {day_of(e): (str(e["status"]), int(e["sequence"]))
                for e in calendar.walk("VEVENT")}

    assert export(visit, trough) == {date(2026, 6, 1): ("CONFIRMED", 0),
                                     date(2026, 5, 11): ("CONFIRMED", 0)}
    # The lipids join the visit's day: that day's words changed.
    assert export(visit, trough, lipids) == {date(2026, 6, 1): ("CONFIRMED", 1),
                                             date(2026, 5, 11): ("CONFIRMED", 0)}
    assert export(visit, lipids) == {date(2026, 6, 1): ("CONFIRMED", 1),
                                     date(2026, 5, 11): ("CANCELLED", 1)}
    # The trough comes back (the record that removed it was voided): a new version of it.
    assert export(visit, lipids, trough) == {date(2026, 6, 1): ("CONFIRMED", 1),
                                             date(2026, 5, 11): ("CONFIRMED", 2)}


def test_the_english_calendar(client, nurse, history):
    client.force_login(nurse)
    calendar, _raw = download(client, history.patient, HTTP_ACCEPT_LANGUAGE="en")
    found = active(calendar)
    by_day = {day_of(e): e for e in found.values()}
    m30 = by_day[appointment(add_months(history.start, 30), "visit")]
    assert str(m30["summary"]) == "Sirolimus: follow-up consultation · blood test"
    description = str(m30["description"])
    assert "Follow-up consultation with the doctor, after 30 months of treatment." in description
    assert "That morning, give sirolimus only after the blood test." in description
    assert "Unit's phone number: 01 23 45 67 89" in description
    text = readable(calendar)
    for french in ("Prise de sang", "Consultation", "Demain", "fait le"):
        assert french not in text, french
    assert "done on" in text
    assert not RULE_ID.search(text) and "T0" not in text


def test_calendar_names_no_one_beyond_first_name_and_initial(client, nurse, history):
    client.force_login(nurse)
    calendar, raw = download(client, history.patient)
    text = raw.decode()
    assert str(calendar["x-wr-calname"]) == "Suivi sirolimus — Anaïs L."
    for secret in ("Lefèvre", "LEFÈVRE", history.patient.hospital_number,
                   history.patient.study_code, "20140312", "2014-03-12"):
        assert secret not in text, secret


def test_outsider_cannot_download_the_calendar(client, outsider, history):
    client.force_login(outsider)
    assert client.get(reverse("documents_schedule_ics",
                              args=[history.patient.pk])).status_code == 403
    assert not ExportedEvent.objects.exists()


def test_the_same_done_words_in_the_calendar_and_the_schedule_pdf(client, nurse, history):
    """Both family documents say "fait le …" from the engine's fulfilment, with the one
    presenter's words (the clinicians' pages name the record too)."""
    client.force_login(nurse)
    schedule = advise_patient(fetch(history.patient)).advice.schedule
    with translation.override("fr"):
        days = family_days(due_items(schedule), timezone.localdate())
    done = [entry.done_text for day in days for entry in day.entries if entry.done_on]
    assert done
    descriptions = " ".join(str(e["description"]) for e in
                            active(download(client, history.patient)[0]).values())
    pdf = flat(read(client.get(reverse("documents_schedule_pdf",
                                       args=[history.patient.pk])))[0])
    j7 = (history.start + timedelta(days=7)).strftime("%d/%m/%Y")
    assert f"fait le {j7}" in done
    for text in done:
        assert text in descriptions, text
        assert text in pdf, text
