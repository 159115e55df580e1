"""The engine's advice and the audit trail, shaped for the patient templates: dates as dates,
French or English text as the interface language asks, a link to the form that fixes each
problem. Pure presentation: no query, no state change."""

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from sirolimus_app.i18n import calendar_label, in_french, problem_text
from sirolimus_app.models import Prescription, Visit
from sirolimus_app.services.engine import local_date
from sirolimus_app.services.prescriptions import PRESCRIBING_ACTIONS

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
SEVERITY_CLASS = {"critical": "danger", "warning": "warning", "info": "info"}
ACTION_LABELS = {
    "none": gettext_lazy("Pas de sirolimus"),
    "start": gettext_lazy("Début du traitement"),
    "continue": gettext_lazy("Poursuite à dose inchangée"),
    "resume": gettext_lazy("Reprise"),
    "increase": gettext_lazy("Augmentation"),
    "decrease": gettext_lazy("Diminution"),
    "taper": gettext_lazy("Décroissance progressive"),
    "suspend": gettext_lazy("Suspension"),
    "stop": gettext_lazy("Arrêt définitif"),
}
RESPONSE_LABELS = dict(Visit.Response.choices)
KIND_LABELS = {
    "trough": gettext_lazy("Taux résiduel"),
    "control": gettext_lazy("Contrôle du taux résiduel à 48 h"),
    "visit": gettext_lazy("Visite"),
    "cbc": gettext_lazy("NFS"),
    "lipids": gettext_lazy("Bilan lipidique"),
    "blood_pressure": gettext_lazy("Tension artérielle"),
}
FORMULA_LABELS = {
    "mosteller": "Mosteller", "haycock": "Haycock", "dubois": "DuBois",
    "gehan_george": "Gehan–George",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def engine_text(item: dict, key: str = "message") -> str:
    """The engine's message in the interface language (it writes French numbers and dates
    itself)."""
    if in_french():
        return item.get(f"{key}_fr") or item.get(key) or item.get(f"{key}_en") or ""
    return item.get(f"{key}_en") or item.get(key) or ""


def iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


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


@dataclass
class Alert:
    rule: str
    severity: str
    text: str

    @property
    def css(self) -> str:
        return SEVERITY_CLASS.get(self.severity, "secondary")


def alerts(advice: dict | None) -> list[Alert]:
    found = [Alert(a["rule"], a["severity"], engine_text(a)) for a in (advice or {}).get(
        "alerts", [])]
    return sorted(found, key=lambda a: SEVERITY_ORDER.get(a.severity, 9))


@dataclass
class Proposal:
    index: int
    action: str
    mg_per_day: Decimal
    mg_per_m2_per_day: Decimal | None
    form: str
    volume_ml: Decimal | None
    tablets: str
    rules: list[str]
    working: dict | None
    primary: bool
    unchanged: bool  # 'continue' at the dose already taken: nothing to prescribe

    @property
    def label(self) -> str:
        if self.action == "decrease" and any(r.startswith("TAPER-") for r in self.rules):
            return str(ACTION_LABELS["taper"])
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def prescribable(self) -> bool:
        return self.action in PRESCRIBING_ACTIONS and self.mg_per_day > 0 and not self.unchanged

    @property
    def acts_on_current(self) -> bool:
        """Suspend and stop change the current prescription through their own pages."""
        return self.action in ("suspend", "stop")


def proposals(advice: dict | None, current: Prescription | None) -> list[Proposal]:
    if not advice:
        return []
    current_mg = current.mg_per_day if current and current.status == "active" else None
    found = []
    for index, dose in enumerate([advice["dose"], *advice.get("options", [])]):
        mg = decimal(dose["mg_per_day"]) or Decimal(0)
        found.append(Proposal(
            index=index, action=dose["action"], mg_per_day=mg,
            mg_per_m2_per_day=decimal(dose.get("mg_per_m2_per_day")), form=dose.get("form", ""),
            volume_ml=decimal(dose.get("volume_ml")), tablets=tablets_text(dose.get("tablets")),
            rules=list(dose.get("rules", [])), working=working(dose.get("working")),
            primary=index == 0,
            unchanged=dose["action"] == "continue" and current_mg == mg,
        ))
    return found


def working(data: dict | None) -> dict | None:
    """The dose's working with its numbers as Decimals (shown with the French comma)."""
    if not data:
        return None
    numbers = ("weight_kg", "height_cm", "bsa_m2", "target_mg_per_m2_per_day", "raw_mg",
               "mg_per_m2_per_day")
    shaped = {key: decimal(data.get(key)) for key in numbers}
    shaped.update(
        formula=FORMULA_LABELS.get(data.get("bsa_formula"), data.get("bsa_formula")),
        basis=engine_text(data, "basis"), rounding=engine_text(data, "rounding"),
        cap_applied=bool(data.get("cap_applied")),
    )
    return shaped


@dataclass
class TroughRow:
    trough: object  # the TroughLevel as entered
    zone: str = ""
    text: str = ""
    rules: list[str] = field(default_factory=list)
    steady_state: bool | None = None

    @property
    def css(self) -> str:
        return {"toxic": "danger", "high": "warning", "low": "secondary"}.get(self.zone, "")


def trough_rows(troughs, advice: dict | None, limit: int = 5) -> list[TroughRow]:
    """The latest troughs, newest first, each with the engine's reading of it (matched by
    day and ng/ml value, the engine receiving exactly these)."""
    readings: dict[tuple, dict] = {}
    for reading in (advice or {}).get("troughs", []):
        readings[(reading["date"], round(float(reading["value_ng_ml"]), 2))] = reading
    rows = []
    for trough in sorted(troughs, key=lambda t: t.sampled_at, reverse=True)[:limit]:
        key = (local_date(trough.sampled_at).isoformat(), round(float(trough.value_ng_ml), 2))
        reading = readings.get(key)
        if reading:
            rows.append(TroughRow(trough, reading.get("zone", ""), engine_text(reading),
                                  list(reading.get("rules", [])), reading.get("steady_state")))
        else:
            rows.append(TroughRow(trough))
    return rows


@dataclass
class DueItem:
    day: date
    kind: str
    label: str
    rules: list[str]
    instruction: str
    overdue: bool
    conditional: bool  # due only if the prescriber takes the option it belongs to

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def due_items(items: list[dict] | None) -> list[DueItem]:
    return [DueItem(iso(i["date"]), i["kind"], calendar_label(i.get("label", "")),
                    list(i.get("rules", [])),
                    engine_text(i, "instruction"), bool(i.get("overdue")),
                    bool(i.get("condition")))
            for i in items or []]


@dataclass
class Fix:
    url: str
    label: str


def fixes(patient, perms) -> dict[str, Fix]:
    """The forms that fix each kind of missing or wrong datum, for a user who may use them."""
    pk = patient.pk
    links = {
        "identity": ("change_patient", "patient_edit", {}, _("Modifier le dossier")),
        "measurement": ("add_bodymeasurement", "measurement_add", {},
                        _("Saisir poids et taille")),
        "comedication": ("add_comedication", "comedication_add", {},
                         _("Saisir un traitement associé")),
        "cbc": ("add_labresult", "lab_add", {"kind": "platelets"}, _("Saisir une NFS")),
        "lipids": ("add_labresult", "lab_add", {"kind": "cholesterol"},
                   _("Saisir le bilan lipidique")),
        "blood_pressure": ("add_visit", "visit_add", {"label": "PRE"},
                           _("Saisir la tension (visite)")),
        "trough": ("add_troughlevel", "trough_add", {}, _("Saisir un taux résiduel")),
        "platelets": ("add_labresult", "lab_add", {"kind": "platelets"},
                      _("Saisir une numération plaquettaire")),
    }
    found = {}
    for key, (perm, name, query, label) in links.items():
        if f"sirolimus_app.{perm}" in perms:
            url = reverse(name, args=[pk])
            if query:
                url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
            found[key] = Fix(url, label)
    return found


PROBLEM_FIELDS = {
    "weight": (gettext_lazy("Poids"), "measurement"),
    "height": (gettext_lazy("Taille"), "measurement"),
    "birth_date": (gettext_lazy("Date de naissance"), "identity"),
    "diagnosis_date": (gettext_lazy("Date du diagnostic"), "identity"),
    "sex": (gettext_lazy("Sexe"), "identity"),
    "itp_phase": (gettext_lazy("Phase du PTI"), "identity"),
    "allergies": (gettext_lazy("Allergies"), "identity"),
    "comedications": (gettext_lazy("Traitements associés"), "comedication"),
    "troughs": (gettext_lazy("Taux résiduels"), None),
    "platelets": (gettext_lazy("Plaquettes"), None),
    "doses": (gettext_lazy("Historique des doses"), None),
}


@dataclass
class ProblemRow:
    what: str
    text: str
    fix: Fix | None


def problem_rows(problems, links: dict[str, Fix]) -> list[ProblemRow]:
    """CourseError problems ('patient.weight_kg', 'troughs[2].value'…) in plain words."""
    rows = []
    for problem in problems:
        path = problem.field.split(".")
        head = path[1] if path[0] == "patient" and len(path) > 1 else path[0]
        key = re.sub(r"\[\d+\]$", "", head).removesuffix("_kg").removesuffix("_cm")
        what, fix = PROBLEM_FIELDS.get(key, (problem.field, None))
        text = problem_text(problem)
        rows.append(ProblemRow(str(what), text, links.get(fix) if fix else None))
    return rows


@dataclass
class Check:
    rule: str
    status: str
    text: str
    fix: Fix | None

    @property
    def css(self) -> str:
        return {"ok": "success", "missing": "warning", "blocking": "danger"}.get(self.status,
                                                                                 "info")

    @property
    def status_label(self) -> str:
        return str(CHECK_STATUS.get(self.status, self.status))


CHECK_STATUS = {
    "ok": pgettext_lazy("eligibility", "Conforme"),
    "missing": pgettext_lazy("eligibility", "À compléter"),
    "blocking": pgettext_lazy("eligibility", "Bloquant"),
    "info": pgettext_lazy("eligibility", "Information"),
}
CHECK_FIX = {
    "ELIG-INDICATION": "identity", "ELIG-GOOD-CANDIDATE": "identity",
    "CI-HYPERSENSITIVITY": "identity", "CI-SOY-PEANUT": "identity",
    "NO-OTHER-IS": "comedication",
}
WORKUP_FIX = (("NFS", "cbc"), ("CBC", "cbc"), ("lipid", "lipids"), ("tension", "blood_pressure"),
              ("blood pressure", "blood_pressure"))


def eligibility_checks(advice: dict | None, links: dict[str, Fix]) -> list[Check]:
    rows = []
    for check in (advice or {}).get("eligibility", []):
        if check["rule"] == "PRE-WORKUP":
            english = check.get("message_en", "")
            french = check.get("message_fr", "")
            key = next((k for word, k in WORKUP_FIX if word in french or word in english), None)
        else:
            key = CHECK_FIX.get(check["rule"])
        fix = links.get(key) if key and check["status"] in ("missing", "blocking") else None
        rows.append(Check(check["rule"], check["status"], engine_text(check), fix))
    return rows


@dataclass
class AuditRow:
    at: object
    user: object
    action: str
    details: list[str]


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
                   "replaces"}


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
                  _("Modification : %(record)s")) % {"record": name}
    else:
        action = event.action
    after, before = event.after or {}, event.before or {}
    if before:
        names = [k for k in after if k not in IGNORED_CHANGES and before.get(k) != after.get(k)]
    else:
        names = [k for k in AUDIT_FIELDS.get(model_name, ()) if after.get(k) not in (None, "")]
    details = []
    for name in names:
        label, choices = _field_text(model_name, name, language)
        shown = _value(choices, after.get(name))
        details.append(f"{label} : {_value(choices, before.get(name))} → {shown}" if before
                       else f"{label} : {shown}")
    return AuditRow(event.at, event.user, action, details)


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


def taper_steps(advice: dict | None) -> list[dict]:
    taper = (advice or {}).get("taper") or {}
    return [{"start": iso(step["start"]), "mg_per_day": decimal(step["mg_per_day"]),
             "volume_ml": decimal(step.get("volume_ml")),
             "tablets": tablets_text(step.get("tablets"))}
            for step in taper.get("steps", [])]


def number(value) -> str:
    """1.90 → '1,9' in French: a dose or a measure shown as a clinician writes it."""
    text = format(Decimal(str(value)).normalize(), "f")
    # What formats.number_format gives without thousand grouping (off in settings), at a
    # fraction of its cost: a page shows dozens of these.
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))
