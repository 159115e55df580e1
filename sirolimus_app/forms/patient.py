from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from protocol.bsa import age_problems
from sirolimus_app.forms.common import DateInput, TypedTextMixin, check_not_future
from sirolimus_app.i18n import problem_text
from sirolimus_app.models import Patient


class VzvImmunity(models.TextChoices):
    UNKNOWN = "unknown", gettext_lazy("Inconnu")
    IMMUNE = "true", gettext_lazy("Oui")
    NOT_IMMUNE = "false", gettext_lazy("Non")


VZV_VALUES = {VzvImmunity.IMMUNE: True, VzvImmunity.NOT_IMMUNE: False}


class PatientForm(TypedTextMixin, forms.ModelForm):
    # A strict yes/no/unknown list: Django's NullBooleanField would read a tampered value as
    # "unknown" instead of refusing it.
    vzv_immune = forms.TypedChoiceField(
        label=gettext_lazy("Immunisé contre le VZV"), choices=VzvImmunity.choices,
        coerce=VZV_VALUES.get, required=False, empty_value=None,
    )

    class Meta:
        model = Patient
        fields = [
            "hospital_number", "last_name", "first_name", "birth_date", "sex",
            "diagnosis_date", "itp_phase", "severity_signs", "workup_updated", "evans",
            "alps_features", "other_autoimmunity", "allergies", "sirolimus_hypersensitivity",
            "vzv_immune", "immunodeficiency", "prolonged_corticosteroids",
            "obs_cerevance_registered", "bsa_formula", "form",
        ]
        widgets = {"birth_date": DateInput(), "diagnosis_date": DateInput()}
        error_messages = {
            "hospital_number": {"unique": gettext_lazy(
                "Un patient porte déjà ce numéro de dossier.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            known = {True: VzvImmunity.IMMUNE, False: VzvImmunity.NOT_IMMUNE}
            self.initial["vzv_immune"] = known.get(self.instance.vzv_immune,
                                                   VzvImmunity.UNKNOWN)

    def clean_hospital_number(self):
        return self.cleaned_data["hospital_number"].strip().upper()

    def clean_birth_date(self):
        birth = self.cleaned_data["birth_date"]
        check_not_future(birth)
        problems = age_problems(birth, timezone.localdate())
        if problems:
            raise ValidationError(problem_text(problems[0]), code="age")
        return birth

    def clean_diagnosis_date(self):
        diagnosis = self.cleaned_data["diagnosis_date"]
        check_not_future(diagnosis)
        return diagnosis

    def clean(self):
        cleaned = super().clean()
        birth, diagnosis = cleaned.get("birth_date"), cleaned.get("diagnosis_date")
        if birth and diagnosis and diagnosis < birth:
            self.add_error("diagnosis_date",
                           _("Le diagnostic ne peut pas précéder la naissance."))
        return cleaned


class PatientEditForm(PatientForm):
    """The patient form with the version it was loaded at (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
