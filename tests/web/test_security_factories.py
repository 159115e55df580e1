"""Clinical data built through the services (so every line is audited), for the security,
audit and backup tests; and a check that what they build is what they claim."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from sirolimus_app.models import (
    AdverseEvent,
    AuditEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    Patient,
    Prescription,
    TroughLevel,
    Visit,
)
from sirolimus_app.services import audit, records

TODAY = date(2024, 3, 15)


def aware(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def new_patient(user, number: str = "IPP-0001", **fields) -> Patient:
    values = {"hospital_number": number, "last_name": "Lefèvre", "first_name": "Zoé",
              "birth_date": date(2015, 6, 1), "sex": Patient.Sex.FEMALE,
              "diagnosis_date": date(2022, 1, 10), "allergies": "soja"}
    values.update(fields)
    return records.create_patient(user, Patient(**values))


def proposed_prescription(patient, proposer, mg: str = "1.20") -> Prescription:
    """A proposal as `prescriptions.propose` stores it, without asking the engine (so the
    life-cycle tests do not depend on today's advice)."""
    current = patient.prescriptions.filter(status__in=Prescription.CURRENT_STATUSES).first()
    basis = {"id": current.pk, "version": current.version} if current else None
    prescription = Prescription.objects.create(
        patient=patient, action=Prescription.Action.INCREASE if current
        else Prescription.Action.START, start_date=TODAY,
        mg_per_day=Decimal(mg), form=Patient.Form.SOLUTION, volume_ml=Decimal(mg),
        weight_kg=Decimal("30.00"), height_cm=Decimal("130.0"), bsa_m2=Decimal("1.0408"),
        bsa_formula=Patient.BsaFormula.MOSTELLER, mg_per_m2_per_day=Decimal("1.15"),
        working={"dose": {"mg_per_day": float(mg)}, "basis": basis}, rules=["DOSE-START"],
        replaces=current, proposed_by=proposer)
    audit.record(proposer, "prescription.propose", prescription)
    return prescription


def rich_patient(haematologist, nurse, number: str = "IPP-0001",
                 name: str = "Lefèvre") -> Patient:
    """One patient with a record of every clinical kind, entered by the people who would."""
    patient = new_patient(haematologist, number, last_name=name)
    records.add_measurement(nurse, BodyMeasurement(
        patient=patient, measured_on=TODAY - timedelta(days=30), weight_kg=Decimal("30.50"),
        height_cm=Decimal("131.5")))
    records.add_comedication(haematologist, CoMedication(
        patient=patient, name="eltrombopag", start_date=TODAY - timedelta(days=200),
        end_date=TODAY - timedelta(days=40)))
    records.add_visit(haematologist, Visit(
        patient=patient, label="PRE", done_date=TODAY - timedelta(days=35), systolic_bp=105,
        diastolic_bp=65, weight_kg=Decimal("30.40"), height_cm=Decimal("131.0"),
        notes="Épistaxis <b>fréquentes</b> ; \"guillemets\" & apostrophe'"))
    for days, value, unit in ((60, "12", "G/L"), (30, "18000", "/mm3"), (2, "45", "G/L")):
        records.add_lab_result(haematologist, LabResult(
            patient=patient, kind=LabResult.Kind.PLATELETS, sampled_at=aware(TODAY, 9)
            - timedelta(days=days), value=Decimal(value), unit=unit, bleeding=days == 60))
    records.add_lab_result(haematologist, LabResult(
        patient=patient, kind=LabResult.Kind.CHOLESTEROL, sampled_at=aware(TODAY - timedelta(
            days=30)), value=Decimal("1.80"), unit="g/L"))
    prescription = proposed_prescription(patient, haematologist)
    records.add_trough(nurse, TroughLevel(
        patient=patient, prescription=prescription, sampled_at=aware(TODAY - timedelta(days=1)),
        value=Decimal("7.5"), unit=TroughLevel.Unit.NMOL_L))
    records.add_adverse_event(haematologist, AdverseEvent(
        patient=patient, kind=AdverseEvent.Kind.APHTHAE, onset_date=TODAY - timedelta(days=10),
        severity=AdverseEvent.Severity.GRADE_1, description="Aphtes buccaux"))
    records.mark_check_done(nurse, MonitoringCheck(
        patient=patient, kind=MonitoringCheck.Kind.TROUGH, due_date=TODAY - timedelta(days=1)))
    return patient


CLINICAL_MODELS = (Patient, BodyMeasurement, CoMedication, Visit, LabResult, TroughLevel,
                   AdverseEvent, MonitoringCheck, Prescription)


def test_rich_patient_holds_every_clinical_kind_each_audited(haematologist, nurse):
    patient = rich_patient(haematologist, nurse)
    for model in CLINICAL_MODELS:
        rows = model.objects.filter(**({"pk": patient.pk} if model is Patient
                                       else {"patient": patient}))
        assert rows.exists(), model
        for row in rows:
            assert AuditEvent.objects.filter(object_type=model._meta.label,
                                             object_id=str(row.pk)).count() == 1
    nmol = TroughLevel.objects.get(patient=patient)
    assert nmol.value_ng_ml == Decimal("6.86")  # 7.5 nmol/l × 0.91417
    assert LabResult.objects.get(patient=patient, unit="/mm3").value_canonical == Decimal("18")
