"""The prescriber's choices: which of the engine's proposals to prescribe, and suspending or
stopping the current prescription."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sirolimus_app.forms.common import (
    ReasonField,
    TypedTextMixin,
    check_not_future,
    date_field,
)


class ProposalChoiceForm(TypedTextMixin, forms.Form):
    """The proposal's index, plus what the prescriber saw (action and dose), so a proposal
    that changed between the page and the click is refused rather than prescribed."""

    choice = forms.IntegerField(min_value=0, max_value=50, widget=forms.HiddenInput)
    action = forms.CharField(max_length=16, widget=forms.HiddenInput)
    mg_per_day = forms.DecimalField(min_value=0, max_value=4, decimal_places=2,
                                    widget=forms.HiddenInput)
    reason = ReasonField(required=False, label=gettext_lazy("Commentaire pour le pharmacien"))


class TreatmentChangeForm(TypedTextMixin, forms.Form):
    """Suspend or stop the current prescription: from which day, and why."""

    on_date = date_field(gettext_lazy("À partir du"))
    reason = ReasonField(label=gettext_lazy("Raison"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("on_date", timezone.localdate())

    def clean_on_date(self):
        on_date = self.cleaned_data["on_date"]
        check_not_future(on_date)
        return on_date
