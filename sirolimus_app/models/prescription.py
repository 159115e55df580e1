
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from protocol.dosing import MAX_MG_PER_DAY  # DOSE-CAP, also enforced by the database

from .patient import Patient

# Engine actions that become a new prescription; suspend and stop act on the current one.
PRESCRIBING_ACTIONS = frozenset({"start", "resume", "increase", "decrease", "continue"})


class Prescription(models.Model):
    """One dose of sirolimus for one patient, from proposal to its end.

    Life cycle: proposed → validated (by a pharmacist) or rejected → active → suspended /
    stopped / replaced by the next prescription. A suspension keeps the prescription (its dose
    is what a half-dose restart is computed from); restarting creates a new one.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposée")
        VALIDATED = "validated", _("Validée")
        REJECTED = "rejected", _("Refusée")
        ACTIVE = "active", _("En cours")
        SUSPENDED = "suspended", _("Suspendue")
        STOPPED = "stopped", _("Arrêtée")
        REPLACED = "replaced", _("Remplacée")

    class Action(models.TextChoices):
        START = "start", _("Début")
        CONTINUE = "continue", _("Poursuite")
        RESUME = "resume", _("Reprise")
        INCREASE = "increase", _("Augmentation")
        DECREASE = "decrease", _("Diminution")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="prescriptions")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices,
                              default=Status.PROPOSED)
    action = models.CharField(_("motif"), max_length=10, choices=Action.choices)
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    suspended_on = models.DateField(_("suspendue le"), null=True, blank=True)
    mg_per_day = models.DecimalField(_("dose (mg/j)"), max_digits=4, decimal_places=2)
    form = models.CharField(_("présentation"), max_length=10, choices=Patient.Form.choices)
    volume_ml = models.DecimalField(_("volume (ml)"), max_digits=4, decimal_places=1,
                                    null=True, blank=True)
    tablets = models.JSONField(_("comprimés"), null=True, blank=True)
    weight_kg = models.DecimalField(_("poids (kg)"), max_digits=5, decimal_places=2)
    height_cm = models.DecimalField(_("taille (cm)"), max_digits=5, decimal_places=1)
    bsa_m2 = models.DecimalField(_("surface corporelle (m²)"), max_digits=5, decimal_places=4)
    bsa_formula = models.CharField(_("formule"), max_length=20,
                                   choices=Patient.BsaFormula.choices)
    mg_per_m2_per_day = models.DecimalField(_("dose (mg/m²/j)"), max_digits=4, decimal_places=2)
    working = models.JSONField(_("calcul détaillé"), default=dict)
    rules = models.JSONField(_("règles"), default=list)
    reason = models.TextField(_("raison du changement"), blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="replaced_by")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="proposed_prescriptions")
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True,
                                    related_name="reviewed_prescriptions")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("motif du refus"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # Statuses of a prescription the child is (or was last) actually taking.
    CURRENT_STATUSES = (Status.ACTIVE, Status.SUSPENDED)
    # Statuses that belong to the dose history the protocol engine reads.
    GIVEN_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.STOPPED, Status.REPLACED)

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        indexes = [
            models.Index(fields=["status", "proposed_at"], name="prescription_status_idx"),
            models.Index(fields=["patient", "start_date"], name="prescription_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mg_per_day__gt=0) & Q(mg_per_day__lte=MAX_MG_PER_DAY),
                name="prescription_dose_positive_max_4mg",
            ),
            models.CheckConstraint(condition=Q(mg_per_m2_per_day__gt=0),
                                   name="prescription_dose_per_m2_positive"),
            models.CheckConstraint(condition=Q(bsa_m2__gt=0), name="prescription_bsa_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="prescription_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="prescription_rejection_has_reason",
            ),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status__in=["active", "suspended"]),
                name="one_current_prescription_per_patient",
            ),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status__in=["proposed", "validated"]),
                name="one_pending_prescription_per_patient",
            ),
        ]
        permissions = [
            ("propose_prescription", _("Peut proposer une prescription")),
            ("validate_prescription", _("Peut valider ou refuser une prescription")),
        ]

    def __str__(self):
        return f"{self.mg_per_day} mg/j — {self.get_status_display()} ({self.start_date})"

    @property
    def withdrawn(self) -> bool:
        """A proposal its prescriber withdrew: services.prescriptions.withdraw records it as
        rejected by the prescriber (only a pharmacist refuses, and never proposes)."""
        return self.status == self.Status.REJECTED and self.reviewed_by_id == self.proposed_by_id

    @property
    def status_label(self) -> str:
        """The status as the pages and documents name it: a withdrawal is not a refusal."""
        return str(_("Retirée")) if self.withdrawn else self.get_status_display()
