from sirolimus_app.interop.models import ApiToken, InboundMessage, InboundResult

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
    "ApiToken",
    "AuditEvent",
    "BodyMeasurement",
    "CoMedication",
    "InboundMessage",
    "InboundResult",
    "LabResult",
    "MonitoringCheck",
    "Patient",
    "PatientStatus",
    "Prescription",
    "ScheduleItem",
    "TroughLevel",
    "Visit",
]
