"""The pharmacist's validation and refusal, and the nurse's "done" tick.

Each form carries the version (or the calendar key) the page was built from, so a click on a
page that someone else changed meanwhile is refused instead of acting on something unseen.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from sirolimus_app.forms.common import TypedTextMixin
from sirolimus_app.models import MonitoringCheck

MAX_VERSION = 1_000_000


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_VERSION, **kwargs)


class PrescriptionForm(TypedTextMixin, forms.Form):
    """A form shown once per proposal on the worklist: its ids carry the prescription's."""

    version = VersionField()

    def __init__(self, *args, prescription_id: int | None = None, **kwargs):
        if prescription_id is not None:
            kwargs.setdefault("auto_id", f"id_%s_{prescription_id}")
        super().__init__(*args, **kwargs)


class ValidateForm(PrescriptionForm):
    """Validation needs nothing but the version the pharmacist saw."""


class RejectForm(PrescriptionForm):
    reason = forms.CharField(
        label=_("Motif du refus"), max_length=2000, strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Transmis au prescripteur avec la prescription refusée."),
        error_messages={"required": _("Indiquez le motif du refus : il est transmis au "
                                      "prescripteur.")},
    )


class CheckDoneForm(TypedTextMixin, forms.Form):
    """Which calendar item was done: the patient, the kind and the date it was due."""

    patient = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=MonitoringCheck.Kind.choices, widget=forms.HiddenInput)
    due_date = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
