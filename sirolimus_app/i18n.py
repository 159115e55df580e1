"""Choosing the engine's text in the interface language (the engine writes both)."""

from django.utils.translation import get_language


def in_french() -> bool:
    return (get_language() or "fr").startswith("fr")


def problem_text(problem) -> str:
    """A protocol.Problem (or bsa.Implausible) message in the interface language."""
    return problem.message_fr if in_french() else problem.message_en
