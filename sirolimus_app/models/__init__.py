from .audit import AccessLogEntry, AuditEvent
from .clinical import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    TroughLevel,
    Visit,
)
from .patient import Patient
from .prescription import Prescription
from .schedule import PatientStatus, ScheduleItem

__all__ = [
    "AccessLogEntry",
    "AdverseEvent",
    "AuditEvent",
    "BodyMeasurement",
    "CoMedication",
    "LabResult",
    "MonitoringCheck",
    "Patient",
    "PatientStatus",
    "Prescription",
    "ScheduleItem",
    "TroughLevel",
    "Visit",
]
