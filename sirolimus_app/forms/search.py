"""The patient search box: the same typed-text rule as every field, so a NUL or an invisible
character gets a message instead of reaching the database (PostgreSQL refuses NUL)."""

from django import forms
from django.utils.translation import gettext_lazy

from sirolimus_app.forms.common import TypedTextMixin

QUERY_MAX_LENGTH = 100


class PatientSearchForm(TypedTextMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Rechercher"), required=False, strip=True)

    def query(self) -> str:
        """The words to search for: empty when the input was refused (the error says why).
        Longer input is cut rather than refused, as the box always did."""
        if not self.is_valid():
            return ""
        return self.cleaned_data["q"][:QUERY_MAX_LENGTH]
