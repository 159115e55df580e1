"""What every clinical form shares: date widgets the browser understands, and the checks that
keep an impossible date (in the future, before the child was born) out of the record."""

import unicodedata
from datetime import date, datetime

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirolimus_app.services.errors import ServiceError

DATE_INPUT = "%Y-%m-%d"
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATE_INPUT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_INPUT)


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=DateInput(), input_formats=[DATE_INPUT, "%d/%m/%Y"])


def datetime_field(label, *, help_text=""):
    return forms.DateTimeField(label=label, help_text=help_text, widget=DateTimeInput(),
                               input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M",
                                              "%d/%m/%Y %H:%M"])


def shown(day: date) -> str:
    return formats.date_format(day, "d/m/Y")


def check_not_future(value: date | datetime | None) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        if value > timezone.now():
            raise ValidationError(_("La date et l'heure ne peuvent pas être dans le futur."),
                                  code="future")
    elif value > timezone.localdate():
        raise ValidationError(_("La date ne peut pas être dans le futur."), code="future")


def check_not_before_birth(value: date | datetime | None, birth_date: date) -> None:
    if value is None:
        return
    day = timezone.localdate(value) if isinstance(value, datetime) else value
    if day < birth_date:
        raise ValidationError(
            _("Date antérieure à la naissance du patient (%(birth)s).")
            % {"birth": shown(birth_date)}, code="before_birth")


TEXTAREA_MAX_LENGTH = 2000
# Control (Cc: NUL, line breaks…), format (Cf: zero-width space U+200B, right-to-left
# override U+202E…) and line/paragraph separators (Zl U+2028, Zp U+2029): invisible or
# layout-changing, they let two identical-looking IPPs coexist or forge a line in a PDF.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
MULTILINE_ALLOWED = frozenset("\n\r\t")
# Plausible dates: nothing in this record is older than 1900, and nothing planned is more
# than ten years ahead (9999-12-31 is a slip or a probe, never a date).
EARLIEST_DATE = date(1900, 1, 1)
YEARS_AHEAD = 10


def has_forbidden_characters(value: str, *, multiline: bool = False) -> bool:
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    return any(unicodedata.category(ch) in FORBIDDEN_CATEGORIES and ch not in allowed
               for ch in value)


def check_typed_text(value: str, *, multiline: bool = False) -> None:
    if isinstance(value, str) and has_forbidden_characters(value, multiline=multiline):
        raise ValidationError(_("Caractères de contrôle interdits (retour à la ligne, "
                                "tabulation, caractère invisible…) : saisissez du texte "
                                "simple."), code="control_characters")


def latest_plausible_date() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def check_plausible_date(value: date | datetime | None) -> None:
    if value is None:
        return
    day = timezone.localdate(value) if isinstance(value, datetime) else value
    if day < EARLIEST_DATE:
        raise ValidationError(_("Date invraisemblable : antérieure à 1900."), code="too_old")
    if day > latest_plausible_date():
        raise ValidationError(
            _("Date invraisemblable : plus de %(years)s ans dans le futur.")
            % {"years": YEARS_AHEAD}, code="too_far")


class TypedTextMixin:
    """Typed text stays printable text: no control or invisible characters (a crafted line
    break in a name would break the calendar file and the PDFs' headers; only multi-line
    fields keep line breaks), multi-line fields have a bound (a note is not a document), and
    every date is plausible (1900 to ten years ahead)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if (isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea)
                    and field.max_length is None):
                field.max_length = TEXTAREA_MAX_LENGTH
                field.validators.append(validators.MaxLengthValidator(TEXTAREA_MAX_LENGTH))
                field.widget.attrs["maxlength"] = str(TEXTAREA_MAX_LENGTH)
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(check_plausible_date)
                if isinstance(field, forms.DateField):
                    field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                    field.widget.attrs.setdefault("max", latest_plausible_date().isoformat())

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if not isinstance(field, forms.CharField) or not isinstance(value, str):
                continue
            try:
                check_typed_text(value, multiline=isinstance(field.widget, forms.Textarea))
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


class PatientRecordForm(TypedTextMixin, forms.ModelForm):
    """A record that belongs to one patient: its dates are checked against today and the
    patient's birth date. `past_dates` names the date fields this applies to."""

    past_dates: tuple[str, ...] = ()

    def __init__(self, *args, patient, **kwargs):
        self.patient = patient
        super().__init__(*args, **kwargs)
        self.instance.patient = patient

    def clean(self):
        cleaned = super().clean()
        for name in self.past_dates:
            value = cleaned.get(name)
            try:
                check_not_future(value)
                check_not_before_birth(value, self.patient.birth_date)
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


class ReasonField(forms.CharField):
    widget = forms.Textarea

    def __init__(self, *, required=True, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Raison"))
        super().__init__(required=required, max_length=1000, strip=True, **kwargs)
        self.widget.attrs.setdefault("rows", 2)


class DecimalCommaField(forms.DecimalField):
    """A decimal typed with the French comma (6,5) or the point (6.5)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class NonNegativeField(DecimalCommaField):
    def validate(self, value):
        super().validate(value)
        if value is not None and value < 0:
            raise ValidationError(_("La valeur ne peut pas être négative."), code="negative")


class PlausibleField(DecimalCommaField):
    """A body measure checked against plausible limits before its digits, so a slip (grams
    typed as kilograms, metres as centimetres) gets the message that explains it."""

    limits: tuple[float, float] = (0, 0)
    unit = ""

    def validate(self, value):
        super().validate(value)
        low, high = self.limits
        if value is not None and not low <= value <= high:
            raise ValidationError(
                _("%(value)s %(unit)s est hors des valeurs plausibles %(low)s–%(high)s "
                  "%(unit)s pour un enfant (erreur de saisie ?)")
                % {"value": formats.number_format(value), "unit": self.unit,
                   "low": formats.number_format(low), "high": formats.number_format(high)},
                code="implausible")


def attach_errors(form, error) -> None:
    """A service's refusal shown next to the field it concerns (or above the form)."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
