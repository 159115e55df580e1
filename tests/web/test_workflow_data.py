"""Children on sirolimus built through the services (audited, engine-computed doses), shared
by the workflow, worklist, home and browser tests. No tests here."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from sirolimus_app.models import BodyMeasurement, LabResult, Patient, TroughLevel, Visit
from sirolimus_app.services import prescriptions, records


def aware(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def eligible_patient(haematologist, number: str, last_name: str = "Dupont",
                     first_name: str = "Léa", since: date | None = None, **fields) -> Patient:
    """A child with chronic ITP and signs of severity, weighed, with the pre-treatment work-up
    (CBC, lipids, blood pressure) done on `since` (default: 20 days ago)."""
    since = since or timezone.localdate() - timedelta(days=20)
    values = {"hospital_number": number, "last_name": last_name, "first_name": first_name,
              "birth_date": date(2015, 4, 10), "sex": Patient.Sex.FEMALE,
              "diagnosis_date": since - timedelta(days=500), "itp_phase": "chronic",
              "severity_signs": True, "workup_updated": True, "vzv_immune": True}
    values.update(fields)
    patient = records.create_patient(haematologist, Patient(**values))
    records.add_measurement(haematologist, BodyMeasurement(
        patient=patient, measured_on=since, weight_kg=Decimal("30"), height_cm=Decimal("130")))
    records.add_lab_result(haematologist, LabResult(
        patient=patient, kind=LabResult.Kind.PLATELETS, sampled_at=aware(since),
        value=Decimal("12"), unit="G/L"))
    records.add_lab_result(haematologist, LabResult(
        patient=patient, kind=LabResult.Kind.CHOLESTEROL, sampled_at=aware(since),
        value=Decimal("4.2"), unit="mmol/L"))
    records.add_visit(haematologist, Visit(patient=patient, label="PRE", done_date=since,
                                           systolic_bp=105, diastolic_bp=65))
    return patient


def proposal(haematologist, patient, on: date | None = None, reason: str = ""):
    """The engine's first proposal for this patient on `on`, as the haematologist records it."""
    return prescriptions.propose(haematologist, patient.pk, 0, reason, today=on)


def on_treatment(haematologist, pharmacist, patient, started: date):
    """A child whose first dose was proposed, validated and started on `started`."""
    proposed = proposal(haematologist, patient, on=started)
    return prescriptions.validate(pharmacist, proposed.pk, proposed.version, today=started)


def trough(user, patient, day: date, ng_ml: str) -> TroughLevel:
    return records.add_trough(user, TroughLevel(patient=patient, sampled_at=aware(day, 7),
                                                value=Decimal(ng_ml)))
