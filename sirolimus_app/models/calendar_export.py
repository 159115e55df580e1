"""What the family's iCalendar was last given, day by day, so that the next file can cancel a
day that left the calendar and number the changes of a day that stayed (RFC 5545 SEQUENCE).

A calendar application keeps an event it imported even when a newer file no longer lists it:
only an event with the same UID, a higher SEQUENCE and STATUS:CANCELLED removes it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .patient import Patient


class ExportedEvent(models.Model):
    """One appointment day of one child as last exported (services.calendar_export)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE,
                                related_name="exported_events")
    day = models.DateField(_("jour du rendez-vous"))
    # Computed once, when the day is first exported, and kept: a later change of the
    # establishment's settings cannot change the UID of an event a family already has.
    uid = models.CharField(_("UID iCalendar"), max_length=100, unique=True)
    sequence = models.PositiveIntegerField(_("séquence"), default=0)
    # A digest of what the event said (time, place, sentences): a change raises SEQUENCE.
    digest = models.CharField(_("empreinte du contenu"), max_length=64)
    cancelled = models.BooleanField(_("annulé"), default=False)
    first_exported_at = models.DateTimeField(_("premier export"), auto_now_add=True)
    exported_at = models.DateTimeField(_("dernier changement exporté"), auto_now=True)

    class Meta:
        ordering = ["patient", "day"]
        verbose_name = _("rendez-vous exporté (iCalendar)")
        verbose_name_plural = _("rendez-vous exportés (iCalendar)")
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"],
                                    name="one_exported_event_per_patient_day"),
        ]

    def __str__(self):
        return f"{self.patient_id} {self.day} #{self.sequence}"
