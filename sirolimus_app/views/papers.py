"""The ward's papers: the off-label prescription and the bottle label (each print audited:
what was handed to a family or stuck on a bottle must be traceable), and the nurse's day
sheet."""

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sirolimus_app.access import get_dispensing_for_user, get_prescription_for_user, require_perm
from sirolimus_app.documents import daysheet, papers, pdf
from sirolimus_app.services import audit
from sirolimus_app.views.documents import _download, _pdf


@never_cache
@require_GET
def prescription_pdf(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, "propose_prescription")
    if prescription.status not in papers.PRINTABLE:
        raise Http404(_("Cette prescription n'est pas validée : pas d'ordonnance."))
    document = papers.off_label_prescription(prescription, request.user)
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
