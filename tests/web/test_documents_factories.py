"""Two years of sirolimus for one child, built day by day through the services and the
protocol engine exactly as the team would enter it: the data every document test reads.

The history ends today (the documents are made "now"), so its dates are relative to today.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from protocol.dates import add_months
from sirolimus_app.models import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    Patient,
    Prescription,
    TroughLevel,
    Visit,
)
from sirolimus_app.services import prescriptions, records
from sirolimus_app.services.engine import advise_patient, prefetch_clinical


def aware(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def new_patient(user, number: str = "IPP-77001", **fields) -> Patient:
    values = {"hospital_number": number, "last_name": "Lefèvre-Bréhat", "first_name": "Anaïs",
              "birth_date": date(2014, 3, 12), "sex": Patient.Sex.FEMALE,
              "diagnosis_date": date(2021, 9, 20), "itp_phase": Patient.Phase.CHRONIC,
              "severity_signs": True, "workup_updated": True, "evans": True,
              "vzv_immune": False, "form": Patient.Form.SOLUTION,
              "obs_cerevance_registered": True}
    values.update(fields)
    return records.create_patient(user, Patient(**values))


def fetch(patient: Patient) -> Patient:
    return prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()


def prescribe(doctor, pharmacist, patient: Patient, action: str, on: date) -> Prescription:
    """Propose the engine's proposal `action` on day `on` and have the pharmacist validate
    it; fails loudly when the engine does not offer that action that day."""
    advice = advise_patient(fetch(patient), on).advice
    actions = [dose.action for dose in prescriptions.proposals(advice)]
    assert action in actions, (on, actions, advice.alerts)
    proposed = prescriptions.propose(doctor, patient.pk, actions.index(action),
                                     reason=f"Décision du {on:%d/%m/%Y}", today=on)
    return prescriptions.validate(pharmacist, proposed.pk, proposed.version, today=on)


@dataclass
class History:
    patient: Patient
    start: date
    today: date
    prescriptions: list[Prescription] = field(default_factory=list)

    def visit_day(self, months: int) -> date:
        return add_months(self.start, months)


def two_year_history(doctor, nurse, pharmacist, **patient_fields) -> History:
    """Start, no response at 3 weeks so an increase, a toxic trough (16.2 ng/ml) with a
    suspension and a half-dose restart, complete response, mouth ulcers, an azole, visits
    M1 to M24 with blood pressure and lipids, monthly platelet counts, six-monthly troughs."""
    today = timezone.localdate()
    start = today - timedelta(days=745)
    patient = new_patient(doctor, **patient_fields)
    history = History(patient, start, today)

    def platelets(day: date, value: str, bleeding: bool = False) -> None:
        records.add_lab_result(doctor, LabResult(
            patient=patient, kind=LabResult.Kind.PLATELETS, sampled_at=aware(day, 9),
            value=Decimal(value), unit="G/L", bleeding=bleeding))

    def trough(day: date, value: str, unit: str = TroughLevel.Unit.NG_ML) -> None:
        records.add_trough(nurse, TroughLevel(patient=patient, sampled_at=aware(day, 7),
                                              value=Decimal(value), unit=unit))
        records.mark_check_done(nurse, MonitoringCheck(
            patient=patient, kind=MonitoringCheck.Kind.TROUGH, due_date=day,
            done_at=aware(day, 7)))

    def visit(months: int, systolic: int, diastolic: int, response: str = "") -> None:
        day = history.visit_day(months)
        records.add_visit(doctor, Visit(patient=patient, label=f"M{months}", done_date=day,
                                        systolic_bp=systolic, diastolic_bp=diastolic,
                                        response=response))
        records.add_lab_result(doctor, LabResult(
            patient=patient, kind=LabResult.Kind.CHOLESTEROL, sampled_at=aware(day, 9),
            value=Decimal("4.60"), unit="mmol/L"))

    before = start - timedelta(days=6)
    records.add_measurement(nurse, BodyMeasurement(
        patient=patient, measured_on=before, weight_kg=Decimal("30.00"),
        height_cm=Decimal("130.0")))
    platelets(before, "12", bleeding=True)
    records.add_lab_result(doctor, LabResult(
        patient=patient, kind=LabResult.Kind.CHOLESTEROL, sampled_at=aware(before, 9),
        value=Decimal("4.20"), unit="mmol/L"))
    records.add_visit(doctor, Visit(patient=patient, label="PRE", done_date=before,
                                    systolic_bp=100, diastolic_bp=62))

    history.prescriptions.append(prescribe(doctor, pharmacist, patient, "start", start))
    trough(start + timedelta(days=7), "3.2")
    platelets(start + timedelta(days=21), "20")
    increase = start + timedelta(days=22)
    history.prescriptions.append(prescribe(doctor, pharmacist, patient, "increase", increase))
    trough(increase + timedelta(days=7), "6.1")
    visit(1, 102, 64)
    platelets(start + timedelta(days=45), "85")
    platelets(start + timedelta(days=60), "120")

    toxic = history.visit_day(3)
    visit(3, 108, 66, Visit.Response.COMPLETE)
    platelets(toxic, "140")
    trough(toxic, "16.2")
    prescriptions.suspend(doctor, patient.pk, "T0 16,2 ng/ml (TOX-SUSPEND)", on_date=toxic,
                          today=toxic)
    trough(toxic + timedelta(days=2), "9.0")
    resume = toxic + timedelta(days=3)
    history.prescriptions.append(prescribe(doctor, pharmacist, patient, "resume", resume))
    trough(resume + timedelta(days=7), "5.0")
    records.add_adverse_event(doctor, AdverseEvent(
        patient=patient, kind=AdverseEvent.Kind.APHTHAE, onset_date=resume + timedelta(days=20),
        severity=AdverseEvent.Severity.GRADE_2, description="Aphtes ; bains de bouche",
        declared_on=resume + timedelta(days=25)))

    for months, systolic in ((6, 104), (12, 106), (18, 110), (24, 109)):
        visit(months, systolic, 68, Visit.Response.COMPLETE)
        # The M12 laboratory reports in µg/l (= ng/ml).
        trough(history.visit_day(months), {6: "5.5", 12: "4.8", 18: "4.1", 24: "3.9"}[months],
               TroughLevel.Unit.UG_L if months == 12 else TroughLevel.Unit.NG_ML)
    records.add_comedication(doctor, CoMedication(
        patient=patient, name="fluconazole", start_date=history.visit_day(8),
        end_date=history.visit_day(8) + timedelta(days=14)))
    for month in range(4, 25):
        platelets(history.visit_day(month) + timedelta(days=3), str(110 + (month * 7) % 60))
    records.add_measurement(nurse, BodyMeasurement(
        patient=patient, measured_on=history.visit_day(24), weight_kg=Decimal("36.50"),
        height_cm=Decimal("142.0")))
    return history


def test_history_is_two_years_built_by_the_engine(haematologist, nurse, pharmacist):
    history = two_year_history(haematologist, nurse, pharmacist)
    patient = fetch(history.patient)
    assert [p.action for p in history.prescriptions] == ["start", "increase", "resume"]
    assert [p.mg_per_day for p in history.prescriptions] == [
        Decimal("2.10"), Decimal("2.60"), Decimal("1.30")]
    statuses = sorted(p.status for p in patient.prescriptions.all())
    assert statuses == ["active", "replaced", "replaced"]
    assert (history.today - history.start).days > 730
    assert len([lab for lab in patient.lab_results.all() if lab.kind == "platelets"]) == 26
    assert patient.troughs.count() == 9
    advice = advise_patient(patient).advice
    assert advice.response.status == "complete_response"
    assert {item.label for item in advice.schedule if item.kind == "visit"} >= {
        "M1", "M3", "M6", "M12", "M18", "M24"}
