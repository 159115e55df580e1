"""Choosing the engine's text in the interface language (the engine writes both)."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The engine names its calendar items in French (T0 J7, M3…): a fixed vocabulary, stored as
# written and translated where shown. M1, M3… and T0 M3 read the same in English.
CALENDAR_LABELS = {
    "T0 J7": _("T0 J7"),
    "T0 J7 modif.": _("T0 J7 modif."),
    "T0 J7 reprise": _("T0 J7 reprise"),
    "T0 J7 augmentation": _("T0 J7 augmentation"),
    "Contrôle 48 h": _("Contrôle 48 h"),
    "NFS pré-thérapeutique": _("NFS pré-thérapeutique"),
    "Bilan lipidique pré-thérapeutique": _("Bilan lipidique pré-thérapeutique"),
    "TA pré-thérapeutique": _("TA pré-thérapeutique"),
}


def in_french() -> bool:
    return (get_language() or "fr").startswith("fr")


def in_language(french: str, english: str) -> str:
    """Of a text the engine wrote in both languages, the interface language's."""
    return french if in_french() else english


def problem_text(problem) -> str:
    """A protocol.Problem (or bsa.Implausible) message in the interface language."""
    return in_language(problem.message_fr, problem.message_en)


def calendar_label(label: str) -> str:
    """A calendar item's label (as the engine writes it) in the interface language."""
    return str(CALENDAR_LABELS.get(label, label))
