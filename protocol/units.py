"""Unit conversion at the boundary: every quantity enters the engine in one canonical unit.

Canonical units: kg, cm, ng/ml (sirolimus whole-blood trough), G/L (platelets, 10⁹/L).
The clinical spellings are read from a table with exact factors; anything else goes through one
pint registry, built on first use only (building it costs ~0.5 s, too much for every CLI call),
and the factor of each unit string is computed once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

# Sirolimus C51H79NO13: 914.17 g/mol, so 1 nmol/l = 914.17 ng/l = 0.91417 ng/ml.
SIROLIMUS_MOLAR_MASS_G_PER_MOL = Decimal("914.17")


class UnitError(ValueError):
    """An unknown unit, or a unit of the wrong dimension; the message names the unit."""


@dataclass(frozen=True)
class Kind:
    name: str  # how error messages call the quantity
    canonical: str
    pint_target: str  # pint spelling of the canonical unit
    dimensions: tuple[str, ...]  # pint dimensionalities accepted
    exact: dict[str, Decimal]  # clinical spellings → exact factor to canonical
    fold_case: bool  # False for platelets: 'G/L' (giga) is not 'g/l' (grams)
    examples: tuple[str, ...] = ()  # named when the unit is missing

    def __hash__(self) -> int:
        return hash(self.name)


MASS = Kind(
    "a mass",
    "kg",
    "kg",
    ("[mass]",),
    {"kg": Decimal(1), "g": Decimal("0.001")},
    fold_case=True,
    examples=("kg", "g", "lb"),
)
LENGTH = Kind(
    "a length",
    "cm",
    "cm",
    ("[length]",),
    {"cm": Decimal(1), "m": Decimal(100)},
    fold_case=True,
    examples=("cm", "m", "in"),
)
CONCENTRATION = Kind(
    "a concentration",
    "ng/ml",
    "ng/ml",
    ("[mass] / [length] ** 3", "[substance] / [length] ** 3"),
    {
        **dict.fromkeys(("ng/ml", "µg/l", "μg/l", "ug/l", "mcg/l"), Decimal(1)),
        "nmol/l": SIROLIMUS_MOLAR_MASS_G_PER_MOL / 1000,
    },
    fold_case=True,
    examples=("ng/ml", "µg/l", "nmol/l"),
)
PLATELETS = Kind(
    "a platelet count",
    "G/L",
    "1e9/L",
    ("1 / [length] ** 3",),
    {
        **dict.fromkeys(("G/L", "G/l", "10^9/L", "10^9/l", "10⁹/L", "10⁹/l"), Decimal(1)),
        **dict.fromkeys(("/mm3", "/mm³", "/µl", "/µL", "/ul", "/uL"), Decimal("0.001")),
        **dict.fromkeys(("10^3/mm3", "10^3/mm³", "10³/mm³", "10^3/µl", "10^3/µL"), Decimal(1)),
    },
    fold_case=False,
    examples=("G/L", "10^9/L", "/mm3"),
)

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@cache
def _registry():
    import pint  # deferred: pint takes ~0.5 s to import and build

    return pint.UnitRegistry()


def _pint_spelling(unit: str) -> str:
    """Clinical shorthand that pint does not read: '/mm3', '×10⁹/L', 'mm³'."""
    text = re.sub(r"^[xX×*]", "", unit.strip().replace(" ", ""))  # 'x10^9/L' → '10^9/L'
    text = text.replace("×", "*")
    text = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "^" + m.group(1).translate(_SUPERSCRIPTS), text)
    text = re.sub(r"(?<=[A-Za-zµμ])(\d)", r"^\1", text)  # mm3 → mm^3
    text = re.sub(r"\b10\*(?=\d)", "10^", text)  # '10*9/L' means 10⁹/L, never 90/L
    return "1" + text if text.startswith("/") else text


@lru_cache(maxsize=256)
def factor(unit: str, kind: Kind) -> Decimal:
    """Multiply a value in `unit` by this to get `kind.canonical`; raises UnitError."""
    if not isinstance(unit, str) or not unit.strip():
        raise UnitError(f"missing unit for {kind.name}")
    key = unit.strip().lower() if kind.fold_case else unit.strip()
    exact = kind.exact.get(key)
    if exact is not None:
        return exact
    registry = _registry()
    try:
        quantity = registry.parse_expression(_pint_spelling(unit))
    except Exception as error:  # pint raises many types for unparsable text
        raise UnitError(f"unknown unit {unit!r} for {kind.name}") from error
    dimensionality = str(getattr(quantity, "dimensionality", ""))
    if dimensionality not in kind.dimensions:
        raise UnitError(f"unit {unit!r} is not a unit of {kind.name}")
    if dimensionality.startswith("[substance]"):
        quantity = quantity * registry.Quantity(float(SIROLIMUS_MOLAR_MASS_G_PER_MOL), "g/mol")
    value = (quantity / registry.parse_expression(kind.pint_target)).to("dimensionless").magnitude
    # pint works in floats (ng/ml → µg/l gives 1.0000000000000002): 12 significant digits
    # keep the factor exact for every decimal unit, so 15 µg/l stays exactly 15 ng/ml.
    return Decimal(f"{value:.12g}")


def to_canonical(value: float, unit: str, kind: Kind) -> float:
    return float(Decimal(str(value)) * factor(unit, kind))
