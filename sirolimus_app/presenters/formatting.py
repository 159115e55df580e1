"""Numbers, tablets, dates and the engine's bilingual texts as the interface writes them
(in the manner of healthchecks' hc/lib/date.py: small functions, one format each)."""

from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.translation import ngettext

from sirolimus_app.i18n import in_french


def number(value) -> str:
    """1.90 → '1,9' in French: a dose or a measure shown as a clinician writes it."""
    text = format(Decimal(str(value)).normalize(), "f")
    # What formats.number_format gives without thousand grouping (off in settings), at a
    # fraction of its cost: a page shows dozens of these.
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def decimal(value) -> Decimal | None:
    """A stored (JSON) or engine number as a Decimal, shown with the French comma."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def iso(value: str | None) -> date | None:
    """A date stored as ISO text (audit trail, stored working) as a date."""
    return date.fromisoformat(value) if value else None


def tablets_text(tablets: dict | None) -> str:
    """{'2': 1, '0.5': 1} → '1 comprimé à 2 mg + 1 comprimé à 0,5 mg'."""
    if not tablets:
        return ""
    parts = []
    for strength, count in sorted(tablets.items(), key=lambda item: -Decimal(item[0])):
        mg = formats.number_format(Decimal(strength).normalize())
        parts.append(ngettext("%(count)d comprimé à %(mg)s mg", "%(count)d comprimés à %(mg)s mg",
                              count) % {"count": count, "mg": mg})
    return " + ".join(parts)


def engine_text(item, key: str = "message") -> str:
    """The engine's `key` text in the interface language: `key_en`/`key_fr` of a typed object,
    or of a stored dict (`key`, `key_fr`: the JSON the prescription recorded). The engine
    writes French numbers and dates itself."""
    if isinstance(item, dict):
        if in_french():
            return item.get(f"{key}_fr") or item.get(key) or item.get(f"{key}_en") or ""
        return item.get(f"{key}_en") or item.get(key) or ""
    french, english = getattr(item, f"{key}_fr", None), getattr(item, f"{key}_en", None)
    return (french or english or "") if in_french() else (english or "")
