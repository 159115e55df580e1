"""Small display helpers for the patient pages."""

import functools

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import get_language, ngettext

import protocol
from sirolimus_app.i18n import in_language
from sirolimus_app.presenters import formatting

register = template.Library()


@register.filter
def rule_text(rule_id: str) -> str:
    """The rule's short text in the interface language (shown as the rule ID's tooltip)."""
    rule = protocol.RULES.get(rule_id)
    if rule is None:
        return ""
    return in_language(rule.text_fr, rule.text_en)


@register.filter
def rule_ids(rules) -> str:
    """The rule IDs as badges with their text as tooltip (a filter, not an include: the
    patient page shows a dozen of these lists)."""
    return _badges(tuple(rules or ()), get_language())


@functools.cache
def _badges(rules: tuple[str, ...], language: str) -> str:
    # The same few lists of rules recur on every page; their markup depends on nothing else.
    return format_html_join(" ", '<span class="rule-id" title="{}">{}</span>',
                            ((rule_text(rule), rule) for rule in rules))


@register.filter
def age(birth_date) -> str:
    """'9 ans', or '18 mois' under two years (how paediatricians say it)."""
    today = timezone.localdate()
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    if today.day < birth_date.day:
        months -= 1
    if months < 24:
        return ngettext("%(n)d mois", "%(n)d mois", months) % {"n": months}
    years = months // 12
    return ngettext("%(n)d an", "%(n)d ans", years) % {"n": years}


@register.filter
def tablets_text(tablets) -> str:
    """{'2': 1, '0.5': 1} → '1 comprimé à 2 mg + 1 comprimé à 0,5 mg'."""
    return formatting.tablets_text(tablets)


@register.filter
def num(value) -> str:
    """A quantity without trailing zeros, with the language's decimal mark: 1.90 → '1,9'."""
    if value in (None, ""):
        return ""
    return formatting.number(value)
