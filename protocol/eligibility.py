"""Eligibility before the start (indication, contraindications, forbidden combination, work-up),
and the contraindications that still hold once sirolimus has been started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .course import Course, Patient
from .dates import add_months
from .rules import rule
from .substances import IMMUNOSUPPRESSANTS, SIROLIMUS, SOY_PEANUT, find
from .text import date_en, date_fr

OK, MISSING, BLOCKING, INFO = "ok", "missing", "blocking", "info"
NEWLY_DIAGNOSED, PERSISTENT, CHRONIC = "newly_diagnosed", "persistent", "chronic"
_PHASE_TEXT = {
    NEWLY_DIAGNOSED: ("newly diagnosed", "nouvellement diagnostiqué"),
    PERSISTENT: ("persistent", "persistant"),
    CHRONIC: ("chronic", "chronique"),
}


@dataclass(frozen=True)
class Check:
    rule: str
    status: str  # ok | missing | blocking | info
    message_en: str
    message_fr: str
    # The course fields a missing/blocking check lacks, as contract paths ("workup.cbc"): the
    # app maps a path to the form that edits it, never the rule or the sentence.
    missing: tuple[str, ...] = ()

    def __post_init__(self):
        rule(self.rule)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "status": self.status,
            "message_en": self.message_en,
            "message_fr": self.message_fr,
            "missing": list(self.missing),
        }


def derived_phase(diagnosis: date, on: date) -> str:
    """IWG (Rodeghiero, Blood 2009): < 3 months newly diagnosed, 3–12 persistent, > 12 chronic."""
    if on < add_months(diagnosis, 3):
        return NEWLY_DIAGNOSED
    return PERSISTENT if on <= add_months(diagnosis, 12) else CHRONIC


def itp_phase(patient: Patient, on: date) -> str | None:
    """The phase stated, else the one derived from the diagnosis date on `on`."""
    if patient.itp_phase:
        return patient.itp_phase
    return derived_phase(patient.diagnosis_date, on) if patient.diagnosis_date else None


def checks(course: Course, start: date | None) -> list[Check]:
    """All checks; `start` is the first day of sirolimus, None when not started."""
    p = course.patient
    found = _indication(p, course.today) if start is None else [_indication_started(p, start)]
    found.append(_good_candidate(p, itp_phase(p, start or course.today)))
    found += _contraindications(p)
    if start is None:
        found += _workup(course)
    return found


def phase_warnings(p: Patient, start: date | None) -> list[tuple[str, str]]:
    """ELIG-INDICATION warnings (English, French): a start during the newly diagnosed phase
    derived from the diagnosis date (before the start that phase blocks, see `_indication`), and
    a stated phase that the diagnosis date contradicts."""
    if p.diagnosis_date is None:
        return []
    found = []
    if start is not None and derived_phase(p.diagnosis_date, start) == NEWLY_DIAGNOSED:
        days = (start - p.diagnosis_date).days
        found.append(
            (
                f"Sirolimus was started on {date_en(start)}, {days} days after the diagnosis "
                f"({date_en(p.diagnosis_date)}): newly diagnosed ITP (< 3 months), outside the "
                "indication (persistent or chronic ITP).",
                f"Sirolimus débuté le {date_fr(start)}, {days} jours après le diagnostic "
                f"({date_fr(p.diagnosis_date)}) : PTI nouvellement diagnostiqué (< 3 mois), hors "
                "indication (PTI persistant ou chronique).",
            )
        )
    on = start
    if (
        on is not None
        and p.itp_phase
        and derived_phase(on=on, diagnosis=p.diagnosis_date) != p.itp_phase
    ):
        derived = _PHASE_TEXT[derived_phase(p.diagnosis_date, on)]
        stated = _PHASE_TEXT[p.itp_phase]
        found.append(
            (
                f"The stated ITP phase ({stated[0]}) contradicts the diagnosis date "
                f"({date_en(p.diagnosis_date)}: {derived[0]} at the start): check both.",
                f"La phase du PTI indiquée ({stated[1]}) contredit la date de diagnostic "
                f"({date_fr(p.diagnosis_date)} : {derived[1]} au début) : vérifier les deux.",
            )
        )
    return found


def _indication(p: Patient, today: date) -> list[Check]:
    phase = itp_phase(p, today)
    if p.diagnosis_date and derived_phase(p.diagnosis_date, today) == NEWLY_DIAGNOSED:
        phase = NEWLY_DIAGNOSED  # the diagnosis date wins over a stated later phase
    found = []
    if p.itp_phase and p.diagnosis_date and derived_phase(p.diagnosis_date, today) != p.itp_phase:
        derived = _PHASE_TEXT[derived_phase(p.diagnosis_date, today)]
        found.append(
            Check(
                "ELIG-INDICATION",
                MISSING,
                f"the stated ITP phase contradicts the diagnosis date ({derived[0]}): check both "
                "(a newly diagnosed phase from the date is never overridden)",
                f"la phase indiquée contredit la date de diagnostic ({derived[1]}) : vérifier les "
                "deux (une phase nouvellement diagnostiquée d'après la date prime toujours)",
                ("patient.itp_phase", "patient.diagnosis_date"),
            )
        )
    if phase is None:
        found.append(
            Check(
                "ELIG-INDICATION",
                MISSING,
                "ITP phase not given (itp_phase or diagnosis_date): the indication needs "
                "persistent or chronic ITP",
                "phase du PTI non renseignée (itp_phase ou diagnosis_date) : l'indication exige "
                "un PTI persistant ou chronique",
                ("patient.diagnosis_date",),
            )
        )
    elif phase == NEWLY_DIAGNOSED:
        found.append(
            Check(
                "ELIG-INDICATION",
                BLOCKING,
                "newly diagnosed ITP (< 3 months): outside the indication, which is persistent "
                "or chronic ITP",
                "PTI nouvellement diagnostiqué (< 3 mois) : hors indication (PTI persistant ou "
                "chronique)",
                ("patient.diagnosis_date",),
            )
        )
    else:
        en, fr = _PHASE_TEXT[phase]
        found.append(Check("ELIG-INDICATION", OK, f"{en} ITP", f"PTI {fr}"))
    found.append(
        _stated(
            p.severity_signs,
            "patient.severity_signs",
            "clinical or haematological severity signs",
            "signes de gravité cliniques ou hématologiques",
        )
    )
    found.append(
        _stated(
            p.workup_updated,
            "patient.workup_updated",
            "aetiological work-up updated (differential diagnosis, secondary ITP)",
            "enquête étiologique réactualisée (diagnostic différentiel, PTI secondaire)",
        )
    )
    return found


def _stated(value: bool | None, path: str, what_en: str, what_fr: str) -> Check:
    if value is None:
        return Check(
            "ELIG-INDICATION",
            MISSING,
            f"not stated: {what_en} (required by the indication)",
            f"non renseigné : {what_fr} (exigé par l'indication)",
            (path,),
        )
    if not value:
        return Check(
            "ELIG-INDICATION",
            BLOCKING,
            f"missing: {what_en}, required by the indication",
            f"absent : {what_fr}, exigé par l'indication",
            (path,),
        )
    return Check("ELIG-INDICATION", OK, what_en, what_fr)


def _indication_started(p: Patient, start: date) -> Check:
    phase = itp_phase(p, start)
    en, fr = _PHASE_TEXT.get(phase, ("not stated", "non renseignée"))
    return Check(
        "ELIG-INDICATION",
        INFO,
        f"treatment started on {date_en(start)}; ITP phase at the start: {en}",
        f"traitement débuté le {date_fr(start)} ; phase du PTI au début : {fr}",
    )


def _good_candidate(p: Patient, phase: str | None) -> Check:
    features = [
        (en, fr)
        for flag, en, fr in (
            (p.alps_features, "ALPS or ALPS-like features", "signes ALPS ou « ALPS-like »"),
            (p.evans, "Evans syndrome", "syndrome d'Evans"),
            (
                p.other_autoimmunity,
                "another autoimmune manifestation",
                "autre manifestation auto-immune",
            ),
        )
        if flag
    ]
    if phase == CHRONIC and features:
        return Check(
            "ELIG-GOOD-CANDIDATE",
            INFO,
            "good candidate: chronic ITP with " + ", ".join(en for en, _ in features),
            "bon candidat : PTIC avec " + ", ".join(fr for _, fr in features),
        )
    return Check(
        "ELIG-GOOD-CANDIDATE",
        INFO,
        "no good-candidate profile recorded (chronic ITP with ALPS/ALPS-like features, Evans "
        "syndrome or other autoimmunity); not a contraindication",
        "pas de profil de bon candidat renseigné (PTIC avec signes ALPS/ALPS-like, Evans ou "
        "autre auto-immunité) ; ce n'est pas une contre-indication",
    )


def _contraindications(p: Patient) -> list[Check]:
    found = []
    named = [text for text, _ in find(SIROLIMUS, p.allergies)]
    if p.sirolimus_hypersensitivity or named:
        found.append(
            Check(
                "CI-HYPERSENSITIVITY",
                BLOCKING,
                "hypersensitivity to sirolimus: contraindicated",
                "hypersensibilité au sirolimus : contre-indication",
                (("patient.sirolimus_hypersensitivity",) if p.sirolimus_hypersensitivity else ())
                + (("patient.allergies",) if named else ()),
            )
        )
    else:
        found.append(
            Check(
                "CI-HYPERSENSITIVITY",
                OK,
                "no known hypersensitivity to sirolimus",
                "pas d'hypersensibilité connue au sirolimus",
            )
        )
    allergies = find(SOY_PEANUT, p.allergies)
    if allergies:
        listed = ", ".join(sorted({f"'{text}' ({s.name_en})" for text, s in allergies}))
        listed_fr = ", ".join(sorted({f"« {text} » ({s.name_fr})" for text, s in allergies}))
        found.append(
            Check(
                "CI-SOY-PEANUT",
                BLOCKING,
                f"soy or peanut allergy: {listed}: contraindicated",
                f"allergie au soja ou à l'arachide : {listed_fr} : contre-indication",
                ("patient.allergies",),
            )
        )
    else:
        found.append(
            Check(
                "CI-SOY-PEANUT",
                OK,
                "no soy or peanut allergy recorded",
                "pas d'allergie au soja ou à l'arachide renseignée",
            )
        )
    # The source says "in chronic ITP"; the same ban is applied in persistent ITP, the
    # combination being no safer there.
    others = find(IMMUNOSUPPRESSANTS, p.comedications)
    for text, substance in others:
        found.append(
            Check(
                "NO-OTHER-IS",
                BLOCKING,
                f"'{text}' ({substance.name_en}) is another immunosuppressant: never combined "
                "with sirolimus in ITP",
                f"« {text} » ({substance.name_fr}) est un autre immunosuppresseur : jamais "
                "associé au sirolimus dans le PTI",
                ("patient.comedications",),
            )
        )
    if not others:
        found.append(
            Check(
                "NO-OTHER-IS",
                OK,
                "no other immunosuppressant among the co-medications",
                "pas d'autre immunosuppresseur parmi les co-médications",
            )
        )
    return found


def _workup(course: Course) -> list[Check]:
    items = (
        ("cbc", "complete blood count", "NFS"),
        ("lipids", "lipid panel", "bilan lipidique"),
        ("blood_pressure", "blood pressure", "tension artérielle"),
    )
    found = []
    for key, en, fr in items:
        done = getattr(course.workup, key)
        if done is None:
            found.append(
                Check(
                    "PRE-WORKUP",
                    MISSING,
                    f"pre-treatment {en} not recorded: to do before the start",
                    f"{fr} pré-thérapeutique non renseigné(e) : à faire avant le début",
                    (f"workup.{key}",),
                )
            )
        else:
            found.append(
                Check(
                    "PRE-WORKUP",
                    OK,
                    f"pre-treatment {en} on {date_en(done)}",
                    f"{fr} pré-thérapeutique le {date_fr(done)}",
                )
            )
    return found
