"""How numbers and dates are written in messages, in English and in French.

English: `6.2 ng/ml`, `2026-01-12` (ISO). French: `6,2 ng/ml`, `12/01/2026`. Every message
(`message`/`message_fr`, working texts, problems) writes its numbers and dates through these
four functions; JSON numeric fields stay numbers and JSON date fields stay ISO.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

Number = int | float | Decimal


def _plain(value: Number, places: int | None) -> str:
    """Positional notation, no trailing zeros; rounded half up to `places` decimals when
    given. A float is read by its shortest repr, so 2.1 stays 2.1."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number to show")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return str(value)
    if places is not None and number.adjusted() < 16:
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if number and not -10 < number.adjusted() < 16:
        return f"{number:.6g}"  # an absurd input echoed in an error: 1e+300, not 301 digits
    text = f"{number.normalize():f}"
    return "0" if text == "-0" else text


def num_en(value: Number, places: int | None = None) -> str:
    """`6.2`, `1.0408`, `15` (`places`: round to at most that many decimals)."""
    return _plain(value, places)


def num_fr(value: Number, places: int | None = None) -> str:
    """`6,2`, `1,0408`, `15`: the decimal comma."""
    return _plain(value, places).replace(".", ",")


def date_en(day: date) -> str:
    """`2026-01-12`: ISO 8601, unambiguous."""
    return day.isoformat()


def date_fr(day: date) -> str:
    """`12/01/2026`: day/month/year."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
