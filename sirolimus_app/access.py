"""One access helper per kind of object: check the user's permission, then fetch the object
with what the views need, so no view forgets either step."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from sirolimus_app.services.engine import prefetch_clinical

from .models import Dispensing, Patient, Prescription


def require_perm(user, perm: str) -> None:
    if not user.has_perm(f"sirolimus_app.{perm}"):
        raise PermissionDenied


def get_patient_for_user(user, pk: int, perm: str = "view_patient") -> Patient:
    require_perm(user, perm)
    return get_object_or_404(Patient, pk=pk)


def get_prescription_for_user(user, pk: int, perm: str = "view_prescription") -> Prescription:
    require_perm(user, perm)
    return get_object_or_404(
        Prescription.objects.select_related("patient", "proposed_by", "reviewed_by", "replaces"),
        pk=pk,
    )


def get_patient_record_for_user(user, pk: int, perm: str = "view_patient") -> Patient:
    """The patient with every record the protocol engine reads, and who proposed and reviewed
    each prescription: a fixed number of queries whatever the length of the history."""
    require_perm(user, perm)
    return get_object_or_404(prefetch_clinical(Patient.objects.all(), with_authors=True), pk=pk)


def get_dispensing_for_user(user, pk: int, perm: str = "dispense_prescription") -> Dispensing:
    require_perm(user, perm)
    return get_object_or_404(
        Dispensing.objects.select_related("prescription__patient", "dispensed_by"), pk=pk)
