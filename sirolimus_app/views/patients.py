"""Finding, creating and editing patients."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sirolimus_app.access import get_patient_for_user, require_perm
from sirolimus_app.forms import PatientEditForm, PatientForm
from sirolimus_app.forms.common import attach_errors
from sirolimus_app.forms.search import PatientSearchForm
from sirolimus_app.models import Patient, Prescription
from sirolimus_app.services import access_log, records
from sirolimus_app.services import patients as patient_services
from sirolimus_app.services.errors import ConcurrentChangeError, ServiceError

PAGE_SIZE = 25
# The prescriptions a list row shows: what the child takes and what awaits the pharmacist.
LISTED_STATUSES = [*Prescription.CURRENT_STATUSES, Prescription.Status.PROPOSED,
                   Prescription.Status.VALIDATED]


@require_http_methods(["GET"])
def patient_list(request):
    require_perm(request.user, "view_patient")
    search = PatientSearchForm(request.GET)
    query = search.query()
    patients = patient_services.search(Patient.objects.all(), query).prefetch_related(
        Prefetch("prescriptions", to_attr="listed_prescriptions",
                 queryset=Prescription.objects.filter(status__in=LISTED_STATUSES)))
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    for patient in page:
        patient.current = next((p for p in patient.listed_prescriptions
                                if p.status in Prescription.CURRENT_STATUSES), None)
        patient.pending = next((p for p in patient.listed_prescriptions
                                if p.status not in Prescription.CURRENT_STATUSES), None)
    return render(request, "patients/list.html", {"page": page, "query": query,
                                                  "search_errors": search.errors.get("q", [])})


@require_http_methods(["GET", "POST"])
def patient_create(request):
    require_perm(request.user, "add_patient")
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = records.create_patient(request.user, form.save(commit=False))
        except (ServiceError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Dossier créé. Saisissez maintenant le poids et la "
                                        "taille, puis le bilan pré-thérapeutique."))
            return redirect("patient_detail", patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": None})


@require_http_methods(["GET", "POST"])
def patient_edit(request, pk):
    patient = get_patient_for_user(request.user, pk, "change_patient")
    access_log.record(request, access_log.Page.EDIT, patient.pk)
    # The form edits a copy: the page header keeps the saved identity while errors show.
    form = PatientEditForm(request.POST or None, instance=copy.copy(patient))
    unsaved = []
    if request.method == "POST" and form.is_valid():
        try:
            records.update_patient(request.user, form.save(commit=False),
                                   form.cleaned_data["version"])
        except ConcurrentChangeError as error:
            # Show the newer version, and what this user typed, to redo on top of it.
            unsaved = _unsaved_changes(form, error.current)
            form = PatientEditForm(instance=error.current)
            messages.error(request, error.message)
        except (ServiceError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Dossier enregistré."))
            return redirect("patient_detail", patient.pk)
    return render(request, "patients/patient_form.html",
                  {"form": form, "patient": patient, "unsaved": unsaved})


def _unsaved_changes(form, current: Patient) -> list[tuple[str, str, str]]:
    """(field label, the other person's value, this user's value) for each field that
    differs between what this user submitted and the newer version."""
    newer = PatientForm(instance=current)
    rows = []
    for name in PatientForm.Meta.fields:
        mine, theirs = form.cleaned_data.get(name), getattr(current, name)
        if mine != theirs:
            field = newer[name]
            rows.append((field.label, _display(field, theirs), _display(field, mine)))
    return rows


def _display(bound_field, value) -> str:
    choices = dict(getattr(bound_field.field, "choices", []) or [])
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(choices.get(value, value))
