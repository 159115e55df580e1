"""The FHIR R4B view of a patient (Patient/{id}/$everything), built as plain data and
validated by `fhir.resources` before it leaves: what is sent always parses."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from sirolimus_app.models import LabResult, Patient, Prescription

from .mapping import LOINC_HEIGHT, LOINC_SYSTEM, LOINC_WEIGHT, UCUM_SYSTEM

Status = Prescription.Status
# The prescription's life cycle in MedicationRequest.status / intent.
MEDICATION_STATUS = {
    Status.PROPOSED: "draft",  # awaiting the pharmacist
    Status.VALIDATED: "active",  # validated, not started yet
    Status.REJECTED: "cancelled",
    Status.ACTIVE: "active",
    Status.SUSPENDED: "on-hold",
    Status.STOPPED: "stopped",
    Status.REPLACED: "completed",  # ended by the next dose
}
SIROLIMUS = {"coding": [{"system": "http://www.whocc.no/atc", "code": "L04AA10",
                         "display": "sirolimus"}], "text": "sirolimus (Rapamune®)"}
_LAB = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory"}]}
_VITAL = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "vital-signs"}]}


def _quantity(value: Decimal, ucum: str) -> dict:
    return {"value": float(value), "unit": ucum, "system": UCUM_SYSTEM, "code": ucum}


def _name(user) -> str:
    return user.get_full_name() or user.username


def patient_resource(patient: Patient) -> dict:
    # The hospital number only: the INS is not sent until the identity is qualified.
    return {
        "resourceType": "Patient", "id": str(patient.pk),
        "identifier": [{"use": "usual", "system": settings.INTEROP_IDENTIFIER_SYSTEM,
                        "value": patient.hospital_number,
                        "type": {"coding": [{
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "PI"}]}}],
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "gender": {"F": "female", "M": "male"}[patient.sex],
        "birthDate": patient.birth_date.isoformat(),
    }


def _tablets(tablets: dict | None) -> str:
    return " + ".join(f"{count} cp à {strength} mg" for strength, count in
                      sorted((tablets or {}).items(), key=lambda t: -Decimal(t[0])))


def medication_request(prescription: Prescription, subject: str) -> dict:
    mg = prescription.mg_per_day.normalize()
    dose = [{"type": {"text": "mg par jour"}, "doseQuantity": _quantity(mg, "mg")}]
    if prescription.form == Patient.Form.SOLUTION and prescription.volume_ml:
        dose.append({"type": {"text": "solution buvable 1 mg/ml"},
                     "doseQuantity": _quantity(prescription.volume_ml.normalize(), "mL")})
        given = f"{prescription.volume_ml.normalize()} ml de solution buvable 1 mg/ml"
    else:
        given = _tablets(prescription.tablets)
    bounds = {"start": prescription.start_date.isoformat()}
    if prescription.end_date:
        bounds["end"] = prescription.end_date.isoformat()
    resource = {
        "resourceType": "MedicationRequest", "id": f"prescription-{prescription.pk}",
        "status": MEDICATION_STATUS[prescription.status],
        "intent": "proposal" if prescription.status == Status.PROPOSED else "order",
        "medicationCodeableConcept": SIROLIMUS, "subject": {"reference": subject},
        "authoredOn": prescription.proposed_at.isoformat(),
        "requester": {"display": _name(prescription.proposed_by)},
        "dosageInstruction": [{
            "text": f"{mg} mg/j" + (f" : {given}" if given else ""),
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d",
                                  "boundsPeriod": bounds}},
            "doseAndRate": dose}],
    }
    if prescription.reviewed_by is not None:
        # R4B has no "verified by" on MedicationRequest: the pharmacist's review is a note.
        verdict = ("Refusée" if prescription.status == Status.REJECTED else "Validée")
        text = f"{verdict} par la pharmacie ({_name(prescription.reviewed_by)})"
        if prescription.rejection_reason:
            text += f" : {prescription.rejection_reason}"
            resource["statusReason"] = {"text": prescription.rejection_reason}
        resource["note"] = [{"authorString": _name(prescription.reviewed_by),
                             "time": prescription.reviewed_at.isoformat(), "text": text}]
    return resource


def _observation(ident: str, subject: str, loinc: str, display: str, when: str,
                 quantity: dict, category: dict) -> dict:
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "category": [category],
            "code": {"coding": [{"system": LOINC_SYSTEM, "code": loinc, "display": display}]},
            "subject": {"reference": subject}, "effectiveDateTime": when,
            "valueQuantity": quantity}


def observations(patient: Patient, subject: str) -> list[dict]:
    found = [_observation(f"trough-{t.pk}", subject, "29247-4",
                          "Sirolimus [Mass/volume] in Blood", t.sampled_at.isoformat(),
                          _quantity(t.value_ng_ml.normalize(), "ng/mL"), _LAB)
             for t in patient.troughs.all()]
    found += [_observation(f"lab-{lab.pk}", subject, "26515-7",
                           "Platelets [#/volume] in Blood", lab.sampled_at.isoformat(),
                           _quantity(lab.value_canonical.normalize(), "10*9/L"), _LAB)
              for lab in patient.lab_results.all() if lab.kind == LabResult.Kind.PLATELETS]
    for m in patient.measurements.all():
        day = m.measured_on.isoformat()
        found.append(_observation(f"weight-{m.pk}", subject, LOINC_WEIGHT, "Body weight", day,
                                  _quantity(m.weight_kg.normalize(), "kg"), _VITAL))
        found.append(_observation(f"height-{m.pk}", subject, LOINC_HEIGHT, "Body height", day,
                                  _quantity(m.height_cm.normalize(), "cm"), _VITAL))
    return found


def everything(patient: Patient) -> dict:
    """The searchset Bundle, checked by fhir.resources (ValueError if it were not valid).
    Expects the patient fetched with prefetch_clinical(with_authors=True)."""
    subject = f"Patient/{patient.pk}"
    resources = [patient_resource(patient),
                 *(medication_request(p, subject) for p in patient.prescriptions.all()),
                 *observations(patient, subject)]
    bundle = {
        "resourceType": "Bundle", "type": "searchset", "total": len(resources),
        "timestamp": timezone.now().isoformat(),
        "entry": [{"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in resources],
    }
    get_fhir_model_class("Bundle").model_validate(bundle)
    return bundle
