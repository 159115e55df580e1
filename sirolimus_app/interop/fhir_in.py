"""FHIR R4B Observations (alone or in a Bundle) read with `fhir.resources` into Inbound."""

import json
from datetime import datetime

from django.conf import settings
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from .mapping import (
    LOINC_SYSTEM,
    UCUM_SYSTEM,
    Inbound,
    MessageError,
    PatientIdentity,
    Result,
    kind_for,
    number,
)

_RECORDED_STATUSES = {"final": False, "corrected": True, "amended": True}


def parse(raw: str, expected: str | None = None):
    """The resource, validated by fhir.resources; MessageError says what is wrong."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise MessageError(f"JSON illisible : {error}") from error
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in ("Observation", "Bundle") or (expected and kind != expected):
        raise MessageError(f"ressource {kind or '?'} non prise en charge "
                           f"(attendu {expected or 'Observation ou Bundle'})", reject=True)
    try:
        return get_fhir_model_class(kind).model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])} : {e['msg']}"
                             for e in error.errors()[:5])
        raise MessageError(f"{kind} FHIR R4B invalide : {problems}") from error


def reader(expected: str | None = None):
    """A `read` function for importer.receive."""
    return lambda raw: read(raw, expected)


def read(raw: str, expected: str | None = None) -> Inbound:
    resource = parse(raw, expected)
    control_id = resource.id or (resource.identifier.value
                                 if getattr(resource, "identifier", None)
                                 and not isinstance(resource.identifier, list) else None)
    if not control_id:
        raise MessageError(f"identifiant de la ressource {resource.get_resource_type()} "
                           "(id) absent")
    try:
        return _results(resource, Inbound(control_id=control_id, sender=""))
    except MessageError as error:
        error.of(control_id, "")
        raise


def _results(resource, inbound: Inbound) -> Inbound:
    if resource.get_resource_type() == "Observation":
        _observation(resource, {}, inbound)
    else:
        entries = resource.entry or []
        index = {}
        for entry in entries:
            if entry.resource is not None and entry.resource.get_resource_type() == "Patient":
                if entry.fullUrl:
                    index[entry.fullUrl] = entry.resource
                if entry.resource.id:
                    index[f"Patient/{entry.resource.id}"] = entry.resource
        for entry in entries:
            if entry.resource is not None and \
                    entry.resource.get_resource_type() == "Observation":
                _observation(entry.resource, index, inbound)
    if not inbound.results and not inbound.ignored:
        raise MessageError("aucune Observation dans la ressource")
    return inbound


def _observation(observation, patients: dict, inbound: Inbound) -> None:
    name = f"Observation {observation.id or '?'}"
    coding = next(((c.code, c.system == LOINC_SYSTEM) for c in observation.code.coding or []
                   if kind_for(c.code, c.system == LOINC_SYSTEM)), None)
    if coding is None:
        inbound.ignored.append(f"{name} : code non suivi ici")
        return
    if observation.status not in _RECORDED_STATUSES:
        inbound.ignored.append(f"{name} : statut {observation.status} non importé")
        return
    code, loinc = coding
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        raise MessageError(f"{name} : valueQuantity absente")
    unit = quantity.code if quantity.system == UCUM_SYSTEM and quantity.code else quantity.unit
    if not unit:
        raise MessageError(f"{name} : unité absente")
    sampled_at = observation.effectiveDateTime
    if not isinstance(sampled_at, datetime) or sampled_at.tzinfo is None:
        raise MessageError(f"{name} : effectiveDateTime (date et heure du prélèvement) absente")
    identifier = next((f"{i.system}|{i.value}" for i in observation.identifier or []
                       if i.value), None)
    inbound.results.append(Result(
        identity=identifier or f"Observation/{observation.id}",
        kind=kind_for(code, loinc), code=code, value=number(quantity.value, name), unit=unit,
        sampled_at=sampled_at, corrected=_RECORDED_STATUSES[observation.status],
        patient=_patient(observation, patients, name)))


def _patient(observation, patients: dict, name: str) -> PatientIdentity:
    """The subject: a contained Patient (#id), a Patient of the Bundle, or an identifier."""
    subject = observation.subject
    if subject is None:
        raise MessageError(f"{name} : subject (patient) absent")
    resource = None
    if subject.reference and subject.reference.startswith("#"):
        resource = next((r for r in observation.contained or []
                         if r.get_resource_type() == "Patient"
                         and r.id == subject.reference[1:]), None)
    elif subject.reference:
        resource = patients.get(subject.reference)
    identifiers = list(resource.identifier or []) if resource is not None else []
    if subject.identifier is not None:
        identifiers.append(subject.identifier)
    number_ = next((i.value for i in identifiers
                    if i.system == settings.INTEROP_IDENTIFIER_SYSTEM and i.value), "")
    human = (resource.name or [None])[0] if resource is not None else None
    return PatientIdentity(
        hospital_number=number_,
        last_name=(human.family or "") if human else "",
        first_name=((human.given or [""])[0] or "") if human else "",
        birth_date=resource.birthDate if resource is not None else None)
