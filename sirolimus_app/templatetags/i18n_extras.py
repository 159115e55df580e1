"""The engine's bilingual texts in templates, in the interface language."""

from django import template

from sirolimus_app.views import patients_present as present

register = template.Library()


@register.filter
def localized(item: dict | None, key: str = "message") -> str:
    """`{{ alert|localized:"message" }}`, `{{ working|localized:"basis" }}`: the engine writes
    `key` in English and `key_fr` in French (stored advice too); show the active language's."""
    return present.engine_text(item or {}, key)
