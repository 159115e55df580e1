from .audit import AuditEvent
from .clinical import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    TroughLevel,
    Visit,
)
from .dispensing import Dispensing
from .patient import Patient
from .prescription import Prescription
from .schedule import PatientStatus, ScheduleItem
from .staff import StaffProfile

__all__ = [
    "AdverseEvent",
    "AuditEvent",
    "BodyMeasurement",
    "CoMedication",
    "Dispensing",
    "LabResult",
    "MonitoringCheck",
    "Patient",
    "PatientStatus",
    "Prescription",
    "ScheduleItem",
    "StaffProfile",
    "TroughLevel",
    "Visit",
]
