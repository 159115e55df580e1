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


@dataclass(frozen=True)
class PlateletCount:
    date: date
    g_per_l: float
    bleeding: bool = False


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
class Course:
    today: date
    patient: Patient
    form: str
    doses: tuple[DoseEntry, ...]  # sorted by start
    troughs: tuple[Trough, ...]  # sorted by date
    platelets: tuple[PlateletCount, ...]  # sorted by date
    workup: Workup
    adverse_events: tuple[AdverseEvent, ...]  # sorted by date


_MISSING = object()


class _Reader:
    """Typed getters that record a Problem and return None instead of raising."""

    def __init__(self):
        self.problems: list[Problem] = []

    def fail(self, field: str, en: str, fr: str) -> None:
        self.problems.append(Problem(field, en, fr))

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
        if today is not None and parsed > today:
            self.fail(
                field,
                f"after today ({date_en(today)})",
                f"postérieure à aujourd'hui ({date_fr(today)})",
            )
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
        if value < 0 or (positive and value == 0):
            sign = ">" if positive else "≥"
            self.fail(
                field,
                f"must be {sign} 0{unit}, got {num_en(value)}",
                f"doit être {sign} 0{unit}, reçu {num_fr(value)}",
            )
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
    if r.problems:
        raise CourseError(r.problems)
    return Course(today, patient, form, doses, troughs, platelets, workup, events)


def _patient(r: _Reader, p: dict | None, today: date | None) -> Patient | None:
    if p is None:
        return None
    birth = r.date(p, "birth_date", "patient.birth_date")
    if birth is not None and today is not None:
        for problem in age_problems(birth, today):
            r.fail(f"patient.{problem.field}", problem.message_en, problem.message_fr)
    weight, weight_field = r.body_measure(p, "weight", MASS)
    height, height_field = r.body_measure(p, "height", LENGTH)
    if weight is not None and height is not None:
        fields = {"weight_kg": weight_field, "height_cm": height_field}
        for problem in plausibility(weight, height):
            r.fail(f"patient.{fields[problem.field]}", problem.message_en, problem.message_fr)
    diagnosis = r.date(p, "diagnosis_date", "patient.diagnosis_date", False, today)
    if diagnosis and birth and diagnosis < birth:
        r.fail("patient.diagnosis_date", "before the birth date", "antérieure à la naissance")
    sex = p.get("sex")
    if sex is not None and (not isinstance(sex, str) or sex.strip().lower() not in SEXES):
        r.fail(
            "patient.sex",
            f"unknown sex {sex!r} (expected F or M)",
            f"sexe inconnu {sex!r} (valeurs possibles : F ou M)",
        )
        sex = None

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
        comedications=r.words(p, "comedications", "patient.comedications", "comedications"),
        prolonged_corticosteroids=required_flag("prolonged_corticosteroids"),
        immunodeficiency=required_flag("immunodeficiency"),
        sex=SEXES[sex.strip().lower()] if isinstance(sex, str) else None,
        evans=flag("evans"),
        alps_features=flag("alps_features"),
        other_autoimmunity=flag("other_autoimmunity"),
        workup_updated=flag("workup_updated"),
        obs_cerevance_registered=flag("obs_cerevance_registered"),
    )


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
        if form == TABLETS and mg is not None and Decimal(repr(mg)) % TABLET_STEP_MG:
            r.fail(
                f"{field}.mg_per_day",
                f"{num_en(mg)} mg cannot be given with whole 0.5 mg tablets",
                f"{num_fr(mg)} mg n'est pas réalisable en comprimés entiers de 0,5 mg",
            )
        if stop and mg:
            r.fail(
                f"{field}.stop",
                "a definitive stop needs mg_per_day 0",
                "un arrêt définitif demande mg_per_day 0",
            )
        if start and patient and patient.birth_date and start < patient.birth_date:
            r.fail(f"{field}.start", "before the birth date", "antérieure à la naissance")
        elif start in doses:
            r.fail(
                f"{field}.start",
                f"another dose entry already starts on {date_en(start)}",
                f"une autre ligne de dose commence déjà le {date_fr(start)}",
            )
        elif start is not None and mg is not None:
            doses[start] = DoseEntry(start, Decimal(repr(mg)), bool(stop), form)
    return tuple(sorted(doses.values(), key=lambda d: d.start))


def _troughs(r: _Reader, root: dict, today) -> tuple[Trough, ...]:
    troughs = []
    for field, entry in _entries(r, root, "troughs"):
        when = r.date(entry, "date", f"{field}.date", today=today)
        ng_ml = r.quantity(entry, "value", "unit", field, CONCENTRATION)
        if ng_ml is not None and ng_ml > MAX_TROUGH_NG_ML:
            r.fail(
                f"{field}.value",
                f"{num_en(ng_ml, 3)} ng/ml is not a plausible sirolimus trough (check the value "
                "and its unit)",
                f"{num_fr(ng_ml, 3)} ng/ml n'est pas un résiduel de sirolimus plausible (vérifier "
                "la valeur et l'unité)",
            )
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
        if when is not None and ng_ml is not None:
            troughs.append(Trough(when, ng_ml, entry["value"], entry["unit"].strip(), assay))
    return tuple(sorted(troughs, key=lambda t: t.date))


def _platelets(r: _Reader, root: dict, today) -> tuple[PlateletCount, ...]:
    counts = []
    for field, entry in _entries(r, root, "platelets"):
        when = r.date(entry, "date", f"{field}.date", today=today)
        g_per_l = r.quantity(entry, "value", "unit", field, PLATELETS)
        if g_per_l is not None and g_per_l > MAX_PLATELETS_G_L:
            r.fail(
                f"{field}.value",
                f"{num_en(g_per_l, 3)} G/L is not a plausible platelet count (check the value and "
                "its unit)",
                f"{num_fr(g_per_l, 3)} G/L n'est pas une numération plaquettaire plausible "
                "(vérifier la valeur et l'unité)",
            )
            g_per_l = None
        bleeding = r.boolean(entry, "bleeding", f"{field}.bleeding", False)
        if when is not None and g_per_l is not None:
            counts.append(PlateletCount(when, g_per_l, bool(bleeding)))
    return tuple(sorted(counts, key=lambda c: c.date))


def _adverse_events(r: _Reader, root: dict, today) -> tuple[AdverseEvent, ...]:
    events = []
    for field, entry in _entries(r, root, "adverse_events", required=False):
        when = r.date(entry, "date", f"{field}.date", today=today)
        kind = r.choice(entry, "kind", f"{field}.kind", ADVERSE_EVENT_KINDS, None)
        if entry.get("kind") is None:
            r.fail(f"{field}.kind", "required", "obligatoire")
        declared = r.date(entry, "declared", f"{field}.declared", False, today)
        if declared and when and declared < when:
            r.fail(
                f"{field}.declared", "before the adverse event", "antérieure à l'effet indésirable"
            )
        if when is not None and kind is not None:
            events.append(AdverseEvent(when, kind, declared))
    return tuple(sorted(events, key=lambda e: e.date))
