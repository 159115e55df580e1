"""What the nurse measures when she ticks a visit or a blood pressure item."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirolimus_app.forms import slips
from sirolimus_app.forms.common import TypedTextMixin
from sirolimus_app.forms.records import DecimalInput, HeightField, WeightField, body_problems


class VitalsForm(TypedTextMixin, forms.Form):
    """Blood pressure in mmHg (required for a blood pressure item), weight and height
    (together, or neither), checked like the visit form's."""

    systolic_bp = forms.IntegerField(label=gettext_lazy("PA systolique (mmHg)"),
                                     required=False)
    diastolic_bp = forms.IntegerField(label=gettext_lazy("PA diastolique (mmHg)"),
                                      required=False)
    weight_kg = WeightField(label=gettext_lazy("Poids (kg)"), required=False,
                            max_digits=5, decimal_places=2, widget=DecimalInput())
    height_cm = HeightField(label=gettext_lazy("Taille (cm)"), required=False,
                            max_digits=5, decimal_places=1, widget=DecimalInput())

    def __init__(self, *args, pressure_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.pressure_required = pressure_required
        for name in ("systolic_bp", "diastolic_bp"):
            self.fields[name].required = pressure_required
            self.fields[name].error_messages["required"] = _(
                "Saisissez la tension mesurée (en mmHg).")

    def _pressure(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and (problem := slips.pressure(name, value)):
            raise ValidationError(problem, code="implausible")
        return value

    def clean_systolic_bp(self):
        return self._pressure("systolic_bp")

    def clean_diastolic_bp(self):
        return self._pressure("diastolic_bp")

    def clean(self):
        cleaned = super().clean()
        systolic, diastolic = cleaned.get("systolic_bp"), cleaned.get("diastolic_bp")
        checked = "systolic_bp" not in self.errors and "diastolic_bp" not in self.errors
        if checked and (systolic is None) != (diastolic is None):
            self.add_error("diastolic_bp" if diastolic is None else "systolic_bp",
                           _("Saisissez la pression systolique et la diastolique."))
        elif checked and systolic is not None and systolic <= diastolic:
            self.add_error("diastolic_bp",
                           _("La diastolique doit être inférieure à la systolique."))
        weight, height = cleaned.get("weight_kg"), cleaned.get("height_cm")
        if "weight_kg" not in self.errors and "height_cm" not in self.errors \
                and (weight is None) != (height is None):
            self.add_error("height_cm" if height is None else "weight_kg",
                           _("Saisissez le poids et la taille ensemble (la dose dépend des "
                             "deux)."))
        body_problems(self, weight, height)
        return cleaned
