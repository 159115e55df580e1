"""Printable documents (PDF), the schedule as an iCalendar file and the cohort export (CSV).

Each view: access helper (permission, then the object with what the document reads), data
gathering, rendering. Nothing here changes clinical data; the cohort export leaves an audit
line. Responses are never cached: they carry patient data.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sirolimus_app.access import (
    get_patient_record_for_user,
    get_prescription_for_user,
    require_perm,
)
from sirolimus_app.documents import cohort, data, ical, pdf

PRINT = "print_documents"


def _download(content, content_type: str, filename: str, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf(request, template: str, document, title: str, filename: str,
         extra: dict | None = None) -> HttpResponse:
    context = {"doc": document, "patient": document.patient, "made": document.made,
               "document_title": title, **(extra or {})}
    return _download(pdf.render(template, context, request), "application/pdf",
                     f"{filename}-{timezone.localdate():%Y%m%d}.pdf", inline=True)


def _patient_pdf(request, pk: int, gather, template: str, title: str,
                 filename: str) -> HttpResponse:
    patient = get_patient_record_for_user(request.user, pk, PRINT)
    return _pdf(request, template, gather(patient, request.user), title, f"{filename}-{pk}")


@never_cache
@require_GET
def schedule_pdf(request, pk: int):
    return _patient_pdf(request, pk, data.schedule, "pdf/schedule.html",
                        _("Calendrier de surveillance"), "calendrier-sirolimus")


@never_cache
@require_GET
def summary_pdf(request, pk: int):
    return _patient_pdf(request, pk, data.summary, "pdf/summary.html",
                        _("Synthèse du traitement"), "synthese-sirolimus")


@never_cache
@require_GET
def schedule_ics(request, pk: int):
    patient = get_patient_record_for_user(request.user, pk, PRINT)
    document = data.schedule(patient, request.user)
    return _download(ical.calendar(document), "text/calendar; charset=utf-8",
                     f"calendrier-sirolimus-{pk}.ics", inline=False)


@never_cache
@require_GET
def dose_sheet_pdf(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, PRINT)
    return _pdf(request, "pdf/dose_sheet.html", data.dose_sheet(prescription, request.user),
                _("Fiche de validation pharmaceutique"), f"fiche-dose-sirolimus-{pk}")


@never_cache
@require_GET
def cohort_index(request):
    require_perm(request.user, "export_cohort")
    return render(request, "documents/cohort.html",
                  {"registered": cohort.registered_patients().count()})


# The two tables of the export: (function writing the CSV, file name).
COHORT_TABLES = {"patients": (cohort.patients_csv, "obs-cerevance-patients"),
                 "events": (cohort.events_csv, "obs-cerevance-suivi")}


@never_cache
@require_GET
def cohort_csv(request, table: str):
    require_perm(request.user, "export_cohort")
    write, filename = COHORT_TABLES[table]
    content, count = write(cohort.registered_patients())
    cohort.record_export(request.user, table, count)
    return _download(content, "text/csv; charset=utf-8",
                     f"{filename}-{timezone.localdate():%Y%m%d}.csv", inline=False)
