"""One access helper per kind of object: check the user's permission, then fetch the object
with what the views need, so no view forgets either step."""

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sirolimus_app.services.engine import prefetch_clinical
from sirolimus_app.services.permissions import has_perm, require_perm

from .models import CoMedication, Dispensing, Patient, Prescription, Visit

__all__ = ["has_perm", "require_perm"]  # the one permission check, for the views too


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


def get_visit_for_user(user, patient_pk: int, pk: int, perm: str = "view_visit") -> Visit:
    require_perm(user, perm)
    return get_object_or_404(Visit, pk=pk, patient_id=patient_pk)


def get_comedication_for_user(user, patient_pk: int, pk: int,
                              perm: str = "view_comedication") -> CoMedication:
    require_perm(user, perm)
    return get_object_or_404(CoMedication, pk=pk, patient_id=patient_pk)


def get_patient_prescription_for_user(user, patient_pk: int, pk: int,
                                      perm: str = "view_prescription") -> Prescription:
    """A prescription reached through its patient's URL: it must be this patient's."""
    require_perm(user, perm)
    return get_object_or_404(Prescription, pk=pk, patient_id=patient_pk)


def safe_next(request) -> str:
    """The POSTed `next` when it is a URL of this site, else ""."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def redirect_back(request, fallback: str) -> HttpResponseRedirect:
    """Back to the page the form came from (`next`, a URL, never read as a view name), or to
    the view named `fallback`."""
    return HttpResponseRedirect(safe_next(request) or reverse(fallback))


def get_record_for_user(user, patient_pk: int, model, pk: int, perm: str = "view_patient"):
    """One clinical record (trough, result, measurement, visit, event, co-medication, tick) of
    this patient, with its patient, author and voider."""
    require_perm(user, perm)
    return get_object_or_404(model.objects.select_related("patient", "recorded_by",
                                                          "voided_by"),
                             pk=pk, patient_id=patient_pk)


def get_dispensing_for_user(user, pk: int, perm: str = "dispense_prescription") -> Dispensing:
    require_perm(user, perm)
    return get_object_or_404(
        Dispensing.objects.select_related("prescription__patient", "dispensed_by"), pk=pk)
