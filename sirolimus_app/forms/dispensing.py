"""The pharmacist's dispensing form: period, quantity (pre-filled from the computed one),
batch and expiry."""

from django import forms
from django.utils.translation import gettext_lazy as _

from protocol.dosing import SOLUTION, TABLET_STRENGTHS_MG
from sirolimus_app.forms.common import TypedTextMixin, date_field
from sirolimus_app.models.dispensing import MAX_DISPENSING_DAYS
from sirolimus_app.presenters.formatting import number

STRENGTHS = [f"{s.normalize():f}" for s in TABLET_STRENGTHS_MG]  # "2", "1", "0.5"


def tablet_field_name(strength: str) -> str:
    return "tablets_" + strength.replace(".", "_")


class DispenseForm(TypedTextMixin, forms.Form):
    days = forms.IntegerField(
        label=_("Durée couverte (jours)"), min_value=1, max_value=MAX_DISPENSING_DAYS,
        help_text=_("Jusqu'à la prochaine consultation, au plus 92 jours."))
    bottles = forms.IntegerField(
        label=_("Flacons de 60 ml"), min_value=1, max_value=50, required=False,
        help_text=_("Calculé pour la période : un flacon ouvert se conserve 30 jours."))
    batch = forms.CharField(label=_("Numéro de lot"), max_length=40)
    expiry = date_field(_("Date de péremption"))

    def __init__(self, *args, form: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.presentation = form
        if form == SOLUTION:
            self.fields["bottles"].required = True
        else:
            del self.fields["bottles"]
            for strength in STRENGTHS:
                self.fields[tablet_field_name(strength)] = forms.IntegerField(
                    label=_("Comprimés à %(mg)s mg") % {"mg": number(strength)},
                    min_value=0, max_value=2000, required=False)

    def tablets(self) -> dict[str, int] | None:
        if self.presentation == SOLUTION:
            return None
        return {s: self.cleaned_data.get(tablet_field_name(s)) or 0 for s in STRENGTHS}
