from sirolimus_app.interop.models import ApiToken, InboundMessage, InboundResult

from .audit import AccessLogEntry, AuditEvent
from .calendar_export import ExportedEvent
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
    "AccessLogEntry",
    "AdverseEvent",
    "ApiToken",
    "AuditEvent",
    "BodyMeasurement",
    "CoMedication",
    "Dispensing",
    "ExportedEvent",
    "InboundMessage",
    "InboundResult",
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
