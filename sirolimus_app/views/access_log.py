"""Accès au dossier: who opened this child's record, pages and documents, newest first."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sirolimus_app.access import get_patient_for_user
from sirolimus_app.models import AccessLogEntry
from sirolimus_app.services import access_log

PER_PAGE = 50


@require_GET
def patient_access_log(request, pk):
    patient = get_patient_for_user(request.user, pk, "view_accesslogentry")
    # Reading who read the record is itself a read of it.
    access_log.record(request, access_log.Page.ACCESS_LOG, patient.pk)
    entries = AccessLogEntry.objects.filter(patient=patient).order_by("-at", "-pk")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "patients/access_log.html", {"patient": patient, "page": page})
