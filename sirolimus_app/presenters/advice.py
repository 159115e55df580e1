"""The engine's advice shaped for the pages and documents: alerts with their colours, the
dose proposals, the working of a dose, troughs with their reading, eligibility checks and
the problems of an invalid course, each with a link to the form that fixes it."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from protocol import Advice
from protocol.dosing import SOLUTION, Working, mg_per_m2, tablets_for
from sirolimus_app.i18n import problem_text
from sirolimus_app.localtime import local_date
from sirolimus_app.models import Patient, Prescription, Visit
from sirolimus_app.models.prescription import PRESCRIBING_ACTIONS
from sirolimus_app.presenters.formatting import decimal, engine_text, tablets_text

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
RESPONSE_LABELS = {**dict(Visit.Response.choices),
                   "loss_of_response": gettext_lazy("Perte de réponse (rechute)")}
FORM_LABELS = dict(Patient.Form.choices)
FORMULA_LABELS = dict(Patient.BsaFormula.choices)


# --- alerts ------------------------------------------------------------------------------

@dataclass
class Alert:
    rule: str
    severity: str
    text: str

    @property
    def css(self) -> str:
        return SEVERITY_CLASS.get(self.severity, "secondary")


def _alert(alert) -> Alert:
    if isinstance(alert, dict):  # as a prescription recorded it
        return Alert(alert["rule"], alert["severity"], engine_text(alert))
    return Alert(alert.rule, alert.severity, engine_text(alert))


def alerts(found) -> list[Alert]:
    """The engine's alerts (typed, or as a prescription recorded them), the most severe
    first."""
    return sorted((_alert(a) for a in found or ()),
                  key=lambda a: SEVERITY_ORDER.get(a.severity, 9))


def suspension_alert(advice: Advice | None) -> Alert | None:
    """What the banner "toxic trough: suspend now" says, when the engine says a toxic trough
    awaits its suspension (Advice.pending_suspension): its critical advice."""
    if advice is None or advice.pending_suspension is None:
        return None
    critical = alerts(advice.critical_alerts)
    return critical[0] if critical else Alert(
        ", ".join(advice.pending_suspension.rules), "critical",
        engine_text(advice.pending_suspension))


# --- dose proposals ----------------------------------------------------------------------

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
    taper: bool = False  # the next step of the taper plan (the engine's Proposal.plan_step)
    alternatives: list["Alternative"] = field(default_factory=list)

    @property
    def presentation_change(self) -> bool:
        return bool(self.working and self.working["presentation_change"])

    @property
    def form_label(self) -> str:
        return str(FORM_LABELS.get(self.form, self.form))

    @property
    def label(self) -> str:
        return str(ACTION_LABELS["taper" if self.taper else self.action]
                   if self.taper or self.action in ACTION_LABELS else self.action)

    @property
    def prescribable(self) -> bool:
        return self.action in PRESCRIBING_ACTIONS and self.mg_per_day > 0 and not self.unchanged

    @property
    def acts_on_current(self) -> bool:
        """Suspend and stop change the current prescription through their own pages."""
        return self.action in ("suspend", "stop")


def proposals(advice: Advice | None, current: Prescription | None) -> list[Proposal]:
    if advice is None:
        return []
    current_mg = current.mg_per_day if current and current.status == "active" else None
    found = []
    for index, dose in enumerate((advice.dose, *advice.options)):
        found.append(Proposal(
            index=index, action=dose.action, mg_per_day=dose.mg_per_day,
            mg_per_m2_per_day=dose.mg_per_m2_per_day, form=dose.form,
            volume_ml=dose.volume_ml, tablets=tablets_text(dose.tablets),
            rules=list(dose.rules), working=working(dose.working),
            primary=index == 0,
            unchanged=dose.action == "continue" and current_mg == dose.mg_per_day,
            taper=dose.plan_step,
            alternatives=alternatives(dose.alternatives),
        ))
    return found


def working(data: Working | dict | None) -> dict | None:
    """How a dose was reached (the engine's Working, or the JSON a prescription recorded),
    numbers as Decimals, texts in the interface language."""
    if not data:
        return None
    if isinstance(data, Working):
        bsa = data.bsa
        return {
            "weight_kg": decimal(bsa.weight_kg), "height_cm": decimal(bsa.height_cm),
            "bsa_m2": bsa.m2, "target_mg_per_m2_per_day": data.target_mg_per_m2,
            "raw_mg": data.raw_mg, "mg_per_m2_per_day": mg_per_m2(data.mg_per_day, bsa.m2),
            "formula": FORMULA_LABELS.get(bsa.formula, bsa.formula),
            "basis": engine_text(data, "basis"), "rounding": engine_text(data, "rounding"),
            "cap_applied": data.cap_applied, "presentation_change": data.presentation_change,
        }
    numbers = ("weight_kg", "height_cm", "bsa_m2", "target_mg_per_m2_per_day", "raw_mg",
               "mg_per_m2_per_day")
    shaped = {key: decimal(data.get(key)) for key in numbers}
    shaped.update(
        formula=FORMULA_LABELS.get(data.get("bsa_formula"), data.get("bsa_formula")),
        basis=engine_text(data, "basis"), rounding=engine_text(data, "rounding"),
        cap_applied=bool(data.get("cap_applied")),
        presentation_change=bool(data.get("presentation_change")),
    )
    return shaped


@dataclass
class Alternative:
    """A realisable neighbour of a proposal: mg/day, mg/m²/day, % from the target, form."""

    mg_per_day: Decimal
    mg_per_m2_per_day: Decimal
    percent_from_target: Decimal
    form: str
    tablets: str

    @property
    def form_label(self) -> str:
        return str(FORM_LABELS.get(self.form, self.form))


def alternatives(found) -> list[Alternative]:
    """The engine's alternatives (typed, or as a prescription recorded them)."""
    rows = []
    for alt in found or ():
        if isinstance(alt, dict):
            mg, per_m2 = decimal(alt["mg_per_day"]), decimal(alt["mg_per_m2_per_day"])
            percent, form, tablets = decimal(alt["percent_from_target"]), alt["form"], \
                alt.get("tablets")
        else:
            mg, per_m2, percent, form = (alt.mg_per_day, alt.mg_per_m2_per_day,
                                         alt.percent_from_target, alt.form)
            tablets = None if form == SOLUTION else tablets_for(mg)
        rows.append(Alternative(mg, per_m2, percent, form, tablets_text(tablets)))
    return rows


@dataclass
class TaperPlan:
    rule: str
    started: date
    ends: date
    steps: list[dict]


def taper_plan(advice: Advice | None) -> TaperPlan | None:
    """The taper plan with its fixed start and end (Advice.taper)."""
    if advice is None or advice.taper is None:
        return None
    taper = advice.taper
    return TaperPlan(taper.rule, taper.started, taper.ends, taper_steps(advice))


def taper_steps(advice: Advice | None) -> list[dict]:
    if advice is None or advice.taper is None:
        return []
    return [{"start": step.start, "mg_per_day": step.mg_per_day,
             "volume_ml": step.mg_per_day if step.form == SOLUTION else None,
             "tablets": "" if step.form == SOLUTION else tablets_text(tablets_for(step.mg_per_day))}
            for step in advice.taper.steps]


# --- troughs -----------------------------------------------------------------------------

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


def trough_rows(troughs, advice: Advice | None, limit: int = 5) -> list[TroughRow]:
    """The latest troughs, newest first, each with the engine's reading of it (matched by
    day and ng/ml value, the engine receiving exactly these)."""
    readings = {(r.date, round(r.ng_ml, 2)): r for r in (advice.troughs if advice else ())}
    rows = []
    for trough in sorted(troughs, key=lambda t: t.sampled_at, reverse=True)[:limit]:
        reading = readings.get((local_date(trough.sampled_at), round(float(trough.value_ng_ml),
                                                                      2)))
        if reading:
            rows.append(TroughRow(trough, reading.zone, engine_text(reading),
                                  list(reading.rules), reading.steady_state))
        else:
            rows.append(TroughRow(trough))
    return rows


# --- fixing what is missing --------------------------------------------------------------

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
    """Problems of the course ('patient.weight_kg', 'troughs[2].value'…) in plain words."""
    rows = []
    for problem in problems:
        path = problem.field.split(".")
        head = path[1] if path[0] == "patient" and len(path) > 1 else path[0]
        key = re.sub(r"\[\d+\]$", "", head).removesuffix("_kg").removesuffix("_cm")
        what, fix = PROBLEM_FIELDS.get(key, (problem.field, None))
        rows.append(ProblemRow(str(what), problem_text(problem), links.get(fix) if fix else None))
    return rows


# --- eligibility -------------------------------------------------------------------------

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
# The form that edits each course field the engine names as missing (Check.missing); any
# other patient field is edited with the record itself.
FIELD_FIX = {
    "workup.cbc": "cbc",
    "workup.lipids": "lipids",
    "workup.blood_pressure": "blood_pressure",
    "patient.comedications": "comedication",
    "patient.weight_kg": "measurement",
    "patient.height_cm": "measurement",
}


def field_fix(path: str) -> str | None:
    """The key in `fixes` of the form that edits the course field `path`."""
    if path in FIELD_FIX:
        return FIELD_FIX[path]
    return "identity" if path.startswith("patient.") else None


def eligibility_checks(advice: Advice | None, links: dict[str, Fix]) -> list[Check]:
    rows = []
    for check in advice.eligibility if advice else ():
        fix = next((links[key] for key in map(field_fix, check.missing) if key in links), None)
        rows.append(Check(check.rule, check.status, engine_text(check), fix))
    return rows


# --- response ----------------------------------------------------------------------------

@dataclass
class Response:
    status: str
    label: str
    confirmed: bool
    since: date | None
    baseline: Decimal | None
    baseline_date: date | None
    assessed_on: date | None
    best: str = ""
    best_label: str = ""
    to_confirm_on: date | None = None

    @property
    def evaluable(self) -> bool:
        return self.status != "not_evaluable"

    @property
    def lost(self) -> bool:
        return self.status == "loss_of_response"

    @property
    def best_differs(self) -> bool:
        """The best status so far is worth saying: it is not the status itself."""
        return self.best not in ("", self.status, "not_evaluable")


def response(advice: Advice | None) -> Response | None:
    if advice is None:
        return None
    found = advice.response
    return Response(
        status=found.status,
        label=str(RESPONSE_LABELS.get(found.status, found.status)),
        confirmed=found.confirmed, since=found.since,
        baseline=decimal(found.baseline_g_per_l), baseline_date=found.baseline_date,
        assessed_on=found.assessed_on,
        best=found.best, best_label=str(RESPONSE_LABELS.get(found.best, found.best)),
        to_confirm_on=found.to_confirm_on,
    )
