from django import forms
from django.utils.translation import gettext_lazy as _

from sirolimus_app.forms.common import TypedTextMixin


class ItemForm(TypedTextMixin, forms.Form):
    """Shown once per result on the review list: its ids carry the result's."""

    def __init__(self, *args, item_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_%s_{item_id}")
        super().__init__(*args, **kwargs)


class AttachForm(ItemForm):
    hospital_number = forms.CharField(label=_("IPP du patient"), max_length=32, strip=True)


class RejectForm(ItemForm):
    reason = forms.CharField(label=_("Motif du rejet"), max_length=2000, strip=True,
                             widget=forms.Textarea(attrs={"rows": 2}))
