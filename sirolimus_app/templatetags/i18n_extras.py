"""The engine's bilingual texts in templates, in the interface language."""

from django import template

from sirolimus_app.presenters.formatting import engine_text

register = template.Library()


@register.filter
def localized(item, key: str = "message") -> str:
    """`{{ alert|localized:"message" }}`, `{{ working|localized:"basis" }}`: the engine writes
    `key` in English and `key_fr` in French (stored advice too); show the active language's."""
    return engine_text(item or {}, key)
