"""The audit trail in plain words, one line per change (in the manner of pretix's
control/logdisplay.py: an action's label, then what changed, field by field)."""

import functools
import re
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sirolimus_app.presenters.formatting import number

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class AuditRow:
    at: object
    user: object
    action: str
    details: list[str]
    who: str = ""  # the name at the time of the change (a later rename rewrites nothing)


AUDIT_ACTIONS = {
    "patient.create": gettext_lazy("Dossier créé"),
    "patient.update": gettext_lazy("Dossier modifié"),
    "prescription.propose": gettext_lazy("Prescription proposée"),
    "prescription.validate": gettext_lazy("Prescription validée par la pharmacie"),
    "prescription.reject": gettext_lazy("Prescription refusée par la pharmacie"),
    "prescription.withdraw": gettext_lazy("Proposition retirée"),
    "prescription.activate": gettext_lazy("Prescription en cours"),
    "prescription.replace": gettext_lazy("Prescription remplacée"),
    "prescription.suspend": gettext_lazy("Traitement suspendu"),
    "prescription.stop": gettext_lazy("Traitement arrêté"),
    "prescription.dispense": gettext_lazy("Dispensation enregistrée par la pharmacie"),
    "document.prescription_print": gettext_lazy("Ordonnance hors AMM imprimée"),
    "document.label_print": gettext_lazy("Étiquette du flacon imprimée"),
    "calendar.export": gettext_lazy("Calendrier de la famille exporté (iCalendar) : rendez-vous "
                                    "ajoutés, modifiés ou annulés"),
    "patient.fhir_read": gettext_lazy("Dossier lu par un système (API FHIR)"),
    "inboundresult.attach": gettext_lazy("Résultat reçu du laboratoire rattaché"),
}
# What says the most about each kind of record, in its audit line.
AUDIT_FIELDS = {
    "patient": ("hospital_number", "last_name", "first_name"),
    "prescription": ("mg_per_day", "status", "reason", "rejection_reason"),
    "troughlevel": ("sampled_at", "value", "unit", "value_ng_ml"),
    "labresult": ("kind", "sampled_at", "value", "unit"),
    "bodymeasurement": ("measured_on", "weight_kg", "height_cm"),
    "visit": ("label", "done_date", "systolic_bp", "diastolic_bp", "response"),
    "adverseevent": ("kind", "onset_date", "severity", "action_taken"),
    "comedication": ("name", "start_date", "end_date"),
    "monitoringcheck": ("kind", "due_date"),
    "dispensing": ("days", "bottles", "tablets", "batch", "expiry"),
}
# Bookkeeping fields: the audit line's own user and time already say who reviewed and when.
IGNORED_CHANGES = {"id", "version", "updated_at", "working", "rules", "reviewed_by",
                   "reviewed_at", "proposed_by", "recorded_by", "patient", "prescription",
                   "replaces", "voided_at", "voided_by"}


def audit_rows(events) -> list[AuditRow]:
    return [_audit_row(event) for event in events]


def _audit_row(event) -> AuditRow:
    model_name = event.object_type.rsplit(".", 1)[-1].lower()
    language = get_language()
    verb = event.action.rsplit(".", 1)[-1]
    if event.action in AUDIT_ACTIONS:
        action = str(AUDIT_ACTIONS[event.action])
    elif (name := _model_name(model_name, language)) is not None:
        action = (_("Ajout : %(record)s") if verb == "create" else
                  _("Erreur de saisie, annulée : %(record)s") if verb == "void" else
                  _("Modification : %(record)s")) % {"record": name}
    else:
        action = event.action
    after, before = event.after or {}, event.before or {}
    if before:
        names = [k for k in after if k not in IGNORED_CHANGES and before.get(k) != after.get(k)]
    else:
        names = [k for k in AUDIT_FIELDS.get(model_name, ()) if after.get(k) not in (None, "")]
    if event.action == "prescription.withdraw":
        # Stored as a refusal by the prescriber: the action's name says what it was.
        names = [k for k in names if k not in ("status", "rejection_reason")]
    details = []
    for name in names:
        label, choices = _field_text(model_name, name, language)
        shown = _value(choices, after.get(name))
        details.append(f"{label} : {_value(choices, before.get(name))} → {shown}" if before
                       else f"{label} : {shown}")
    return AuditRow(event.at, event.user, action, details,
                    event.user_full_name or event.username)


def _model(model_name: str):
    try:
        return apps.get_model("sirolimus_app", model_name)
    except LookupError:
        return None


# An audit table repeats the same few fields: their labels and choices are translated once per
# language rather than once per line (translations do not change while the server runs).
@functools.cache
def _model_name(model_name: str, language: str) -> str | None:
    model = _model(model_name)
    return str(model._meta.verbose_name) if model is not None else None


@functools.cache
def _field_text(model_name: str, name: str, language: str) -> tuple[str, dict]:
    """A field's label and its choices' labels, in `language` (the active one)."""
    model = _model(model_name)
    try:
        found = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        found = None
    label = str(getattr(found, "verbose_name", name)) if found is not None else name
    choices = {value: str(text) for value, text in getattr(found, "choices", None) or ()}
    return label, choices


def _value(choices: dict, value) -> str:
    if value in (None, ""):
        return "—"
    if choices:
        return choices.get(value, str(value))
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    # Dates as d/m/Y in both languages, as everywhere in the interface.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return number(value)
    moment = parse_datetime(value) if isinstance(value, str) and "T" in value else None
    if moment is not None:
        return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
    return str(value)
