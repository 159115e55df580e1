"""What the laboratory sent, what became of it, and who may call the FHIR API."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InboundMessage(models.Model):
    """One message as received (HL7 v2 ER7 text or FHIR JSON), kept raw with its fate."""

    class Format(models.TextChoices):
        HL7V2 = "hl7v2", "HL7 v2"
        FHIR = "fhir", "FHIR"

    class Channel(models.TextChoices):
        FILE = "file", _("Fichier")
        MLLP = "mllp", "MLLP"
        API = "api", _("API FHIR")

    class Fate(models.TextChoices):
        IMPORTED = "imported", _("Importé")
        DUPLICATE = "duplicate", _("Doublon (déjà reçu)")
        REVIEW = "review", _("À revoir")
        REJECTED = "rejected", _("Refusé")
        ERROR = "error", _("Erreur")

    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    # Who sent it: MSH-3^MSH-4 for HL7 v2, the API token's name for FHIR.
    sender = models.CharField(_("émetteur"), max_length=200, blank=True)
    # MSH-10, or the FHIR resource id; empty when the message could not be read that far.
    control_id = models.CharField(_("identifiant du message"), max_length=200, blank=True)
    raw = models.TextField(_("message brut"))
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True, db_index=True)
    fate = models.CharField(_("devenir"), max_length=10, choices=Fate.choices)
    detail = models.TextField(_("détail"), blank=True)

    # A message counts once it was accepted (imported, or held for review); the same control
    # ID again is a duplicate. A refused or failed one may be sent again, corrected.
    ACCEPTED_FATES = (Fate.IMPORTED, Fate.REVIEW)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("message reçu")
        verbose_name_plural = _("messages reçus")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "control_id"], condition=Q(fate__in=["imported", "review"]),
                name="inbound_message_accepted_once"),
            models.CheckConstraint(
                condition=Q(fate__in=["imported", "review", "duplicate"]) | ~Q(detail=""),
                name="inbound_message_failure_has_detail"),
        ]
        indexes = [models.Index(fields=["sender", "control_id"], name="inbound_control_idx")]

    def __str__(self):
        return f"{self.get_format_display()} {self.control_id or '?'} ({self.get_fate_display()})"


class InboundResult(models.Model):
    """One result of a message: imported as a trough or a lab result, or waiting for a
    haematologist (no patient matched, identity or plausibility doubtful, correction)."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Importé")
        REVIEW = "review", _("À revoir")
        ATTACHED = "attached", _("Rattaché après revue")
        REJECTED = "rejected", _("Écarté")

    class Kind(models.TextChoices):
        SIROLIMUS = "sirolimus", _("Taux résiduel de sirolimus")
        PLATELETS = "platelets", _("Plaquettes")
        CHOLESTEROL = "cholesterol", _("Cholestérol total")
        TRIGLYCERIDES = "triglycerides", _("Triglycérides")

    message = models.ForeignKey(InboundMessage, on_delete=models.PROTECT, related_name="results")
    # Sender, order and test: the same result sent again corrected has the same identity.
    identity = models.CharField(_("identité du résultat"), max_length=300, db_index=True)
    kind = models.CharField(_("examen"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=64)
    value = models.DecimalField(_("valeur"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unité (UCUM)"), max_length=32)
    sampled_at = models.DateTimeField(_("prélevé le"))
    corrected = models.BooleanField(_("résultat corrigé"), default=False)
    # The patient as the laboratory named them.
    hospital_number = models.CharField(_("IPP reçu"), max_length=64, blank=True)
    last_name = models.CharField(_("nom reçu"), max_length=100, blank=True)
    first_name = models.CharField(_("prénom reçu"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance reçue"), null=True, blank=True)
    patient = models.ForeignKey("sirolimus_app.Patient", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="inbound_results")
    trough = models.OneToOneField("sirolimus_app.TroughLevel", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="inbound")
    lab_result = models.OneToOneField("sirolimus_app.LabResult", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="inbound")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    review_reason = models.TextField(_("motif de la revue"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)

    class Meta:
        ordering = ["-sampled_at", "-pk"]
        verbose_name = _("résultat reçu")
        verbose_name_plural = _("résultats reçus")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["imported", "attached"])
                | Q(trough__isnull=False) | Q(lab_result__isnull=False),
                name="inbound_result_imported_has_record"),
            models.CheckConstraint(
                condition=~Q(status="review") | ~Q(review_reason=""),
                name="inbound_result_review_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="inbound_result_rejection_has_reason"),
            models.CheckConstraint(condition=Q(value__gte=0),
                                   name="inbound_result_value_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "sampled_at"], name="inbound_status_idx")]
        permissions = [("resolve_inboundresult",
                        _("Peut rattacher ou écarter un résultat reçu à revoir"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value} {self.unit} ({self.get_status_display()})"

    @property
    def record(self):
        return self.trough or self.lab_result


class ApiToken(models.Model):
    """A bearer token for a system calling the FHIR API. Only its SHA-256 is stored: the
    token itself is shown once, when created."""

    class Scope(models.TextChoices):
        RESULTS_WRITE = "results:write", _("Envoyer des résultats")
        PATIENTS_READ = "patients:read", _("Lire les dossiers (FHIR)")

    name = models.CharField(_("nom du système"), max_length=100, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("droits"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self):
        return self.name
