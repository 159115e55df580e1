"""What the ward's papers need, gathered before rendering: the off-label prescription
(REG-OFF-LABEL), the bottle label of a dispensing (SMPC-ADMIN, SMPC-STORAGE) and the
nurse's day sheet.

Each function takes objects fetched by the access helpers and reads the stored calendar
(ScheduleItem rows, kept equal to the engine's by services.schedule) for what comes next.
"""

from dataclasses import dataclass
from datetime import date, time

from django.conf import settings
from django.utils import timezone

from protocol.supply import Supply, supply
from sirolimus_app.documents.data import GivenDose, Made
from sirolimus_app.models import (
    BodyMeasurement,
    Dispensing,
    Patient,
    Prescription,
    ScheduleItem,
    StaffProfile,
)
from sirolimus_app.services.dispensing import period

Status = Prescription.Status
# A prescription the family may take to a pharmacy: validated, or being taken.
PRINTABLE = (Status.VALIDATED, Status.ACTIVE)


def _rpps(user) -> str:
    try:
        return user.staff_profile.rpps
    except StaffProfile.DoesNotExist:
        return ""


def _latest_measurement(patient: Patient) -> BodyMeasurement | None:
    return patient.measurements.order_by("-measured_on", "-pk").first()


def _next_item(patient: Patient, kinds: tuple[str, ...], after: date) -> ScheduleItem | None:
    return (ScheduleItem.objects.filter(patient=patient, kind__in=kinds, done=False,
                                        due_date__gte=after)
            .order_by("due_date", "position").first())


@dataclass(frozen=True)
class OffLabelPrescription:
    prescription: Prescription
    patient: Patient
    made: Made
    establishment: dict
    prescriber_name: str
    rpps: str
    measurement: BodyMeasurement | None
    dose: GivenDose
    dose_time: time | None
    start: date
    days: int  # until the next review
    review: ScheduleItem | None
    next_trough: ScheduleItem | None
    quantity: Supply


def off_label_prescription(prescription: Prescription, user,
                           today: date | None = None) -> OffLabelPrescription:
    today = today or timezone.localdate()
    patient = prescription.patient
    covered = period(prescription, today)
    start, days, review = covered.start, covered.days, covered.review
    prescriber = prescription.proposed_by
    return OffLabelPrescription(
        prescription=prescription, patient=patient, made=Made.now(user),
        establishment=settings.ESTABLISHMENT,
        prescriber_name=prescriber.get_full_name() or prescriber.get_username(),
        rpps=_rpps(prescriber), measurement=_latest_measurement(patient),
        dose=GivenDose.of(prescription), dose_time=patient.dose_time, start=start, days=days,
        review=review, next_trough=_next_item(patient, ("trough", "control"), start),
        quantity=supply(prescription.mg_per_day, prescription.form, days),
    )


@dataclass(frozen=True)
class BottleLabel:
    dispensing: Dispensing
    prescription: Prescription
    patient: Patient
    made: Made
    establishment: dict
    dose: GivenDose
    dose_time: time | None


def bottle_label(dispensing: Dispensing, user) -> BottleLabel:
    prescription = dispensing.prescription
    return BottleLabel(
        dispensing=dispensing, prescription=prescription, patient=prescription.patient,
        made=Made.now(user), establishment=settings.ESTABLISHMENT,
        dose=GivenDose.of(prescription), dose_time=prescription.patient.dose_time,
    )
