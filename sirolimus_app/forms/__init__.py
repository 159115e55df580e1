"""The French forms of the patient record: identity, measurements and observations, and the
prescriber's choices."""

from sirolimus_app.forms.patient import PatientEditForm, PatientForm
from sirolimus_app.forms.prescription import ProposalChoiceForm, TreatmentChangeForm
from sirolimus_app.forms.records import (
    AdverseEventForm,
    CoMedicationForm,
    LabResultForm,
    MeasurementForm,
    TroughForm,
    VisitForm,
)

__all__ = [
    "AdverseEventForm",
    "CoMedicationForm",
    "LabResultForm",
    "MeasurementForm",
    "PatientEditForm",
    "PatientForm",
    "ProposalChoiceForm",
    "TreatmentChangeForm",
    "TroughForm",
    "VisitForm",
]
