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
from .patient import Patient
from .prescription import Prescription

__all__ = [
    "AdverseEvent",
    "AuditEvent",
    "BodyMeasurement",
    "CoMedication",
    "LabResult",
    "MonitoringCheck",
    "Patient",
    "Prescription",
    "TroughLevel",
    "Visit",
]
