from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only")

    def delete(self):
        raise PermissionError("The audit trail is append-only")


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which record, when.

    Rows are never updated nor deleted: the model refuses it, and the database refuses
    updates through a trigger (see the migration).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             related_name="+")
    # Who it was at the time: renaming the account later does not rewrite the history.
    username = models.CharField(_("identifiant"), max_length=150, blank=True, default="")
    user_full_name = models.CharField(_("nom"), max_length=300, blank=True, default="")
    action = models.CharField(_("action"), max_length=32)
    object_type = models.CharField(_("type d'objet"), max_length=64)
    object_id = models.CharField(_("identifiant"), max_length=64)
    # No database foreign key: the trail must outlive whatever it describes.
    patient = models.ForeignKey("sirolimus_app.Patient", on_delete=models.DO_NOTHING,
                                db_constraint=False, null=True, related_name="audit_events")
    before = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        indexes = [models.Index(fields=["patient", "at"], name="audit_patient_idx")]
        default_permissions = ("view",)

    def __str__(self):
        target = f"{self.object_type}#{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only")


class AccessLogEntry(models.Model):
    """One read of patient data: who opened which child's page or document, when, from where.

    Append-only like the audit trail (the model refuses changes, the database too: see the
    migration). Written with a single INSERT from what the request already holds.
    """

    class Page(models.TextChoices):
        RECORD = "record", _("Dossier")
        HISTORY = "history", _("Historique")
        ELIGIBILITY = "eligibility", _("Éligibilité")
        PROPOSAL = "proposal", _("Proposition de dose")
        EDIT = "edit", _("Modification du dossier")
        REVIEW = "review", _("Analyse pharmaceutique")
        SCHEDULE_PDF = "schedule_pdf", _("Calendrier (PDF)")
        SCHEDULE_ICS = "schedule_ics", _("Calendrier (iCalendar)")
        SUMMARY_PDF = "summary_pdf", _("Synthèse (PDF)")
        DOSE_SHEET_PDF = "dose_sheet_pdf", _("Fiche de validation (PDF)")
        COHORT_CSV = "cohort_csv", _("Export de cohorte (CSV)")
        PRESCRIPTION_PDF = "prescription_pdf", _("Ordonnance hors AMM (PDF)")
        LABEL_PDF = "label_pdf", _("Étiquette du flacon (PDF)")
        DAY_SHEET = "day_sheet", _("Feuille de la journée des soins")
        ACCESS_LOG = "access_log", _("Accès au dossier")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             related_name="+")
    username = models.CharField(_("identifiant"), max_length=150)
    user_full_name = models.CharField(_("nom"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True)
    page = models.CharField(_("page ou document"), max_length=32, choices=Page.choices)
    # No database foreign key: the log must outlive whatever it describes.
    patient = models.ForeignKey("sirolimus_app.Patient", on_delete=models.DO_NOTHING,
                                db_constraint=False, null=True, related_name="access_log")
    object_ref = models.CharField(_("objet"), max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("accès au dossier")
        verbose_name_plural = _("journal des accès")
        indexes = [models.Index(fields=["patient", "at"], name="access_patient_idx")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.page} {self.patient_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only")
