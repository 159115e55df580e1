from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .prescription import Prescription

MAX_DISPENSING_DAYS = 92  # a quarter: the longest time between two reviews (FOLLOW-VISITS)


class Dispensing(models.Model):
    """What the pharmacy handed out for a validated prescription: how much, which batch, by
    whom. Never edited: a wrong entry is followed by a new dispensing with its own line."""

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT,
                                     related_name="dispensings")
    days = models.PositiveSmallIntegerField(_("durée couverte (jours)"))
    volume_ml = models.DecimalField(_("volume (ml)"), max_digits=6, decimal_places=1,
                                    null=True, blank=True)
    bottles = models.PositiveSmallIntegerField(_("flacons de 60 ml"), null=True, blank=True)
    tablets = models.JSONField(_("comprimés par dosage"), null=True, blank=True)
    batch = models.CharField(_("numéro de lot"), max_length=40)
    expiry = models.DateField(_("date de péremption"))
    dispensed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="dispensings")
    dispensed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-dispensed_at", "-pk"]
        verbose_name = _("dispensation")
        verbose_name_plural = _("dispensations")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1) & Q(days__lte=MAX_DISPENSING_DAYS),
                                   name="dispensing_days_1_to_92"),
            # Either bottles of solution (with their volume) or tablets, never neither.
            models.CheckConstraint(
                condition=(Q(bottles__gte=1) & Q(volume_ml__gt=0) & Q(tablets__isnull=True))
                | (Q(bottles__isnull=True) & Q(volume_ml__isnull=True)
                   & Q(tablets__isnull=False)),
                name="dispensing_solution_or_tablets",
            ),
            models.CheckConstraint(condition=~Q(batch=""), name="dispensing_batch_given"),
        ]
        permissions = [("dispense_prescription", _("Peut dispenser une prescription validée"))]

    def __str__(self):
        return f"{self.prescription} — lot {self.batch}"

    @property
    def patient_id(self) -> int:
        """The audit trail files a dispensing under its patient."""
        return self.prescription.patient_id
