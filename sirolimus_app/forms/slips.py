"""Values no child's result can have, refused at entry with the slip that most likely made
them named ("15 /mm³ = 0,015 G/L : vouliez-vous dire 15 G/L ?"), as weights and heights
already are (protocol.bsa.plausibility). Each function returns the message, or None."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from protocol.course import MAX_TROUGH_NG_ML

# Below 1 G/L a laboratory reports "< 1 G/L"; a count in /mm³ under 1000 is a slip of unit.
PLATELETS_MIN_G_PER_L = Decimal(1)
PLATELETS_MAX_G_PER_L = Decimal(2000)  # the engine's own limit
# mmol/L. A child's total cholesterol and triglycerides, from the lowest to the highest
# ever reported in familial disorders: outside, a unit slip (mg/dL, g/L) is far likelier.
LIPID_RANGES = {
    "cholesterol": (Decimal(1), Decimal(30)),
    "triglycerides": (Decimal("0.1"), Decimal(60)),
}
MG_PER_DL_PER_G_PER_L = Decimal(100)
# The troughs seen on sirolimus, toxic ones included: what a lost decimal separator is read
# back to.
USUAL_TROUGH_MAX_NG_ML = 30
# mmHg, the limits the database also holds (models.Visit).
BP_RANGES = {"systolic_bp": (40, 250), "diastolic_bp": (20, 180)}


def shown(value) -> str:
    """A number as the interface writes it (6,5 in French), without exponent or trailing 0."""
    return formats.number_format(format(Decimal(value).normalize(), "f"))


def platelets(value: Decimal, unit: str, g_per_l: Decimal) -> str | None:
    if g_per_l < PLATELETS_MIN_G_PER_L and unit != "G/L" and value > 0:
        return _("%(value)s %(unit)s = %(g)s G/L : vouliez-vous dire %(value)s G/L "
                 "(%(thousands)s /mm³) ?") % {
            "value": shown(value), "unit": unit, "g": shown(g_per_l),
            "thousands": shown(value * 1000)}
    if g_per_l > PLATELETS_MAX_G_PER_L:
        guess = g_per_l / 1000
        if unit == "G/L" and guess <= PLATELETS_MAX_G_PER_L:
            return _("%(value)s G/L n'est pas une numération plausible : vouliez-vous dire "
                     "%(value)s /mm³ (= %(guess)s G/L) ?") % {
                "value": shown(value), "guess": shown(guess)}
        return _("%(g)s G/L n'est pas une numération plausible (au plus %(max)s G/L) : "
                 "vérifiez la valeur et l'unité.") % {
            "g": shown(g_per_l), "max": shown(PLATELETS_MAX_G_PER_L)}
    return None


def trough(value: Decimal, unit: str, ng_ml: float) -> str | None:
    """Beyond the engine's limit, the decimal separator was most likely lost (6,5 → 65 or
    650): the reading that gives a usual trough is named."""
    if ng_ml <= MAX_TROUGH_NG_ML:
        return None
    per_unit = ng_ml / float(value)
    guess = next((value / factor for factor in (10, 100, 1000)
                  if float(value / factor) * per_unit <= USUAL_TROUGH_MAX_NG_ML), None)
    text = {"value": shown(value), "unit": unit, "max": shown(MAX_TROUGH_NG_ML)}
    if guess is None:
        return _("%(value)s %(unit)s n'est pas un taux résiduel de sirolimus plausible (au "
                 "plus %(max)s ng/ml) : vérifiez la valeur et l'unité.") % text
    return _("%(value)s %(unit)s n'est pas un taux résiduel de sirolimus plausible (au plus "
             "%(max)s ng/ml) : vouliez-vous dire %(guess)s %(unit)s (virgule oubliée) ?") % {
        **text, "guess": shown(guess)}


def lipid(kind: str, value: Decimal, unit: str, mmol_per_l: Decimal,
          g_per_l_to_mmol: Decimal) -> str | None:
    """Out of range: the value read as mg/dL (the American unit) or in the other unit offered
    (g/L ↔ mmol/L), the first that gives a plausible result, is named."""
    low, high = LIPID_RANGES[kind]
    if low <= mmol_per_l <= high:
        return None
    readings = [(value / MG_PER_DL_PER_G_PER_L * g_per_l_to_mmol, _("%(value)s mg/dL"))]
    if unit == "mmol/L":
        readings.append((value * g_per_l_to_mmol, _("%(value)s g/L")))
    else:
        readings.append((value, _("%(value)s mmol/L")))
    guess = next(((mmol, label) for mmol, label in readings if low <= mmol <= high), None)
    text = {"value": shown(value), "unit": unit, "mmol": shown(mmol_per_l.quantize(
        Decimal("0.01"))), "low": shown(low), "high": shown(high)}
    if guess is None:
        return _("%(value)s %(unit)s (= %(mmol)s mmol/L) est hors des valeurs plausibles "
                 "(%(low)s–%(high)s mmol/L) : vérifiez la valeur et l'unité.") % text
    mmol, label = guess
    return _("%(value)s %(unit)s (= %(mmol)s mmol/L) est hors des valeurs plausibles "
             "(%(low)s–%(high)s mmol/L) : vouliez-vous dire %(guess)s (= %(guess_mmol)s "
             "mmol/L) ?") % {**text, "guess": label % {"value": shown(value)},
                             "guess_mmol": shown(mmol.quantize(Decimal("0.01")))}


def pressure(name: str, value: int) -> str | None:
    """Out of range; a value ten times too small is the French "12/8" in cmHg."""
    low, high = BP_RANGES[name]
    if low <= value <= high:
        return None
    if low <= value * 10 <= high:
        return _("%(value)s mmHg : vouliez-vous dire %(value)s cmHg, soit %(mmhg)s mmHg ? "
                 "Saisissez la pression en mmHg.") % {"value": value, "mmhg": value * 10}
    return _("Valeur attendue entre %(low)s et %(high)s mmHg.") % {"low": low, "high": high}
