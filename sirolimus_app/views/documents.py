"""Printable documents (PDF), the schedule as an iCalendar file and the cohort export (CSV);
the ward's papers: the off-label prescription and the bottle label (each print audited: what
was handed to a family or stuck on a bottle must be traceable), and the nurse's day sheet.

Each view: access helper (permission, then the object with what the document reads), data
gathering, rendering. Nothing here changes clinical data; the cohort export leaves an audit
line. Responses are never cached: they carry patient data.
"""

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sirolimus_app.access import (
    get_dispensing_for_user,
    get_patient_record_for_user,
    get_prescription_for_user,
    require_perm,
)
from sirolimus_app.documents import cohort, data, daysheet, ical, papers, pdf
from sirolimus_app.services import access_log, audit

Page = access_log.Page

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


def _patient_pdf(request, pk: int, page: str, gather, template: str, title: str,
                 filename: str, extra: dict | None = None) -> HttpResponse:
    patient = get_patient_record_for_user(request.user, pk, PRINT)
    access_log.record(request, page, patient.pk)
    return _pdf(request, template, gather(patient, request.user), title, f"{filename}-{pk}",
                extra)


@never_cache
@require_GET
def schedule_pdf(request, pk: int):
    """The family's calendar, in plain words (the rule IDs are on the summary)."""
    return _patient_pdf(request, pk, Page.SCHEDULE_PDF, data.schedule, "pdf/schedule.html",
                        _("Calendrier de surveillance"), "calendrier-sirolimus",
                        extra={"for_family": True})


@never_cache
@require_GET
def summary_pdf(request, pk: int):
    return _patient_pdf(request, pk, Page.SUMMARY_PDF, data.summary, "pdf/summary.html",
                        _("Synthèse du traitement"), "synthese-sirolimus")


@never_cache
@require_GET
def schedule_ics(request, pk: int):
    patient = get_patient_record_for_user(request.user, pk, PRINT)
    access_log.record(request, Page.SCHEDULE_ICS, patient.pk)
    document = data.schedule(patient, request.user)
    # Remembers the days given, so that the next file cancels those that leave the calendar.
    return _download(ical.export(document, request.user), "text/calendar; charset=utf-8",
                     f"calendrier-sirolimus-{pk}.ics", inline=False)


@never_cache
@require_GET
def dose_sheet_pdf(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, PRINT)
    access_log.record(request, Page.DOSE_SHEET_PDF, prescription.patient_id,
                      f"prescription:{pk}")
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
    access_log.record(request, Page.COHORT_CSV, None, f"cohort:{table}:{count}")
    return _download(content, "text/csv; charset=utf-8",
                     f"{filename}-{timezone.localdate():%Y%m%d}.csv", inline=False)


# --- the ward's papers ----------------------------------------------------------------

@never_cache
@require_GET
def prescription_pdf(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, "propose_prescription")
    if prescription.status not in papers.PRINTABLE:
        raise Http404(_("Cette prescription n'est pas validée : pas d'ordonnance."))
    document = papers.off_label_prescription(prescription, request.user)
    access_log.record(request, Page.PRESCRIPTION_PDF, prescription.patient_id,
                      f"prescription:{pk}")
    audit.record(request.user, "document.prescription_print", prescription,
                 before=None, after={"document": "ordonnance", "language": request.LANGUAGE_CODE})
    return _pdf(request, "pdf/offlabel_prescription.html", document,
                _("Ordonnance hors AMM"), f"ordonnance-sirolimus-{pk}",
                extra={"is_prescription": True})


@never_cache
@require_GET
def bottle_label_pdf(request, pk: int):
    dispensing = get_dispensing_for_user(request.user, pk)
    document = papers.bottle_label(dispensing, request.user)
    access_log.record(request, Page.LABEL_PDF, dispensing.prescription.patient_id,
                      f"dispensing:{pk}")
    audit.record(request.user, "document.label_print", dispensing,
                 before=None, after={"document": "étiquette", "batch": dispensing.batch})
    return _pdf(request, "pdf/bottle_label.html", document, _("Étiquette du flacon"),
                f"etiquette-sirolimus-{pk}")


DAY_SHEET_RANGE_DAYS = 366  # a day sheet is for the year around today


def _sheet_day(request) -> tuple[date, str, str]:
    """The day asked for (?jour=YYYY-MM-DD), today by default; a wrong value is said next to
    the field and today's sheet is shown under a heading that names the day."""
    today = timezone.localdate()
    raw = request.GET.get("jour", "").strip()
    if not raw:
        return today, today.isoformat(), ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return today, raw[:10], _("Date non reconnue : choisissez un jour dans le calendrier.")
    if abs((day - today).days) > DAY_SHEET_RANGE_DAYS:
        return today, raw, _("Choisissez un jour dans l'année autour d'aujourd'hui.")
    return day, raw, ""


def _day_sheet(request):
    require_perm(request.user, "record_vitals")
    day, value, error = _sheet_day(request)
    access_log.record(request, Page.DAY_SHEET, None, f"day:{day.isoformat()}")
    return daysheet.day_sheet(day, timezone.localdate(), request.user), value, error


@never_cache
@require_GET
def day_sheet(request):
    sheet, value, error = _day_sheet(request)
    return render(request, "nursing/day_sheet.html",
                  {"sheet": sheet, "day_value": value, "day_error": error})


@never_cache
@require_GET
def day_sheet_pdf(request):
    sheet, _value, _error = _day_sheet(request)
    title = _("Feuille de la journée")
    content = pdf.render("pdf/day_sheet.html", {
        "sheet": sheet, "made": sheet.made, "patient": None, "document_title": title,
        "heading": _("Soins du %(day)s") % {"day": sheet.day.strftime("%d/%m/%Y")},
    }, request)
    return _download(content, "application/pdf", f"journee-{sheet.day:%Y%m%d}.pdf",
                     inline=True)
