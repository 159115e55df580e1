"""The course (input) as frozen dataclasses, and its validation.

`parse_course` reads a JSON-like dict, collects every problem (field path, English and French
message) and raises one `CourseError` carrying them all, so a form or a pharmacist sees the
whole list at once. Quantities are converted here to the engine's canonical units.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .bsa import DEFAULT_FORMULA, FORMULAS, age_problems, plausibility
from .dosing import FORMS, SOLUTION, STEP_MG, TABLETS
from .text import date_en, date_fr, num_en, num_fr
from .units import CONCENTRATION, LENGTH, MASS, PLATELETS, Kind, UnitError, factor

RECORD_KINDS = ("lipids", "blood_pressure", "visit", "cbc", "trough", "control")
ITP_PHASES = ("newly_diagnosed", "persistent", "chronic")
ASSAYS = {"lcmsms": "LC-MS/MS", "immunoassay": "immunoassay", "immunoanalyse": "immunoassay"}
ADVERSE_EVENT_KINDS = (
    "aphthae",
    "digestive",
    "infection",
    "fever",
    "angioedema",
    "pericardial_effusion",
    "cytopenia",
    "hypertension",
    "dyslipidaemia",
    "other",
)
SEXES = {"f": "F", "female": "F", "m": "M", "male": "M"}
# Beyond these a value is a typing or unit slip, not a measurement.
MAX_TROUGH_NG_ML = 500.0
MAX_PLATELETS_G_L = 2000.0
TABLET_STEP_MG = STEP_MG[TABLETS]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Problem:
    field: str
    message_en: str
    message_fr: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message_en}"


class CourseError(ValueError):
    """The input is not a valid course; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class Patient:
    birth_date: date
    weight_kg: float
    height_cm: float
    bsa_formula: str
    itp_phase: str | None  # as given; see eligibility.itp_phase for the one the engine uses
    diagnosis_date: date | None
    severity_signs: bool | None  # None: not stated
    allergies: tuple[str, ...]
    sirolimus_hypersensitivity: bool
    vzv_immune: bool | None
    comedications: tuple[str, ...]
    prolonged_corticosteroids: bool
    immunodeficiency: bool
    sex: str | None = None
    evans: bool | None = None
    alps_features: bool | None = None
    other_autoimmunity: bool | None = None
    workup_updated: bool | None = None
    obs_cerevance_registered: bool | None = None
    # Every entry of `comedications`, dated or not; `comedications` holds the names taken today.
    comedication_history: tuple[Comedication, ...] = ()
    hepatic_impairment: bool | None = None  # SMPC-HEPATIC; None: not stated


@dataclass(frozen=True)
class Comedication:
    name: str
    start: date | None = None  # None: not stated (taken before, or undated)
    end: date | None = None  # the day it is (or will be) stopped; None: goes on

    def taken_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class DoseEntry:
    start: date
    mg_per_day: Decimal  # 0: suspension, or a definitive stop when `stop`
    stop: bool = False
    form: str | None = None  # presentation of this dose; None: the course's `form`


@dataclass(frozen=True)
class Trough:
    date: date
    ng_ml: float
    value: float  # as given, in `unit`
    unit: str
    assay: str | None  # 'LC-MS/MS' | 'immunoassay' | None (not stated)
    ref: str | None = None  # the caller's reference, echoed in the calendar's `fulfilled`


@dataclass(frozen=True)
class PlateletCount:
    date: date
    g_per_l: float
    bleeding: bool = False
    ref: str | None = None


@dataclass(frozen=True)
class Workup:
    cbc: date | None = None
    lipids: date | None = None
    blood_pressure: date | None = None


@dataclass(frozen=True)
class AdverseEvent:
    date: date
    kind: str
    declared: date | None


@dataclass(frozen=True)
class Record:
    """Another record that fulfils calendar items (a lipid panel, a blood pressure, a visit, a
    nurse's "sample taken" tick with the `label` or the protocol date `due` of the item it
    answers)."""

    kind: str  # RECORD_KINDS
    date: date
    ref: str | None = None
    label: str | None = None
    due: date | None = None  # the protocol date of the item this record answers (a tick)


@dataclass(frozen=True)
class Course:
    today: date
    patient: Patient
    form: str
    doses: tuple[DoseEntry, ...]  # sorted by start
    troughs: tuple[Trough, ...]  # sorted by date
    platelets: tuple[PlateletCount, ...]  # sorted by date
    workup: Workup
    adverse_events: tuple[AdverseEvent, ...]  # sorted by date
    records: tuple[Record, ...] = ()  # sorted by date


_MISSING = object()


# --- checks on typed values, shared by parse_course and check_course ----------------------

def _after_today(field: str, day: date, today: date | None) -> list[Problem]:
    if today is not None and day > today:
        return [Problem(field, f"after today ({date_en(today)})",
                        f"postérieure à aujourd'hui ({date_fr(today)})")]
    return []


def _sign(field: str, value: float, unit: str = "", positive: bool = False) -> list[Problem]:
    if value < 0 or (positive and value == 0):
        sign = ">" if positive else "≥"
        return [Problem(field, f"must be {sign} 0{unit}, got {num_en(value)}",
                        f"doit être {sign} 0{unit}, reçu {num_fr(value)}")]
    return []


def _before_birth(field: str) -> Problem:
    return Problem(field, "before the birth date", "antérieure à la naissance")


def _body_problems(birth: date | None, today: date | None, weight: float | None,
                   height: float | None, fields: dict[str, str]) -> list[Problem]:
    """Age, then weight and height together; `fields` names the measures as given."""
    problems = []
    if birth is not None and today is not None:
        problems += [Problem(f"patient.{p.field}", p.message_en, p.message_fr)
                     for p in age_problems(birth, today)]
    if weight is not None and height is not None:
        problems += [Problem(f"patient.{fields[p.field]}", p.message_en, p.message_fr)
                     for p in plausibility(weight, height)]
    return problems


def _dose_form_problems(field: str, mg, form: str | None) -> list[Problem]:
    """A dose recorded as tablets must be whole 0.5 mg tablets."""
    if form == TABLETS and mg is not None and Decimal(repr(float(mg))) % TABLET_STEP_MG:
        return [Problem(f"{field}.mg_per_day",
                        f"{num_en(mg)} mg cannot be given with whole 0.5 mg tablets",
                        f"{num_fr(mg)} mg n'est pas réalisable en comprimés entiers de 0,5 mg")]
    return []


def _dose_problems(field: str, start: date | None, mg: float | Decimal | None, stop: bool,
                   birth: date | None, taken: set) -> list[Problem]:
    """A dose entry's own problems; `taken`: the start dates of the entries before it."""
    problems = []
    if stop and mg:
        problems.append(Problem(f"{field}.stop", "a definitive stop needs mg_per_day 0",
                                "un arrêt définitif demande mg_per_day 0"))
    if start and birth and start < birth:
        problems.append(_before_birth(f"{field}.start"))
    elif start in taken:
        problems.append(Problem(
            f"{field}.start", f"another dose entry already starts on {date_en(start)}",
            f"une autre ligne de dose commence déjà le {date_fr(start)}"))
    return problems


def _trough_plausible(field: str, ng_ml: float) -> list[Problem]:
    if ng_ml > MAX_TROUGH_NG_ML:
        return [Problem(
            f"{field}.value",
            f"{num_en(ng_ml, 3)} ng/ml is not a plausible sirolimus trough (check the value "
            "and its unit)",
            f"{num_fr(ng_ml, 3)} ng/ml n'est pas un résiduel de sirolimus plausible (vérifier "
            "la valeur et l'unité)")]
    return []


def _platelets_plausible(field: str, g_per_l: float) -> list[Problem]:
    if g_per_l > MAX_PLATELETS_G_L:
        return [Problem(
            f"{field}.value",
            f"{num_en(g_per_l, 3)} G/L is not a plausible platelet count (check the value and "
            "its unit)",
            f"{num_fr(g_per_l, 3)} G/L n'est pas une numération plaquettaire plausible "
            "(vérifier la valeur et l'unité)")]
    return []


def _declared_problems(field: str, when: date | None, declared: date | None) -> list[Problem]:
    if declared and when and declared < when:
        return [Problem(f"{field}.declared", "before the adverse event",
                        "antérieure à l'effet indésirable")]
    return []


class _Reader:
    """Typed getters that record a Problem and return None instead of raising."""

    def __init__(self):
        self.problems: list[Problem] = []

    def fail(self, field: str, en: str, fr: str) -> None:
        self.problems.append(Problem(field, en, fr))

    def add(self, problems: list[Problem]) -> bool:
        """Record `problems`; True when there were none."""
        self.problems += problems
        return not problems

    def obj(self, value: Any, field: str, required: bool = True) -> dict | None:
        if value is _MISSING or value is None:
            if required:
                self.fail(field, "required", "obligatoire")
            return None
        if not isinstance(value, dict):
            self.fail(field, "must be an object", "doit être un objet")
            return None
        return value

    def array(self, source: dict, key: str, field: str, required: str | None = None) -> list:
        """`source[key]`, a list. `required`: absent or null is an error, not an empty list;
        the text (English, French) says what an empty list means."""
        value = source.get(key)
        if value is None:
            if required:
                en, fr = _EMPTY_MEANS[required]
                self.fail(field, f"required (a list; {en})", f"obligatoire (une liste ; {fr})")
            return []
        if not isinstance(value, list):
            self.fail(field, "must be a list", "doit être une liste")
            return []
        return value

    def date(
        self, source: dict, key: str, field: str, required: bool = True, today: date | None = None
    ) -> date | None:
        value = source.get(key)
        if value is None:
            if required:
                self.fail(field, "required (YYYY-MM-DD)", "obligatoire (AAAA-MM-JJ)")
            return None
        parsed = None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(
                field,
                f"not a valid date (YYYY-MM-DD), got {value!r}",
                f"date invalide (AAAA-MM-JJ), reçu {value!r}",
            )
            return None
        if not self.add(_after_today(field, parsed, today)):
            return None
        return parsed

    def number(
        self, value: Any, field: str, unit: str = "", positive: bool = False
    ) -> float | None:
        if value is _MISSING or value is None:
            self.fail(field, "required", "obligatoire")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(
                field, f"must be a number, got {value!r}", f"doit être un nombre, reçu {value!r}"
            )
            return None
        if not math.isfinite(value):
            self.fail(
                field,
                f"must be a finite number, got {value!r}",
                f"doit être un nombre fini, reçu {value!r}",
            )
            return None
        if not self.add(_sign(field, value, unit, positive)):
            return None
        return float(value)

    def boolean(
        self, source: dict, key: str, field: str, default: bool | None, required: bool = False
    ) -> bool | None:
        """`required`: absent or null is an error (a statement that must not be guessed)."""
        value = source.get(key)
        if value is None:
            if required:
                self.fail(field, "required (true or false)", "obligatoire (true ou false)")
            return default
        if not isinstance(value, bool):
            self.fail(
                field,
                f"must be true or false, got {value!r}",
                f"doit valoir true ou false, reçu {value!r}",
            )
            return default
        return value

    def choice(
        self, source: dict, key: str, field: str, allowed, default: str | None
    ) -> str | None:
        value = source.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value not in allowed:
            listed = ", ".join(allowed)
            self.fail(
                field,
                f"unknown {key} {value!r} (expected one of: {listed})",
                f"{key} inconnu {value!r} (valeurs possibles : {listed})",
            )
            return default
        return value

    def words(self, source: dict, key: str, field: str, required: str) -> tuple[str, ...]:
        words = []
        for i, word in enumerate(self.array(source, key, field, required)):
            if not isinstance(word, str):
                self.fail(
                    f"{field}[{i}]",
                    f"must be text, got {word!r}",
                    f"doit être un texte, reçu {word!r}",
                )
            elif word.strip():
                words.append(word.strip())
        return tuple(words)

    def quantity(
        self,
        source: dict,
        value_key: str,
        unit_key: str,
        field: str,
        kind: Kind,
        positive: bool = False,
    ) -> float | None:
        """`source[value_key]` in `source[unit_key]`. The unit is never assumed: absent, null
        or blank is an error naming the field."""
        value = self.number(
            source.get(value_key, _MISSING), f"{field}.{value_key}", positive=positive
        )
        unit = source.get(unit_key)
        if unit is None or (isinstance(unit, str) and not unit.strip()):
            listed = ", ".join(kind.examples)
            self.fail(
                f"{field}.{unit_key}", f"missing unit ({listed}…)", f"unité manquante ({listed}…)"
            )
            return None
        if not isinstance(unit, str):
            self.fail(
                f"{field}.{unit_key}",
                f"must be text, got {unit!r}",
                f"doit être un texte, reçu {unit!r}",
            )
            return None
        try:
            scale = factor(unit, kind)
        except UnitError as error:
            self.fail(f"{field}.{unit_key}", str(error), _unit_error_fr(unit, kind))
            return None
        return None if value is None else float(Decimal(repr(value)) * scale)

    def body_measure(self, patient: dict, name: str, kind: Kind) -> tuple[float | None, str]:
        """`weight_kg` / `height_cm`, or `weight` / `height` as {value, unit}."""
        canonical = f"{name}_{kind.canonical}"
        if canonical in patient and name in patient:
            self.fail(
                f"patient.{name}",
                f"give {canonical} or {name}, not both",
                f"donner {canonical} ou {name}, pas les deux",
            )
            return None, canonical
        if name in patient:
            measure = self.obj(patient[name], f"patient.{name}")
            if measure is None:
                return None, name
            return self.quantity(measure, "value", "unit", f"patient.{name}", kind, True), name
        value = self.number(
            patient.get(canonical, _MISSING),
            f"patient.{canonical}",
            f" {kind.canonical}",
            positive=True,
        )
        return value, canonical


# What an empty list means, for the lists that must be given (absent is an error).
_EMPTY_MEANS = {
    "doses": (
        "[] when sirolimus has not been started",
        "[] si le sirolimus n'a pas été débuté",
    ),
    "troughs": ("[] when no trough has been drawn", "[] si aucun résiduel n'a été dosé"),
    "platelets": ("[] when no count is known", "[] si aucune numération n'est connue"),
    "allergies": ("[] when none is known", "[] si aucune n'est connue"),
    "comedications": ("[] when none", "[] si aucune"),
}

_KIND_FR = {
    "a mass": "une masse",
    "a length": "une longueur",
    "a concentration": "une concentration",
    "a platelet count": "une numération plaquettaire",
}


def _unit_error_fr(unit: str, kind: Kind) -> str:
    return f"unité inconnue ou inadaptée {unit!r} pour {_KIND_FR[kind.name]}"


def parse_course(data: Any) -> Course:
    """Validate and convert a course; raises CourseError listing every problem."""
    r = _Reader()
    root = r.obj(data if data is not None else _MISSING, "course")
    if root is None:
        raise CourseError(r.problems)
    today = r.date(root, "today", "today")
    patient = _patient(r, r.obj(root.get("patient", _MISSING), "patient"), today)
    form = r.choice(root, "form", "form", FORMS, SOLUTION)
    doses = _doses(r, root, today, patient)
    troughs = _troughs(r, root, today)
    platelets = _platelets(r, root, today)
    workup_data = r.obj(root.get("workup"), "workup", required=False) or {}
    workup = Workup(
        *(
            r.date(workup_data, k, f"workup.{k}", False, today)
            for k in ("cbc", "lipids", "blood_pressure")
        )
    )
    events = _adverse_events(r, root, today)
    records = _records(r, root, today)
    if r.problems:
        raise CourseError(r.problems)
    return Course(today, patient, form, doses, troughs, platelets, workup, events, records)


def _patient(r: _Reader, p: dict | None, today: date | None) -> Patient | None:
    if p is None:
        return None
    birth = r.date(p, "birth_date", "patient.birth_date")
    if birth is not None and today is not None:
        r.add(_body_problems(birth, today, None, None, {}))
    weight, weight_field = r.body_measure(p, "weight", MASS)
    height, height_field = r.body_measure(p, "height", LENGTH)
    r.add(_body_problems(None, None, weight, height,
                         {"weight_kg": weight_field, "height_cm": height_field}))
    diagnosis = r.date(p, "diagnosis_date", "patient.diagnosis_date", False, today)
    if diagnosis and birth and diagnosis < birth:
        r.add([_before_birth("patient.diagnosis_date")])
    sex = p.get("sex")
    if sex is not None and (not isinstance(sex, str) or sex.strip().lower() not in SEXES):
        r.fail(
            "patient.sex",
            f"unknown sex {sex!r} (expected F or M)",
            f"sexe inconnu {sex!r} (valeurs possibles : F ou M)",
        )
        sex = None

    comedications = _comedications(r, p, today)

    def flag(key: str) -> bool | None:
        """An optional statement: absent is None, 'not stated'."""
        return r.boolean(p, key, f"patient.{key}", None)

    def required_flag(key: str) -> bool:
        """A contraindication or safety statement: never assumed false."""
        return bool(r.boolean(p, key, f"patient.{key}", None, required=True))

    return Patient(
        birth_date=birth,
        weight_kg=weight,
        height_cm=height,
        bsa_formula=r.choice(
            p, "bsa_formula", "patient.bsa_formula", tuple(FORMULAS), DEFAULT_FORMULA
        ),
        itp_phase=r.choice(p, "itp_phase", "patient.itp_phase", ITP_PHASES, None),
        diagnosis_date=diagnosis,
        severity_signs=flag("severity_signs"),
        allergies=r.words(p, "allergies", "patient.allergies", "allergies"),
        sirolimus_hypersensitivity=required_flag("sirolimus_hypersensitivity"),
        vzv_immune=flag("vzv_immune"),
        comedications=tuple(c.name for c in comedications if today and c.taken_on(today)),
        comedication_history=comedications,
        hepatic_impairment=flag("hepatic_impairment"),
        prolonged_corticosteroids=required_flag("prolonged_corticosteroids"),
        immunodeficiency=required_flag("immunodeficiency"),
        sex=SEXES[sex.strip().lower()] if isinstance(sex, str) else None,
        evans=flag("evans"),
        alps_features=flag("alps_features"),
        other_autoimmunity=flag("other_autoimmunity"),
        workup_updated=flag("workup_updated"),
        obs_cerevance_registered=flag("obs_cerevance_registered"),
    )


def _comedications(r: _Reader, p: dict, today: date | None) -> tuple[Comedication, ...]:
    """Names, or {name, start, end} (contract Additions). `end` may lie ahead (a planned
    stop); `start` may not (what is not taken yet is not a co-medication)."""
    found = []
    for i, entry in enumerate(
        r.array(p, "comedications", "patient.comedications", "comedications")
    ):
        field = f"patient.comedications[{i}]"
        if isinstance(entry, dict):
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                r.fail(f"{field}.name", "required (text)", "obligatoire (un texte)")
                continue
            start = r.date(entry, "start", f"{field}.start", False, today)
            end = r.date(entry, "end", f"{field}.end", False)
            if start and end and end < start:
                r.fail(f"{field}.end", "before the start", "antérieure au début")
                continue
            found.append(Comedication(name.strip(), start, end))
        elif isinstance(entry, str):
            if entry.strip():
                found.append(Comedication(entry.strip()))
        else:
            r.fail(
                field,
                f"must be text or an object {{name, start, end}}, got {entry!r}",
                f"doit être un texte ou un objet {{name, start, end}}, reçu {entry!r}",
            )
    return tuple(found)


def _ref(r: _Reader, entry: dict, field: str) -> str | None:
    """The caller's optional reference of a record (an opaque string)."""
    ref = entry.get("ref")
    if ref is None:
        return None
    if not isinstance(ref, str) or not ref.strip():
        r.fail(f"{field}.ref", f"must be text, got {ref!r}", f"doit être un texte, reçu {ref!r}")
        return None
    return ref.strip()


def _records(r: _Reader, root: dict, today) -> tuple[Record, ...]:
    found = []
    for field, entry in _entries(r, root, "records", required=False):
        kind = r.choice(entry, "kind", f"{field}.kind", RECORD_KINDS, None)
        if entry.get("kind") is None:
            r.fail(f"{field}.kind", "required", "obligatoire")
        when = r.date(entry, "date", f"{field}.date", today=today)
        ref = _ref(r, entry, field)
        label = entry.get("label")
        if label is not None and not isinstance(label, str):
            r.fail(
                f"{field}.label",
                f"must be text, got {label!r}",
                f"doit être un texte, reçu {label!r}",
            )
            label = None
        due = r.date(entry, "due", f"{field}.due", required=False)
        if kind is not None and when is not None:
            found.append(Record(kind, when, ref, label.strip() if label else None, due))
    return tuple(sorted(found, key=lambda x: x.date))


def _entries(r: _Reader, root: dict, key: str, required: bool = True):
    """(field path, entry) for each object of the list `root[key]`."""
    for i, entry in enumerate(r.array(root, key, key, key if required else None)):
        field = f"{key}[{i}]"
        if r.obj(entry, field) is not None:
            yield field, entry


def _doses(r: _Reader, root: dict, today, patient: Patient | None) -> tuple[DoseEntry, ...]:
    doses: dict[date, DoseEntry] = {}
    for field, entry in _entries(r, root, "doses"):
        start = r.date(entry, "start", f"{field}.start", today=today)
        mg = r.number(entry.get("mg_per_day", _MISSING), f"{field}.mg_per_day", " mg")
        stop = r.boolean(entry, "stop", f"{field}.stop", False)
        form = r.choice(entry, "form", f"{field}.form", FORMS, None)
        problems = _dose_problems(field, start, mg, bool(stop),
                                  patient.birth_date if patient else None, set(doses))
        problems += _dose_form_problems(field, mg, form)
        r.add(problems)
        # Kept unless its start is wrong (a stop with a dose is still read, and reported).
        if start is not None and mg is not None and all(
                p.field != f"{field}.start" for p in problems):
            doses[start] = DoseEntry(start, Decimal(repr(mg)), bool(stop), form)
    return tuple(sorted(doses.values(), key=lambda d: d.start))


def _troughs(r: _Reader, root: dict, today) -> tuple[Trough, ...]:
    troughs = []
    for field, entry in _entries(r, root, "troughs"):
        when = r.date(entry, "date", f"{field}.date", today=today)
        ng_ml = r.quantity(entry, "value", "unit", field, CONCENTRATION)
        if ng_ml is not None and not r.add(_trough_plausible(field, ng_ml)):
            ng_ml = None
        assay = entry.get("assay")
        if assay is not None:
            key = re.sub(r"[^a-z]", "", str(assay).lower())
            if key not in ASSAYS:
                r.fail(
                    f"{field}.assay",
                    f"unknown assay {assay!r} (expected LC-MS/MS or immunoassay)",
                    f"technique inconnue {assay!r} (valeurs possibles : LC-MS/MS ou immunoassay)",
                )
            assay = ASSAYS.get(key)
        ref = _ref(r, entry, field)
        if when is not None and ng_ml is not None:
            troughs.append(Trough(when, ng_ml, entry["value"], entry["unit"].strip(), assay, ref))
    return tuple(sorted(troughs, key=lambda t: t.date))


def _platelets(r: _Reader, root: dict, today) -> tuple[PlateletCount, ...]:
    counts = []
    for field, entry in _entries(r, root, "platelets"):
        when = r.date(entry, "date", f"{field}.date", today=today)
        g_per_l = r.quantity(entry, "value", "unit", field, PLATELETS)
        if g_per_l is not None and not r.add(_platelets_plausible(field, g_per_l)):
            g_per_l = None
        bleeding = r.boolean(entry, "bleeding", f"{field}.bleeding", False)
        ref = _ref(r, entry, field)
        if when is not None and g_per_l is not None:
            counts.append(PlateletCount(when, g_per_l, bool(bleeding), ref))
    return tuple(sorted(counts, key=lambda c: c.date))


def _adverse_events(r: _Reader, root: dict, today) -> tuple[AdverseEvent, ...]:
    events = []
    for field, entry in _entries(r, root, "adverse_events", required=False):
        when = r.date(entry, "date", f"{field}.date", today=today)
        kind = r.choice(entry, "kind", f"{field}.kind", ADVERSE_EVENT_KINDS, None)
        if entry.get("kind") is None:
            r.fail(f"{field}.kind", "required", "obligatoire")
        declared = r.date(entry, "declared", f"{field}.declared", False, today)
        r.add(_declared_problems(field, when, declared))
        if when is not None and kind is not None:
            events.append(AdverseEvent(when, kind, declared))
    return tuple(sorted(events, key=lambda e: e.date))


def check_course(course: Course) -> list[Problem]:
    """What `parse_course` would list for the same course given as a document, for a caller
    that builds the typed course itself (the web app, from its records): same checks, same
    fields, same messages. An empty list: the course may be advised. Required values the
    caller could not give are None (a patient without a measurement: weight_kg None)."""
    problems: list[Problem] = []
    today, p = course.today, course.patient

    def required(field: str, value, en: str = "required", fr: str = "obligatoire") -> bool:
        if value is None:
            problems.append(Problem(field, en, fr))
        return value is not None

    def choice(field: str, key: str, value, allowed) -> None:
        if value is not None and value not in allowed:
            listed = ", ".join(allowed)
            problems.append(Problem(field, f"unknown {key} {value!r} (expected one of: {listed})",
                                    f"{key} inconnu {value!r} (valeurs possibles : {listed})"))

    def day(field: str, value: date | None, must: bool = False) -> None:
        if value is None:
            if must:
                required(field, None, "required (YYYY-MM-DD)", "obligatoire (AAAA-MM-JJ)")
            return
        problems.extend(_after_today(field, value, today))

    def measure(field: str, value: float | None, unit: str) -> float | None:
        if not required(field, value):
            return None
        wrong = _sign(field, value, unit, positive=True)
        problems.extend(wrong)
        return None if wrong else value

    required("today", today, "required (YYYY-MM-DD)", "obligatoire (AAAA-MM-JJ)")
    if required("patient", p):
        required("patient.birth_date", p.birth_date, "required (YYYY-MM-DD)",
                 "obligatoire (AAAA-MM-JJ)")
        problems.extend(_body_problems(p.birth_date, today, None, None, {}))
        weight = measure("patient.weight_kg", p.weight_kg, " kg")
        height = measure("patient.height_cm", p.height_cm, " cm")
        problems.extend(_body_problems(None, None, weight, height,
                                       {"weight_kg": "weight_kg", "height_cm": "height_cm"}))
        day("patient.diagnosis_date", p.diagnosis_date)
        if p.diagnosis_date and p.birth_date and p.diagnosis_date < p.birth_date:
            problems.append(_before_birth("patient.diagnosis_date"))
        if p.sex is not None and p.sex not in SEXES.values():
            problems.append(Problem("patient.sex", f"unknown sex {p.sex!r} (expected F or M)",
                                    f"sexe inconnu {p.sex!r} (valeurs possibles : F ou M)"))
        choice("patient.bsa_formula", "bsa_formula", p.bsa_formula, tuple(FORMULAS))
        choice("patient.itp_phase", "itp_phase", p.itp_phase, ITP_PHASES)
        for key in ("sirolimus_hypersensitivity", "prolonged_corticosteroids",
                    "immunodeficiency"):
            required(f"patient.{key}", getattr(p, key), "required (true or false)",
                     "obligatoire (true ou false)")
    choice("form", "form", course.form, FORMS)
    taken: set[date] = set()
    for i, dose in enumerate(course.doses):
        field = f"doses[{i}]"
        day(f"{field}.start", dose.start, must=True)
        problems.extend(_sign(f"{field}.mg_per_day", dose.mg_per_day, " mg"))
        problems.extend(_dose_problems(field, dose.start, dose.mg_per_day, dose.stop,
                                       p.birth_date if p else None, taken))
        choice(f"{field}.form", "form", dose.form, FORMS)
        problems.extend(_dose_form_problems(field, dose.mg_per_day, dose.form))
        taken.add(dose.start)
    for i, trough in enumerate(course.troughs):
        day(f"troughs[{i}].date", trough.date, must=True)
        problems.extend(_sign(f"troughs[{i}].value", trough.ng_ml))
        problems.extend(_trough_plausible(f"troughs[{i}]", trough.ng_ml))
        if trough.assay is not None and trough.assay not in ASSAYS.values():
            problems.append(Problem(
                f"troughs[{i}].assay",
                f"unknown assay {trough.assay!r} (expected LC-MS/MS or immunoassay)",
                f"technique inconnue {trough.assay!r} (valeurs possibles : LC-MS/MS ou "
                "immunoassay)"))
    for i, count in enumerate(course.platelets):
        day(f"platelets[{i}].date", count.date, must=True)
        problems.extend(_sign(f"platelets[{i}].value", count.g_per_l))
        problems.extend(_platelets_plausible(f"platelets[{i}]", count.g_per_l))
    for key in ("cbc", "lipids", "blood_pressure"):
        day(f"workup.{key}", getattr(course.workup, key))
    for i, event in enumerate(course.adverse_events):
        field = f"adverse_events[{i}]"
        day(f"{field}.date", event.date, must=True)
        if required(f"{field}.kind", event.kind):
            choice(f"{field}.kind", "kind", event.kind, ADVERSE_EVENT_KINDS)
        day(f"{field}.declared", event.declared)
        problems.extend(_declared_problems(field, event.date, event.declared))
    return problems


def course_document(course: Course) -> dict:
    """The document `parse_course` reads back as `course` (for the command line: a caller
    that built a typed course can hand it to `python -m protocol advise`). Unknown values
    (None) are left out, as the contract reads an absent optional field as unknown."""
    p = course.patient

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    def dropped(document: dict) -> dict:
        return {k: v for k, v in document.items() if v is not None}

    return dropped({
        "today": iso(course.today),
        "patient": dropped({
            "birth_date": iso(p.birth_date), "weight_kg": p.weight_kg,
            "height_cm": p.height_cm, "bsa_formula": p.bsa_formula, "itp_phase": p.itp_phase,
            "diagnosis_date": iso(p.diagnosis_date), "severity_signs": p.severity_signs,
            "allergies": list(p.allergies),
            "sirolimus_hypersensitivity": p.sirolimus_hypersensitivity,
            "vzv_immune": p.vzv_immune,
            "comedications": [dropped({"name": c.name, "start": iso(c.start),
                                       "end": iso(c.end)}) for c in p.comedication_history]
            if p.comedication_history else list(p.comedications),
            "hepatic_impairment": p.hepatic_impairment,
            "prolonged_corticosteroids": p.prolonged_corticosteroids,
            "immunodeficiency": p.immunodeficiency, "sex": p.sex, "evans": p.evans,
            "alps_features": p.alps_features, "other_autoimmunity": p.other_autoimmunity,
            "workup_updated": p.workup_updated,
            "obs_cerevance_registered": p.obs_cerevance_registered,
        }),
        "form": course.form,
        "doses": [dropped({"start": iso(d.start), "mg_per_day": float(d.mg_per_day),
                           "stop": d.stop or None, "form": d.form}) for d in course.doses],
        "troughs": [dropped({"date": iso(t.date), "value": t.value, "unit": t.unit,
                             "assay": t.assay, "ref": t.ref}) for t in course.troughs],
        "platelets": [dropped({"date": iso(c.date), "value": c.g_per_l, "unit": "G/L",
                               "bleeding": c.bleeding, "ref": c.ref}) for c in course.platelets],
        "workup": dropped({"cbc": iso(course.workup.cbc), "lipids": iso(course.workup.lipids),
                           "blood_pressure": iso(course.workup.blood_pressure)}),
        "adverse_events": [dropped({"date": iso(e.date), "kind": e.kind,
                                    "declared": iso(e.declared)})
                           for e in course.adverse_events],
        "records": [dropped({"kind": r.kind, "date": iso(r.date), "ref": r.ref,
                             "label": r.label, "due": iso(r.due)}) for r in course.records]
        or None,
    })
