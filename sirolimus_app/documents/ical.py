"""The family's calendar as an iCalendar file (RFC 5545), in plain words.

One event per appointment day of the child, on the engine's working day, whose description
lists what is done that day and why (presenters.family); at the unit's appointment time when
settings.APPOINTMENT_TIME is set, otherwise an all-day event; at the unit's address; with a
reminder the day before. Each day keeps its UID from one export to the next and its SEQUENCE
says which version it is (services.calendar_export remembers them): a day that left the
calendar comes back cancelled, so that re-importing the file removes it.
"""

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from sirolimus_app.documents.data import ScheduleDocument
from sirolimus_app.presenters.family import FamilyDay
from sirolimus_app.services import calendar_export
from sirolimus_app.services.calendar_export import ExportedDay

PRODID = "-//CEREVANCE sirolimus PTI//Calendrier de suivi//FR"
REMINDER = timedelta(days=-1)  # the day before, so that the family can plan the morning


def export(document: ScheduleDocument, user) -> bytes:
    """The file for `document`, the export remembered (new days, changed, cancelled)."""
    if document.problems:
        # The record is incomplete, so the calendar cannot be computed: cancel nothing (the
        # family's calendar keeps what it had until the record is complete again).
        return calendar(document, {}, [])
    events = {day.day: _event(document, day) for day in document.days}
    exported = calendar_export.record_export(
        user, document.patient.pk, {day: _digest(event) for day, event in events.items()})
    return calendar(document, events, exported)


def calendar(document: ScheduleDocument, events: dict, exported: list[ExportedDay]) -> bytes:
    patient = document.patient
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # One line whatever was typed: a line break in a name would break the file.
    name = " ".join(f"{patient.first_name} {patient.last_name[:1]}.".split())
    cal.add("x-wr-calname", _("Suivi sirolimus — %(name)s") % {"name": name})
    cal.add("x-wr-caldesc", _(
        "Rendez-vous de suivi du traitement par sirolimus (Rapamune®), utilisé en dehors de son "
        "autorisation de mise sur le marché dans le PTI de l'enfant, selon les recommandations "
        "CEREVANCE 2021."))
    stamp = timezone.now()
    for state in exported:
        event = _cancelled(document, state) if state.cancelled else events[state.day]
        event.add("uid", state.uid)
        event.add("sequence", state.sequence)
        event.add("dtstamp", stamp)
        cal.add_component(event)
    cal.add_missing_timezones()  # the VTIMEZONE of timed events (Europe/Paris)
    return cal.to_ical()


def _when(event: Event, document: ScheduleDocument, day) -> None:
    time = document.appointment_time
    if time is None:
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    else:
        event.add("dtstart", datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE)))


def _event(document: ScheduleDocument, day: FamilyDay) -> Event:
    """The day's event, without what changes at every export (UID, SEQUENCE, DTSTAMP)."""
    event = Event()
    _when(event, document, day.day)
    summary = _("Sirolimus : %(what)s") % {"what": day.title}
    event.add("summary", summary)
    lines = list(day.lines)
    if document.unit_phone:
        lines.append(_("Téléphone du service : %(phone)s") % {"phone": document.unit_phone})
    event.add("description", "\n".join(lines))
    if document.place:
        event.add("location", document.place)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE" if document.appointment_time else "TRANSPARENT")
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", " ".join(filter(None, [
        _("Demain, rendez-vous de suivi du sirolimus : %(what)s.") % {"what": day.title},
        day.dose_note])))
    reminder.add("trigger", REMINDER)
    event.add_component(reminder)
    return event


def _cancelled(document: ScheduleDocument, state: ExportedDay) -> Event:
    event = Event()
    _when(event, document, state.day)
    event.add("summary", _("Annulé : rendez-vous de suivi du sirolimus"))
    event.add("description", _("Ce rendez-vous n'a plus lieu : le calendrier a changé. "
                               "En cas de doute, appelez le service."))
    event.add("status", "CANCELLED")
    event.add("transp", "TRANSPARENT")
    return event


def _digest(event: Event) -> str:
    """What the family sees of the event: a change of it raises the SEQUENCE."""
    return hashlib.sha256(event.to_ical()).hexdigest()
