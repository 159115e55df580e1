"""Remembering which appointment days a child's iCalendar gave, and what each said
(models.ExportedEvent), so that re-importing a newer file updates the family's calendar
instead of leaving stale events in it.

RFC 5545: an event is the same event when its UID is; a client replaces it when the SEQUENCE
is higher; STATUS:CANCELLED removes it. A calendar application never deletes an event just
because a newer file stops listing it, so a day that left the calendar (the schedule moved,
a record was voided) is sent again, cancelled, with a higher SEQUENCE — on every later export,
so that a calendar that missed one file still learns it.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sirolimus_app.models import ExportedEvent, Patient
from sirolimus_app.services import audit
from sirolimus_app.services.permissions import require_perm

# Part of every UID. The UIDs given are stored, so changing it would not break the events
# families have, but keep it: the same day of the same child gets the same UID everywhere.
UID_NAMESPACE = uuid.UUID("6f1d7c52-3a8e-4b57-9d0e-2c4a1b9e8f31")
UID_DOMAIN = "sirolimus-pti"


def event_uid(patient_id: int, day: date) -> str:
    """The UID of a child's appointment day: a name-based UUID (RFC 4122 version 5) of the
    establishment, the patient's key and the day — stable, never from a counter, and showing
    none of them to whoever receives the calendar. The establishment is part of it so that two
    hospitals running this application never give a family two events with one UID."""
    issuer = settings.ESTABLISHMENT.get("finess") or settings.ESTABLISHMENT.get("name", "")
    name = f"{issuer}/patient:{patient_id}/{day.isoformat()}"
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@{UID_DOMAIN}"


@dataclass(frozen=True)
class ExportedDay:
    """What the file says of one day: its UID, its SEQUENCE, and whether it is cancelled."""

    day: date
    uid: str
    sequence: int
    cancelled: bool


@transaction.atomic
def record_export(user, patient_id: int, days: dict[date, str]) -> list[ExportedDay]:
    """An export of the patient's calendar with these appointment days (day → digest of what
    the event says). Returns every day ever exported for the patient, by date: the days given
    (SEQUENCE raised when the content changed, or the day comes back), and the days no longer
    in the calendar, cancelled (SEQUENCE raised once, when they leave)."""
    require_perm(user, "print_documents")
    # One export of a child at a time: two nurses exporting together would both create the
    # same new days (the unique constraint would refuse the second).
    patient = Patient.objects.select_for_update().only("pk").get(pk=patient_id)
    rows = {row.day: row for row in ExportedEvent.objects.filter(patient=patient)}
    now = timezone.now()
    new, changed, cancelled = [], [], []
    for day, digest in sorted(days.items()):
        row = rows.get(day)
        if row is None:
            rows[day] = row = ExportedEvent(patient=patient, day=day,
                                            uid=event_uid(patient.pk, day), digest=digest)
            new.append(row)
        elif row.cancelled or row.digest != digest:
            row.sequence += 1
            row.digest, row.cancelled, row.exported_at = digest, False, now
            changed.append(row)
    for day, row in rows.items():
        if day not in days and not row.cancelled:
            row.sequence += 1
            row.cancelled, row.exported_at = True, now
            cancelled.append(row)
    ExportedEvent.objects.bulk_create(new)
    if changed or cancelled:
        ExportedEvent.objects.bulk_update([*changed, *cancelled],
                                          ["sequence", "digest", "cancelled", "exported_at"])
    if new or changed or cancelled:
        # What the family's calendar was told, day by day (the access log has every export).
        audit.record(user, "calendar.export", patient, before=None, after={
            "new": [row.day.isoformat() for row in new],
            "changed": [row.day.isoformat() for row in changed],
            "cancelled": [row.day.isoformat() for row in cancelled],
        })
    return [ExportedDay(row.day, row.uid, row.sequence, row.cancelled)
            for row in sorted(rows.values(), key=lambda row: row.day)]
