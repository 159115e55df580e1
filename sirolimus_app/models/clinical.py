"""Everything measured, observed or done for a patient on sirolimus."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .patient import Patient
from .prescription import Prescription


class RecordedBy(models.Model):
    """Who entered a record and when: every clinical record carries it."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class VoidableQuerySet(models.QuerySet):
    def valid(self):
        """The records that count: not voided as an entry error."""
        return self.filter(voided_at__isnull=True)


class Voidable(models.Model):
    """A record voided as an entry error ("erreur de saisie") stays, struck through, in the
    history and the audit trail; it no longer counts for the engine, the calendar or the
    charts. Who voided it, when and why are kept on the record itself."""

    voided_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    void_reason = models.TextField(_("motif de l'annulation"), blank=True)

    objects = VoidableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class Correctable(Voidable):
    """A record that can be corrected: the wrong one is voided and the right one, entered in
    its place, points at it."""

    corrects = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="corrected_by",
                                    verbose_name=_("corrige la saisie"))

    class Meta:
        abstract = True


def void_constraint(prefix: str) -> models.CheckConstraint:
    """A voided record says when and why, or neither."""
    return models.CheckConstraint(
        condition=(Q(voided_at__isnull=True) & Q(void_reason=""))
        | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
        name=f"{prefix}_void_has_reason")


def valid(records) -> list:
    """The records of a prefetched list that count (not voided), in their order."""
    return [record for record in records if record.voided_at is None]


class BodyMeasurement(RecordedBy, Correctable):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField(_("date de la mesure"))
    weight_kg = models.DecimalField(_("poids (kg)"), max_digits=5, decimal_places=2)
    height_cm = models.DecimalField(_("taille (cm)"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["-measured_on", "-pk"]
        verbose_name = _("mesure anthropométrique")
        constraints = [
            models.CheckConstraint(condition=Q(weight_kg__gt=0),
                                   name="measurement_weight_positive"),
            models.CheckConstraint(condition=Q(height_cm__gt=0),
                                   name="measurement_height_positive"),
            void_constraint("measurement"),
        ]
        indexes = [models.Index(fields=["patient", "measured_on"], name="measurement_patient_idx")]

    def __str__(self):
        return f"{self.measured_on} : {self.weight_kg} kg, {self.height_cm} cm"


class CoMedication(RecordedBy, Correctable):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="comedications")
    name = models.CharField(_("médicament (DCI)"), max_length=100)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("traitement associé")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="comedication_end_after_start",
            ),
            void_constraint("comedication"),
        ]

    def __str__(self):
        return f"{self.name} ({self.start_date} → {self.end_date or '…'})"


class TroughLevel(RecordedBy, Correctable):
    """A sirolimus trough (C0, whole blood), kept as entered and in ng/ml."""

    class Unit(models.TextChoices):
        NG_ML = "ng/ml", "ng/ml"
        UG_L = "µg/l", "µg/l"
        NMOL_L = "nmol/l", "nmol/l"

    class Assay(models.TextChoices):
        LCMSMS = "LC-MS/MS", _("LC-MS/MS")
        IMMUNOASSAY = "immunoassay", _("Immunoanalyse")
        UNKNOWN = "unknown", _("Non précisée")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="troughs")
    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="troughs")
    sampled_at = models.DateTimeField(_("prélevé le"))
    value = models.DecimalField(_("valeur saisie"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unité"), max_length=8, choices=Unit.choices, default=Unit.NG_ML)
    value_ng_ml = models.DecimalField(_("valeur (ng/ml)"), max_digits=7, decimal_places=2)
    assay = models.CharField(_("méthode de dosage"), max_length=12, choices=Assay.choices,
                             default=Assay.LCMSMS)

    class Meta:
        ordering = ["-sampled_at", "-pk"]
        verbose_name = _("taux résiduel")
        verbose_name_plural = _("taux résiduels")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="trough_value_not_negative"),
            models.CheckConstraint(condition=Q(value_ng_ml__gte=0),
                                   name="trough_ng_ml_not_negative"),
            void_constraint("trough"),
        ]
        indexes = [models.Index(fields=["patient", "sampled_at"], name="trough_patient_idx")]

    def __str__(self):
        return f"{self.sampled_at:%Y-%m-%d} : {self.value_ng_ml} ng/ml"


class LabResult(RecordedBy, Correctable):
    """A laboratory value, kept as entered and in the unit the protocol reasons in."""

    class Kind(models.TextChoices):
        PLATELETS = "platelets", _("Plaquettes")
        HAEMOGLOBIN = "haemoglobin", _("Hémoglobine")
        LEUKOCYTES = "leukocytes", _("Leucocytes")
        NEUTROPHILS = "neutrophils", _("Polynucléaires neutrophiles")
        CHOLESTEROL = "cholesterol", _("Cholestérol total")
        TRIGLYCERIDES = "triglycerides", _("Triglycérides")

    # The unit each kind is stored in (value_canonical).
    CANONICAL_UNITS = {
        Kind.PLATELETS: "G/L",
        Kind.HAEMOGLOBIN: "g/dL",
        Kind.LEUKOCYTES: "G/L",
        Kind.NEUTROPHILS: "G/L",
        Kind.CHOLESTEROL: "mmol/L",
        Kind.TRIGLYCERIDES: "mmol/L",
    }

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="lab_results")
    kind = models.CharField(_("examen"), max_length=16, choices=Kind.choices)
    sampled_at = models.DateTimeField(_("prélevé le"))
    value = models.DecimalField(_("valeur saisie"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unité saisie"), max_length=12)
    value_canonical = models.DecimalField(_("valeur normalisée"), max_digits=9, decimal_places=2)
    bleeding = models.BooleanField(_("saignement"), default=False)

    class Meta:
        ordering = ["-sampled_at", "-pk"]
        verbose_name = _("résultat biologique")
        verbose_name_plural = _("résultats biologiques")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="lab_value_not_negative"),
            models.CheckConstraint(condition=Q(value_canonical__gte=0),
                                   name="lab_canonical_not_negative"),
            void_constraint("lab"),
        ]
        indexes = [models.Index(fields=["patient", "kind", "sampled_at"],
                                name="lab_patient_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sampled_at:%Y-%m-%d} : {self.value} {self.unit}"


class Visit(RecordedBy, Correctable):
    class Response(models.TextChoices):
        COMPLETE = "complete_response", _("Réponse complète (RC)")
        RESPONSE = "response", _("Réponse (R)")
        NONE = "no_response", _("Pas de réponse")
        NOT_EVALUABLE = "not_evaluable", _("Non évaluable")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    label = models.CharField(
        _("visite"), max_length=8,
        validators=[RegexValidator(r"^(PRE|M\d{1,3}|HP)$",
                                   _("Libellé attendu : PRE, M1, M3, M6… "
                                     "ou HP (hors protocole)."))],
    )
    planned_date = models.DateField(_("date prévue"), null=True, blank=True)
    done_date = models.DateField(_("date de réalisation"), null=True, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(_("PA systolique (mmHg)"), null=True,
                                                   blank=True)
    diastolic_bp = models.PositiveSmallIntegerField(_("PA diastolique (mmHg)"), null=True,
                                                    blank=True)
    weight_kg = models.DecimalField(_("poids (kg)"), max_digits=5, decimal_places=2, null=True,
                                    blank=True)
    height_cm = models.DecimalField(_("taille (cm)"), max_digits=5, decimal_places=1, null=True,
                                    blank=True)
    response = models.CharField(_("évaluation de la réponse"), max_length=20,
                                choices=Response.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-done_date", "-planned_date", "-pk"]
        verbose_name = _("visite")
        constraints = [
            models.CheckConstraint(
                condition=Q(systolic_bp__isnull=True) | Q(systolic_bp__range=(40, 250)),
                name="visit_systolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(diastolic_bp__isnull=True) | Q(diastolic_bp__range=(20, 180)),
                name="visit_diastolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(planned_date__isnull=False) | Q(done_date__isnull=False),
                name="visit_has_a_date",
            ),
            # A voided visit does not hold its label: the right one is entered in its place.
            models.UniqueConstraint(fields=["patient", "label"],
                                    condition=~Q(label="HP") & Q(voided_at__isnull=True),
                                    name="one_protocol_visit_per_label"),
            void_constraint("visit"),
        ]

    def __str__(self):
        return f"{self.label} ({self.done_date or self.planned_date})"


class AdverseEvent(RecordedBy, Correctable):
    class Kind(models.TextChoices):
        APHTHAE = "aphthae", _("Aphtes")
        DIGESTIVE = "digestive", _("Troubles digestifs (diarrhée, douleurs abdominales)")
        INFECTION = "infection", _("Infection")
        FEVER = "fever", _("Fièvre")
        ANGIOEDEMA = "angioedema", _("Angio-œdème")
        PERICARDIAL_EFFUSION = "pericardial_effusion", _("Épanchement péricardique")
        CYTOPENIA = "cytopenia", _("Cytopénie (leucopénie, anémie, thrombopénie)")
        HYPERTENSION = "hypertension", _("Hypertension artérielle")
        DYSLIPIDAEMIA = "dyslipidaemia", _("Troubles lipidiques")
        OTHER = "other", _("Autre")

    class Severity(models.TextChoices):
        GRADE_1 = "1", _("Grade 1 — léger")
        GRADE_2 = "2", _("Grade 2 — modéré")
        GRADE_3 = "3", _("Grade 3 — sévère")
        GRADE_4 = "4", _("Grade 4 — menace vitale")

    class ActionTaken(models.TextChoices):
        NONE = "none", _("Aucune")
        TREATED = "treated", _("Traitement symptomatique")
        DOSE_REDUCED = "dose_reduced", _("Dose diminuée")
        SUSPENDED = "suspended", _("Traitement suspendu")
        STOPPED = "stopped", _("Traitement arrêté")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="adverse_events")
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    onset_date = models.DateField(_("date de début"))
    severity = models.CharField(_("sévérité"), max_length=1, choices=Severity.choices)
    action_taken = models.CharField(_("conduite tenue"), max_length=16,
                                    choices=ActionTaken.choices, default=ActionTaken.NONE)
    description = models.TextField(_("description"), blank=True)
    declared_on = models.DateField(_("déclaré en pharmacovigilance le"), null=True, blank=True)

    class Meta:
        ordering = ["-onset_date", "-pk"]
        verbose_name = _("effet indésirable")
        verbose_name_plural = _("effets indésirables")
        constraints = [
            models.CheckConstraint(
                condition=Q(declared_on__isnull=True) | Q(declared_on__gte=F("onset_date")),
                name="adverse_event_declared_after_onset",
            ),
            void_constraint("adverse_event"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.onset_date})"


class MonitoringCheck(RecordedBy, Voidable):
    """A calendar item the nurse marked as done (sample taken, blood pressure measured…).

    The calendar itself is computed by the protocol engine; this only records what was done,
    keyed by the item's kind and due date so a re-computed calendar still matches it.
    """

    class Kind(models.TextChoices):
        TROUGH = "trough", _("Taux résiduel")
        LIPIDS = "lipids", _("Bilan lipidique")
        BLOOD_PRESSURE = "blood_pressure", _("Tension artérielle")
        CBC = "cbc", _("NFS")
        VISIT = "visit", _("Visite")
        CONTROL = "control", _("Contrôle 48 h")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    due_date = models.DateField(_("date prévue"))
    done_at = models.DateTimeField(_("réalisé le"))

    class Meta:
        ordering = ["-due_date"]
        verbose_name = _("surveillance réalisée")
        constraints = [
            # An undone tick (voided with its reason) leaves the item to be ticked again.
            models.UniqueConstraint(fields=["patient", "kind", "due_date"],
                                    condition=Q(voided_at__isnull=True),
                                    name="one_check_per_item"),
            void_constraint("check"),
        ]
        indexes = [models.Index(fields=["due_date", "kind"], name="check_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.due_date})"
