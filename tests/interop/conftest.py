"""A child on sirolimus and the laboratory's messages about her, as a French hospital
laboratory sends them (HL7 v2.5 ORU^R01, ISO 8859-1 declared, PID-3 with the hospital's
assigning authority; FHIR R4B Observations with a contained Patient)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.test_workflow_data import eligible_patient, on_treatment

SAMPLED = timezone.localdate() - timedelta(days=1)
HL7_TIME = SAMPLED.strftime("%Y%m%d") + "0745"


@pytest.fixture
def lea(haematologist, pharmacist):
    patient = eligible_patient(haematologist, "800123456", "Dupont", "Léa")
    on_treatment(haematologist, pharmacist, patient, timezone.localdate() - timedelta(days=8))
    return patient


def obx(n: int, code: str, name: str, value: str, unit: str, status: str = "F",
        system: str = "LN") -> str:
    return (f"OBX|{n}|NM|{code}^{name}^{system}||{value}|{unit}^{unit}^UCUM|||||{status}"
            f"|||{HL7_TIME}")


def oru(control_id: str, *observations: str, ipp: str = "800123456",
        name: str = "DUPONT^LEA", birth: str = "20150410", order: str = "LAB26-0042",
        kind: str = "ORU^R01^ORU_R01") -> str:
    segments = [
        f"MSH|^~\\&|SIL|LABO-CHU|SIROLIMUS-PTI|PEDIATRIE|{HL7_TIME}00||{kind}|{control_id}|P"
        "|2.5|||AL|NE|FRA|8859/1",
        f"PID|1||{ipp}^^^HOPITAL^PI~1234567890123^^^ASIP-SANTE-INS-NIR^INS||{name}^^^^L||"
        f"{birth}|F",
        "PV1|1|O|HDJ-PED",
        f"OBR|1|CMD-77|{order}^SIL|29247-4^Sirolimus^LN|||{HL7_TIME}",
        *observations,
    ]
    return "\r".join(segments) + "\r"


def trough_ng(control_id: str = "MSG-0001", value: str = "8.4", **kw) -> str:
    return oru(control_id, obx(1, "29247-4", "Sirolimus [Masse/Volume] Sang", value, "ng/mL"),
               **kw)


def trough_nmol(control_id: str = "MSG-0002", value: str = "9.2", **kw) -> str:
    return oru(control_id, obx(1, "29247-4", "Sirolimus [Masse/Volume] Sang", value, "nmol/L"),
               order="LAB26-0043", **kw)


def cbc(control_id: str = "MSG-0003", platelets: str = "42", **kw) -> str:
    return oru(control_id,
               obx(1, "718-7", "Hemoglobine", "12.1", "g/dL"),
               obx(2, "777-3", "Plaquettes", platelets, "10*9/L"),
               order="LAB26-0044", **kw)


def observation(ident: str = "obs-1", value: float = 8.4, unit: str = "ng/mL",
                ipp: str = "800123456", status: str = "final", code: str = "29247-4",
                family: str = "Dupont") -> dict:
    return {
        "resourceType": "Observation", "id": ident, "status": status,
        "identifier": [{"system": "urn:oid:1.2.250.1.999.2.1", "value": f"R-{code}-42"}],
        "contained": [{"resourceType": "Patient", "id": "p",
                       "identifier": [{"system": "urn:oid:1.2.250.1.999.1.1.1", "value": ipp}],
                       "name": [{"family": family, "given": ["Léa"]}],
                       "birthDate": "2015-04-10"}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": "#p"},
        "effectiveDateTime": f"{SAMPLED.isoformat()}T07:45:00+01:00",
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org",
                          "code": unit},
    }


def bundle(ident: str, *observations: dict) -> str:
    return json.dumps({"resourceType": "Bundle", "id": ident, "type": "collection",
                       "entry": [{"resource": o} for o in observations]})
