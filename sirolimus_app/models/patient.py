import secrets

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def new_study_code() -> str:
    """Pseudonymous code for the OBS'CEREVANCE export: random, never derived from identity."""
    return "SIR-" + secrets.token_hex(4).upper()


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Fille")
        MALE = "M", _("Garçon")

    class Phase(models.TextChoices):
        NEWLY_DIAGNOSED = "newly_diagnosed", _("PTI nouvellement diagnostiqué (< 3 mois)")
        PERSISTENT = "persistent", _("PTI persistant (3–12 mois)")
        CHRONIC = "chronic", _("PTI chronique (> 12 mois)")

    class BsaFormula(models.TextChoices):
        MOSTELLER = "mosteller", _("Mosteller")
        HAYCOCK = "haycock", _("Haycock")
        DUBOIS = "dubois", _("DuBois")
        GEHAN_GEORGE = "gehan_george", _("Gehan–George")

    class Form(models.TextChoices):
        SOLUTION = "solution", _("Solution buvable 1 mg/ml")
        TABLETS = "tablets", _("Comprimés 0,5 / 1 / 2 mg")

    hospital_number = models.CharField(_("numéro de dossier (IPP)"), max_length=32, unique=True)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"))
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    diagnosis_date = models.DateField(_("date du diagnostic de PTI"))
    itp_phase = models.CharField(
        _("phase du PTI"), max_length=20, choices=Phase.choices, blank=True,
        help_text=_("Laisser vide pour la déduire de la date du diagnostic."),
    )
    severity_signs = models.BooleanField(_("signes de gravité cliniques ou hématologiques"),
                                         default=False)
    workup_updated = models.BooleanField(_("enquête étiologique réactualisée"), default=False)
    evans = models.BooleanField(_("syndrome d'Evans"), default=False)
    alps_features = models.BooleanField(_("signes ALPS ou « ALPS-like »"), default=False)
    other_autoimmunity = models.BooleanField(_("autre manifestation auto-immune"), default=False)
    allergies = models.CharField(_("allergies"), max_length=300, blank=True,
                                 help_text=_("Séparées par des virgules "
                                             "(ex. : soja, pénicilline)."))
    sirolimus_hypersensitivity = models.BooleanField(_("hypersensibilité au sirolimus"),
                                                     default=False)
    vzv_immune = models.BooleanField(_("immunisé contre le VZV"), null=True, blank=True)
    immunodeficiency = models.BooleanField(_("déficit immunitaire sous-jacent"), default=False)
    prolonged_corticosteroids = models.BooleanField(_("corticothérapie prolongée associée"),
                                                    default=False)
    obs_cerevance_registered = models.BooleanField(_("inclus dans OBS'CEREVANCE"),
                                                   default=False)
    bsa_formula = models.CharField(_("formule de surface corporelle"), max_length=20,
                                   choices=BsaFormula.choices, default=BsaFormula.MOSTELLER)
    form = models.CharField(_("présentation"), max_length=10, choices=Form.choices,
                            default=Form.SOLUTION)
    parents_phone = models.CharField(
        _("téléphone des parents"), max_length=30, blank=True,
        validators=[RegexValidator(r"^\+?[0-9][0-9 .\-]{5,24}$",
                                   _("Un numéro de téléphone : chiffres, espaces, points ou "
                                     "tirets (ex. : 06 12 34 56 78)."))],
        help_text=_("Montré à l'équipe soignante seulement (feuille de la journée)."),
    )
    dose_time = models.TimeField(_("heure habituelle de la prise"), null=True, blank=True,
                                 help_text=_("Une prise par jour à heure fixe (DOSE-TIMING)."))
    study_code = models.CharField(_("code d'étude"), max_length=16, unique=True,
                                  default=new_study_code, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        indexes = [models.Index(fields=["last_name", "first_name"], name="patient_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(diagnosis_date__gte=F("birth_date")),
                                   name="patient_diagnosis_after_birth"),
        ]
        permissions = [
            ("record_vitals", _("Peut enregistrer constantes et prélèvements")),
            ("print_documents", _("Peut imprimer les documents de suivi")),
            ("export_cohort", _("Peut exporter la cohorte pseudonymisée")),
            # Authors void their own entries with their add_* permission; this one, any.
            ("void_records", _("Peut annuler la saisie erronée de quelqu'un d'autre")),
        ]

    def __str__(self):
        return f"{self.last_name.upper()} {self.first_name} ({self.hospital_number})"

    def get_absolute_url(self):
        return reverse("patient_detail", args=[self.pk])

    @property
    def allergy_list(self) -> list[str]:
        return [a.strip() for a in self.allergies.split(",") if a.strip()]
