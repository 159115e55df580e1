"""The monitoring schedule as an iCalendar file (RFC 5545), for a hospital or family calendar.

One all-day event per item, on the engine's working day, with a reminder the day before.
The UID is derived from the study code, the kind and the date
only, so importing a newer file updates the same events instead of duplicating them. It is a
name-based UUID (RFC 4122 version 5): stable, yet it does not show the study code to whoever
receives the calendar. Items of one kind on one day (a 6-month trough that is also the trough
after a dose change) become one event.
"""

import uuid
from datetime import date, timedelta
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from sirolimus_app.documents.data import ScheduleDocument
from sirolimus_app.presenters.calendar import due_items

# Fixed forever: changing it would change every UID and duplicate every imported event.
UID_NAMESPACE = uuid.UUID("6f1d7c52-3a8e-4b57-9d0e-2c4a1b9e8f31")
PRODID = "-//CEREVANCE sirolimus PTI//Calendrier de suivi//FR"


def event_uid(study_code: str, kind: str, day: date) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, f'{study_code}/{kind}/{day.isoformat()}')}@sirolimus-pti"


def calendar(document: ScheduleDocument) -> bytes:
    patient = document.patient
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # One line whatever was typed: a line break in a name would break the file.
    name = " ".join(f"{patient.first_name} {patient.last_name[:1]}.".split())
    cal.add("x-wr-calname", _("Suivi sirolimus — %(name)s") % {"name": name})
    stamp = timezone.now()
    items = sorted(due_items(document.items), key=lambda i: (i.day, i.kind))
    for (day, kind), group in groupby(items, key=lambda i: (i.day, i.kind)):
        group = list(group)
        labels = " + ".join(dict.fromkeys(i.label for i in group if i.label))
        instructions = list(dict.fromkeys(i.instruction for i in group if i.instruction))
        rules = list(dict.fromkeys(r for i in group for r in i.rules))
        event = Event()
        event.add("uid", event_uid(patient.study_code, kind, day))
        event.add("dtstamp", stamp)
        # On the engine's working day (weekends and public holidays avoided); the UID keeps
        # the protocol's date so that a re-import updates the same event.
        booked = group[0].appointment or day
        event.add("dtstart", booked)
        event.add("dtend", booked + timedelta(days=1))
        event.add("summary", _("Sirolimus — %(what)s") % {
            "what": f"{group[0].kind_label} ({labels})" if labels else group[0].kind_label})
        event.add("description", "\n".join([
            *(instruction[:1].upper() + instruction[1:] + "." for instruction in instructions),
            *(i.done_display for i in group if i.done_display),
            _("Règles CEREVANCE 2021 : %(rules)s") % {"rules": ", ".join(rules)},
            _("Sirolimus utilisé hors AMM dans le PTI (REG-OFF-LABEL)."),
        ]))
        event.add("categories", [str(group[0].kind_label)])
        event.add("transp", "TRANSPARENT")
        reminder = Alarm()  # the day before, so that the family can plan the morning
        reminder.add("action", "DISPLAY")
        reminder.add("description", event["summary"])
        reminder.add("trigger", timedelta(days=-1))
        event.add_component(reminder)
        cal.add_component(event)
    return cal.to_ical()
