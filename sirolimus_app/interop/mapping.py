"""One shape for a received result, whatever the format: codes, units, time, patient.

Codes: LOINC, plus the laboratory's local codes from settings.INTEROP_LOCAL_CODES. Units are
read as UCUM and converted with the engine's units (protocol.units, pint underneath) into a
unit the record models accept; a unit that does not fit the test stops the message (the
laboratory's interface is misconfigured: it must know at once, by its ACK).
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from protocol import units
from sirolimus_app.models import InboundResult

Kind = InboundResult.Kind

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
LOINC = {
    "29247-4": Kind.SIROLIMUS,  # Sirolimus [Mass/volume] in Blood
    "777-3": Kind.PLATELETS,  # Platelets [#/volume] in Blood by Automated count
    "26515-7": Kind.PLATELETS,  # Platelets [#/volume] in Blood
    "2093-3": Kind.CHOLESTEROL,  # Cholesterol [Mass/volume] in Serum or Plasma
    "14647-2": Kind.CHOLESTEROL,  # Cholesterol [Moles/volume] in Serum or Plasma
    "2571-8": Kind.TRIGLYCERIDES,  # Triglyceride [Mass/volume] in Serum or Plasma
    "14927-8": Kind.TRIGLYCERIDES,  # Triglyceride [Moles/volume] in Serum or Plasma
}
# For the FHIR view of a patient.
LOINC_WEIGHT, LOINC_HEIGHT = "29463-7", "8302-2"

# UCUM spellings the records keep as they are (TroughLevel.Unit, LabResult units); any other
# unit of the right dimension is converted to the canonical one.
_KEPT = {
    Kind.SIROLIMUS: {"ng/mL": "ng/ml", "ug/L": "µg/l", "nmol/L": "nmol/l"},
    Kind.PLATELETS: {"10*9/L": "G/L", "10*3/uL": "G/L", "10*3/mm3": "G/L"},
    Kind.CHOLESTEROL: {"mmol/L": "mmol/L", "g/L": "g/L"},
    Kind.TRIGLYCERIDES: {"mmol/L": "mmol/L", "g/L": "g/L"},
}
_ENGINE_KINDS = {Kind.SIROLIMUS: units.CONCENTRATION, Kind.PLATELETS: units.PLATELETS}
# Lipids in mg/dL (common on American analysers) are g/L × 100.
_LIPID_MG_DL = Decimal("0.01")

# Values outside these (in the canonical unit) go to a haematologist before any record is
# made: the trials found "15 /mm³" stored as 0.015 G/L.
PLAUSIBLE = {
    Kind.SIROLIMUS: (Decimal(0), Decimal(100)),  # ng/ml
    Kind.PLATELETS: (Decimal(0), Decimal(1500)),  # G/L
    Kind.CHOLESTEROL: (Decimal("0.5"), Decimal(20)),  # mmol/L
    Kind.TRIGLYCERIDES: (Decimal("0.1"), Decimal(50)),  # mmol/L
}
_MAX_VALUE = Decimal(10) ** 7  # InboundResult.value: 9 digits, 2 decimals
_G_PER_L_TO_MMOL = {Kind.CHOLESTEROL: Decimal("2.586"), Kind.TRIGLYCERIDES: Decimal("1.129")}
CANONICAL_UNIT = {Kind.SIROLIMUS: "ng/ml", Kind.PLATELETS: "G/L",
                  Kind.CHOLESTEROL: "mmol/L", Kind.TRIGLYCERIDES: "mmol/L"}


class MessageError(Exception):
    """A message that cannot be imported as it is; `reject` for one this application never
    takes (HL7 AR), otherwise an error the sender can fix and send again (AE)."""

    def __init__(self, reason: str, *, reject: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.reject = reject
        # What could be read before the error, stored with the failed message.
        self.control_id = ""
        self.sender = ""

    def of(self, control_id: str, sender: str) -> None:
        self.control_id, self.sender = control_id, sender


@dataclass(frozen=True)
class PatientIdentity:
    hospital_number: str  # "" when no identifier of this hospital's authority came
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None


@dataclass(frozen=True)
class Result:
    identity: str  # order and test (or resource identifier): what a correction shares
    kind: str
    code: str
    value: Decimal  # as received
    unit: str  # UCUM as received
    sampled_at: datetime
    corrected: bool
    patient: PatientIdentity


@dataclass
class Inbound:
    """A message read: its control ID, who sent it, its results and what was left aside."""

    control_id: str
    sender: str
    results: list[Result] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def local_codes() -> dict[str, str]:
    codes = dict(settings.INTEROP_LOCAL_CODES)
    unknown = set(codes.values()) - set(Kind.values)
    if unknown:
        raise ImproperlyConfigured(f"INTEROP_LOCAL_CODES: unknown kinds {sorted(unknown)}")
    return codes


def kind_for(code: str, loinc: bool) -> str | None:
    """The test a code names: LOINC when the sender says so, else a local code."""
    return LOINC.get(code) if loinc else local_codes().get(code)


def number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite():
        raise MessageError(f"valeur non numérique pour {what} : {text!r}")
    if value < 0:
        raise MessageError(f"valeur négative pour {what} : {text!r}")
    if value >= _MAX_VALUE:
        raise MessageError(f"valeur hors limites pour {what} : {text!r}")
    # Two decimals, as every record keeps them (InboundResult, TroughLevel, LabResult).
    return value.quantize(Decimal("0.01"))


def record_value(kind: str, value: Decimal, unit: str) -> tuple[Decimal, str]:
    """The value and unit to store on the record (TroughLevel / LabResult); MessageError
    when the unit is not one of this test."""
    kept = _KEPT[kind].get(unit.strip())
    if kept is not None:
        return value, kept
    if kind in _ENGINE_KINDS:
        try:
            factor = units.factor(unit, _ENGINE_KINDS[kind])
        except units.UnitError as error:
            raise MessageError(f"unité {unit!r} non reconnue pour {Kind(kind).label}") from error
        return value * factor, CANONICAL_UNIT[kind]
    if unit.strip() == "mg/dL":
        return value * _LIPID_MG_DL, "g/L"
    raise MessageError(f"unité {unit!r} non reconnue pour {Kind(kind).label}")


def canonical(kind: str, value: Decimal, unit: str) -> Decimal:
    """The stored value (from record_value) in the unit PLAUSIBLE is written in."""
    if kind in _ENGINE_KINDS:
        return value * units.factor(unit, _ENGINE_KINDS[kind])
    return value * _G_PER_L_TO_MMOL[kind] if unit == "g/L" else value


def doubts(result: Result, patient) -> list[str]:
    """Why this result must be seen by a haematologist before it is recorded (French)."""
    reasons = []
    value, unit = record_value(result.kind, result.value, result.unit)
    low, high = PLAUSIBLE[result.kind]
    if not low <= canonical(result.kind, value, unit) <= high:
        shown = format(result.value.normalize(), "f")  # 15000, not 15000.00 nor 1.5E+4
        reasons.append(f"valeur peu plausible : {shown} {result.unit}")
    if result.sampled_at > timezone.now() + timedelta(hours=1):
        reasons.append("date de prélèvement dans le futur")
    if patient is not None and timezone.localdate(result.sampled_at) < patient.birth_date:
        reasons.append("prélèvement antérieur à la naissance")
    return reasons


def _folded(name: str) -> str:
    """Names compared without accents, case, spaces, hyphens or apostrophes."""
    text = unicodedata.normalize("NFKD", name)
    return "".join(c for c in text if c.isalnum()).upper()


def identity_doubts(received: PatientIdentity, patient) -> list[str]:
    """What in the message does not fit the patient found by hospital number (French)."""
    reasons = []
    if received.birth_date is None:
        reasons.append("date de naissance absente du message")
    elif received.birth_date != patient.birth_date:
        reasons.append(f"date de naissance différente (reçue {received.birth_date:%d/%m/%Y}, "
                       f"dossier {patient.birth_date:%d/%m/%Y})")
    if not received.last_name:
        reasons.append("nom absent du message")
    elif _folded(received.last_name) != _folded(patient.last_name):
        reasons.append(f"nom différent (reçu {received.last_name}, dossier {patient.last_name})")
    if received.first_name and _folded(received.first_name) != _folded(patient.first_name):
        reasons.append(f"prénom différent (reçu {received.first_name}, "
                       f"dossier {patient.first_name})")
    return reasons
