"""Voiding an entry error, and undoing a nurse's tick: the reason is required and kept."""

from django import forms
from django.utils.translation import gettext_lazy

from sirolimus_app.forms.common import ReasonField, TypedTextMixin


class VoidForm(TypedTextMixin, forms.Form):
    """Why an entry is voided ("erreur de saisie"): kept with the record and in the trail."""

    reason = ReasonField(
        label=gettext_lazy("Motif de l'annulation"),
        help_text=gettext_lazy("Ex. : valeur d'un autre patient, unité erronée, faute de "
                               "frappe. La saisie reste visible, barrée, dans l'historique."),
        error_messages={"required": gettext_lazy(
            "Indiquez le motif de l'annulation : il reste dans le dossier.")})
