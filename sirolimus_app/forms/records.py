"""Entry forms for what is measured or observed: each converts units with the engine's tables,
rejects implausible values with a message next to the field, and saves nothing on error (the
views save through sirolimus_app.services.records only once the form is valid)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from protocol import units
from protocol.bsa import HEIGHT_CM, WEIGHT_KG, plausibility
from sirolimus_app.forms import slips
from sirolimus_app.forms.common import (
    DateInput,
    DateTimeInput,
    NonNegativeField,
    PatientRecordForm,
    PlausibleField,
    check_not_before_birth,
)
from sirolimus_app.i18n import problem_text
from sirolimus_app.models import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    TroughLevel,
    Visit,
)
from sirolimus_app.services.records import LIPID_G_PER_L_TO_MMOL, lab_canonical_value


def body_problems(form: forms.Form, weight, height) -> None:
    """The engine's plausibility limits (typing slips: grams as kg, metres as cm, a 15 cm
    teenager), attached to the field they concern."""
    if weight is None or height is None:
        return
    for problem in plausibility(float(weight), float(height)):
        form.add_error(problem.field if problem.field in form.fields else None,
                       problem_text(problem))


class DecimalInput(forms.TextInput):
    """A decimal typed as text: a number input in a browser set to English turns "6,5" into
    65 or nothing; DecimalCommaField reads "6,5" and "6.5" alike. `inputmode` still brings
    the numeric keypad on a tablet."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


def _body_widgets() -> dict:
    return {"weight_kg": DecimalInput(), "height_cm": DecimalInput()}


class WeightField(PlausibleField):
    limits, unit = WEIGHT_KG, "kg"


class HeightField(PlausibleField):
    limits, unit = HEIGHT_CM, "cm"


BODY_FIELDS = {"weight_kg": WeightField, "height_cm": HeightField}


class MeasurementForm(PatientRecordForm):
    past_dates = ("measured_on",)

    class Meta:
        model = BodyMeasurement
        fields = ["measured_on", "weight_kg", "height_cm"]
        field_classes = BODY_FIELDS
        widgets = {"measured_on": DateInput(), **_body_widgets()}

    def clean(self):
        cleaned = super().clean()
        body_problems(self, cleaned.get("weight_kg"), cleaned.get("height_cm"))
        return cleaned


class CoMedicationForm(PatientRecordForm):
    past_dates = ("start_date",)

    class Meta:
        model = CoMedication
        fields = ["name", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "name": gettext_lazy("Dénomination commune (ex. : fluconazole, azathioprine)."),
            "end_date": gettext_lazy("Laisser vide si le traitement continue."),
        }

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin ne peut pas précéder le début."))
        return cleaned


class TroughForm(PatientRecordForm):
    past_dates = ("sampled_at",)

    class Meta:
        model = TroughLevel
        fields = ["sampled_at", "value", "unit", "assay"]
        field_classes = {"value": NonNegativeField}
        widgets = {"sampled_at": DateTimeInput(), "value": DecimalInput()}
        help_texts = {
            "sampled_at": gettext_lazy("Prélèvement juste avant la prise du matin."),
            "value": gettext_lazy("Sang total ; 1 ng/ml = 1 µg/l ≈ 1,094 nmol/l."),
        }

    def clean(self):
        cleaned = super().clean()
        value, unit = cleaned.get("value"), cleaned.get("unit")
        if value is not None and unit:
            ng_ml = units.to_canonical(float(value), unit, units.CONCENTRATION)
            if problem := slips.trough(value, unit, ng_ml):
                self.add_error("value", problem)
        return cleaned


class LabUnit(models.TextChoices):
    GIGA_PER_L = "G/L", "G/L (10⁹/L)"
    PER_MM3 = "/mm³", "/mm³"
    G_PER_DL = "g/dL", "g/dL"
    G_PER_L = "g/L", "g/L"
    MMOL_PER_L = "mmol/L", "mmol/L"


Kind = LabResult.Kind
UNITS_BY_KIND = {
    Kind.PLATELETS: (LabUnit.GIGA_PER_L, LabUnit.PER_MM3),
    Kind.LEUKOCYTES: (LabUnit.GIGA_PER_L, LabUnit.PER_MM3),
    Kind.NEUTROPHILS: (LabUnit.GIGA_PER_L, LabUnit.PER_MM3),
    Kind.HAEMOGLOBIN: (LabUnit.G_PER_DL, LabUnit.G_PER_L),
    Kind.CHOLESTEROL: (LabUnit.MMOL_PER_L, LabUnit.G_PER_L),
    Kind.TRIGLYCERIDES: (LabUnit.MMOL_PER_L, LabUnit.G_PER_L),
}
# Beyond these (in the stored unit) a value is a typing or unit slip, not a result; the
# platelet limit is the engine's own (2000 G/L).
PLAUSIBLE_MAX = {
    Kind.PLATELETS: Decimal(2000),
    Kind.LEUKOCYTES: Decimal(500),
    Kind.NEUTROPHILS: Decimal(300),
    Kind.HAEMOGLOBIN: Decimal(25),
    Kind.CHOLESTEROL: Decimal(30),
    Kind.TRIGLYCERIDES: Decimal(60),
}


class LabResultForm(PatientRecordForm):
    past_dates = ("sampled_at",)
    unit = forms.ChoiceField(label=gettext_lazy("Unité"), choices=LabUnit.choices)

    class Meta:
        model = LabResult
        fields = ["kind", "sampled_at", "value", "unit", "bleeding"]
        field_classes = {"value": NonNegativeField}
        widgets = {"sampled_at": DateTimeInput(), "value": DecimalInput()}
        help_texts = {
            "unit": gettext_lazy("Plaquettes, leucocytes : G/L ou /mm³ ; hémoglobine : g/dL "
                                 "ou g/L ; lipides : mmol/L ou g/L."),
            "bleeding": gettext_lazy("Saignement au moment de la numération plaquettaire."),
        }

    def clean(self):
        cleaned = super().clean()
        kind, value, unit = cleaned.get("kind"), cleaned.get("value"), cleaned.get("unit")
        if not kind or not unit:
            return cleaned
        if unit not in UNITS_BY_KIND[kind]:
            self.add_error("unit", _("Unité « %(unit)s » inadaptée pour « %(kind)s » "
                                     "(possibles : %(allowed)s).")
                           % {"unit": unit, "kind": Kind(kind).label,
                              "allowed": ", ".join(UNITS_BY_KIND[kind])})
            return cleaned
        if value is None:
            return cleaned
        canonical = lab_canonical_value(kind, value, unit)
        if problem := _slip(kind, value, unit, canonical):
            self.add_error("value", problem)
        elif canonical > PLAUSIBLE_MAX[kind]:
            stored = LabResult.CANONICAL_UNITS[kind]
            self.add_error("value", _(
                "%(value)s %(unit)s n'est pas une valeur plausible : vérifiez la valeur et "
                "l'unité.") % {"value": f"{canonical.normalize():f}", "unit": stored})
        return cleaned


def _slip(kind: str, value: Decimal, unit: str, canonical: Decimal) -> str | None:
    """The likely slip behind an implausible count or lipid value (forms.slips)."""
    if kind == Kind.PLATELETS:
        return slips.platelets(value, unit, canonical)
    if kind in LIPID_G_PER_L_TO_MMOL:
        return slips.lipid(kind, value, unit, canonical, LIPID_G_PER_L_TO_MMOL[kind])
    return None


def visit_labels(current: str = "") -> list[tuple[str, str]]:
    """PRE, the protocol visits M1, M3, M6, M12 then every 6 months to M60, and HP."""
    months = [1, 3, 6, *range(12, 61, 6)]
    labels = ["PRE", *(f"M{m}" for m in months), "HP"]
    if current and current not in labels:
        labels.insert(-1, current)
    names = {"PRE": _("PRE — bilan pré-thérapeutique"), "HP": _("HP — hors protocole")}
    return [(label, names.get(label, label)) for label in labels]


class VisitForm(PatientRecordForm):
    past_dates = ("done_date",)

    class Meta:
        model = Visit
        fields = ["label", "planned_date", "done_date", "systolic_bp", "diastolic_bp",
                  "weight_kg", "height_cm", "response", "notes"]
        field_classes = BODY_FIELDS
        widgets = {"planned_date": DateInput(), "done_date": DateInput(),
                   # No min/max in the browser: its own message would hide the slip named.
                   "systolic_bp": forms.NumberInput(),
                   "diastolic_bp": forms.NumberInput(),
                   "notes": forms.Textarea(attrs={"rows": 3}),
                   **_body_widgets()}
        help_texts = {
            "weight_kg": gettext_lazy("Poids et taille d'une visite réalisée mettent à jour "
                                      "les mesures utilisées pour la dose."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"] = forms.ChoiceField(
            label=Visit._meta.get_field("label").verbose_name,
            choices=visit_labels(self.instance.label or ""))

    def clean_systolic_bp(self):
        return self._pressure("systolic_bp")

    def clean_diastolic_bp(self):
        return self._pressure("diastolic_bp")

    def _pressure(self, name):
        value = self.cleaned_data[name]
        if value is not None and (problem := slips.pressure(name, value)):
            raise ValidationError(problem, code="implausible")
        return value

    def clean_planned_date(self):
        planned = self.cleaned_data["planned_date"]
        check_not_before_birth(planned, self.patient.birth_date)
        return planned

    def clean_label(self):
        label = self.cleaned_data["label"]
        if label != "HP":
            # A voided visit frees its label; so does the one this entry corrects.
            taken = Visit.objects.valid().filter(patient=self.patient, label=label)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if self.instance.corrects_id:
                taken = taken.exclude(pk=self.instance.corrects_id)
            if taken.exists():
                raise ValidationError(_("La visite %(label)s existe déjà pour ce patient : "
                                        "modifiez-la plutôt.") % {"label": label},
                                      code="duplicate")
        return label

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("planned_date") and not cleaned.get("done_date") \
                and "done_date" not in self.errors and "planned_date" not in self.errors:
            self.add_error("done_date", _("Indiquez la date prévue ou la date de réalisation."))
        systolic, diastolic = cleaned.get("systolic_bp"), cleaned.get("diastolic_bp")
        if (systolic is None) != (diastolic is None):
            self.add_error("diastolic_bp" if diastolic is None else "systolic_bp",
                           _("Saisissez la pression systolique et la diastolique."))
        elif systolic is not None and systolic <= diastolic:
            self.add_error("diastolic_bp",
                           _("La diastolique doit être inférieure à la systolique."))
        if systolic is not None and not cleaned.get("done_date") \
                and "done_date" not in self.errors:
            self.add_error("done_date",
                           _("Une tension mesurée demande la date de réalisation de la visite."))
        body_problems(self, cleaned.get("weight_kg"), cleaned.get("height_cm"))
        return cleaned


class AdverseEventForm(PatientRecordForm):
    past_dates = ("onset_date", "declared_on")

    class Meta:
        model = AdverseEvent
        fields = ["kind", "onset_date", "severity", "action_taken", "description",
                  "declared_on"]
        widgets = {"onset_date": DateInput(), "declared_on": DateInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"declared_on": gettext_lazy(
            "Tout effet indésirable est à déclarer en pharmacovigilance.")}

    def clean(self):
        cleaned = super().clean()
        onset, declared = cleaned.get("onset_date"), cleaned.get("declared_on")
        if onset and declared and declared < onset:
            self.add_error("declared_on", _("La déclaration ne peut pas précéder le début de "
                                            "l'effet indésirable."))
        return cleaned


def default_sampled_at():
    """Now, to the minute, in the hospital's time zone (what a datetime-local input shows)."""
    return timezone.localtime().replace(second=0, microsecond=0)

