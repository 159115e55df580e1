"""The schedule as an iCalendar file, parsed back with the `icalendar` library."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from protocol.calendar import appointment
from protocol.dates import add_months
from sirolimus_app.documents.ical import event_uid
from sirolimus_app.models import LabResult
from sirolimus_app.presenters.calendar import due_items
from sirolimus_app.services import records
from sirolimus_app.services.engine import advise_patient
from tests.web.test_documents_factories import aware, fetch, two_year_history
from tests.web.test_documents_pdf import flat, read


@pytest.fixture
def history(haematologist, nurse, pharmacist):
    return two_year_history(haematologist, nurse, pharmacist)


def download(client, patient) -> tuple[Calendar, bytes]:
    response = client.get(reverse("documents_schedule_ics", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == \
        f'attachment; filename="calendrier-sirolimus-{patient.pk}.ics"'
    return Calendar.from_ical(response.content), response.content


def events(calendar: Calendar) -> dict[str, dict]:
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_one_all_day_event_per_item_of_the_engine_schedule(client, nurse, history):
    client.force_login(nurse)
    calendar, _raw = download(client, history.patient)
    assert calendar["version"] == "2.0" and "CEREVANCE" in str(calendar["prodid"])
    schedule = advise_patient(fetch(history.patient)).advice.schedule
    expected = {(item.kind, item.date) for item in schedule}
    found = events(calendar)
    assert len(found) == len(expected)
    # On the working day the engine booked (weekends and public holidays avoided).
    assert {(e["categories"].cats[0], e.decoded("dtstart")) for e in found.values()} == {
        (_label(item.kind), item.appointment) for item in schedule}
    assert all(e.decoded("dtstart").weekday() < 5 for e in found.values())
    for event in found.values():
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is date and end == start + timedelta(days=1)
        assert "REG-OFF-LABEL" in str(event["description"])
        # A reminder the day before.
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == timedelta(days=-1)
    # What was done says so, with the record that did it, as on the other pages.
    done = [e for e in found.values() if "fait le" in str(e["description"])]
    assert done and all("(" in str(e["description"]) for e in done)


def _label(kind: str) -> str:
    return {"trough": "Taux résiduel", "control": "Contrôle du taux résiduel à 48 h",
            "visit": "Visite", "cbc": "NFS", "lipids": "Bilan lipidique",
            "blood_pressure": "Tension artérielle"}[kind]


def test_events_carry_dates_labels_instructions_and_rules(client, nurse, history):
    client.force_login(nurse)
    found = events(download(client, history.patient)[0])
    by_day = {(e.decoded("dtstart"), str(e["summary"])): e for e in found.values()}
    j7 = by_day[(appointment(history.start + timedelta(days=7), "trough"),
                 "Sirolimus — Taux résiduel (T0 J7)")]
    assert "Prélever juste avant la prise du matin." in str(j7["description"])
    assert "TDM-STEADY-STATE" in str(j7["description"])
    m12 = by_day[(appointment(add_months(history.start, 12), "lipids"),
                  "Sirolimus — Bilan lipidique (M12)")]
    assert "AE-LIPIDS" in str(m12["description"])
    assert (appointment(add_months(history.start, 24), "visit"),
            "Sirolimus — Visite (M24)") in by_day


def test_uids_are_stable_so_a_new_import_updates_instead_of_duplicating(
        client, haematologist, nurse, history):
    client.force_login(nurse)
    first = events(download(client, history.patient)[0])
    # New data (a platelet count today) and a new export: the same items keep their UIDs.
    records.add_lab_result(haematologist, LabResult(
        patient=history.patient, kind=LabResult.Kind.PLATELETS,
        sampled_at=aware(timezone.localdate(), 7), value=Decimal("150"), unit="G/L"))
    second = events(download(client, history.patient)[0])
    assert set(first) == set(second)
    for uid, event in first.items():
        assert second[uid].decoded("dtstart") == event.decoded("dtstart")
        assert str(second[uid]["summary"]) == str(event["summary"])
    # Derived from study code + kind + date only, and showing none of them.
    m1 = add_months(history.start, 1)
    uid = event_uid(history.patient.study_code, "visit", m1)
    assert uid in first and first[uid].decoded("dtstart") == appointment(m1, "visit")
    assert history.patient.study_code not in uid


def test_calendar_names_no_one_beyond_first_name_and_initial(client, nurse, history):
    client.force_login(nurse)
    calendar, raw = download(client, history.patient)
    text = raw.decode()
    assert str(calendar["x-wr-calname"]) == "Suivi sirolimus — Anaïs L."
    for secret in ("Lefèvre", "LEFÈVRE", history.patient.hospital_number,
                   history.patient.study_code, "20140312", "2014-03-12"):
        assert secret not in text, secret


def test_two_items_of_one_kind_on_one_day_are_one_event():
    from protocol.monitoring import Item
    from sirolimus_app.documents.data import ScheduleDocument
    from sirolimus_app.documents.ical import calendar
    from sirolimus_app.models import Patient

    day = date(2026, 5, 4)
    before = ("draw just before the morning dose", "prélever juste avant la prise du matin")
    items = (Item(day, "trough", "T0 M6", ("TDM-STEADY-STATE",), *before),
             Item(day, "trough", "T0 J7 modif.", ("TDM-STEADY-STATE", "FOLLOW-VISITS"), *before),
             Item(day, "visit", "M6", ("FOLLOW-VISITS",)))
    patient = Patient(first_name="Zoé", last_name="Test", study_code="SIR-00000001")
    document = ScheduleDocument(patient, None, date(2026, 1, 1), None, None, [], [], items)
    found = list(Calendar.from_ical(calendar(document)).walk("VEVENT"))
    assert len(found) == 2
    trough = next(e for e in found if "Taux" in str(e["summary"]))
    assert str(trough["summary"]) == "Sirolimus — Taux résiduel (T0 M6 + T0 J7 modif.)"
    assert str(trough["description"]).count("Prélever juste avant") == 1
    assert "TDM-STEADY-STATE, FOLLOW-VISITS" in str(trough["description"])


def test_outsider_cannot_download_the_calendar(client, outsider, history):
    client.force_login(outsider)
    assert client.get(reverse("documents_schedule_ics",
                              args=[history.patient.pk])).status_code == 403


def test_the_same_done_sentence_in_the_calendar_and_the_schedule_pdf(client, nurse, history):
    """Both documents say "fait le … (which record)" from the engine's fulfilment, with the
    one presenter's words: the 7-day trough was done by the sample of its day."""
    client.force_login(nurse)
    schedule = advise_patient(fetch(history.patient)).advice.schedule
    done = [item for item in due_items(schedule) if item.done_display]
    assert done
    j7 = next(i for i in done if i.raw_label == "T0 J7")
    day = (history.start + timedelta(days=7)).strftime("%d/%m/%Y")
    assert j7.done_display == f"fait le {day} (prélèvement du {day})"
    descriptions = " ".join(str(e["description"]) for e in
                            events(download(client, history.patient)[0]).values())
    pdf = flat(read(client.get(reverse("documents_schedule_pdf",
                                       args=[history.patient.pk])))[0])
    for item in done:
        assert item.done_display in descriptions, item.raw_label
        assert item.done_display in pdf, item.raw_label
