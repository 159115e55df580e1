"""The nurses' worklist: across all followed patients, what is overdue, due today and due this
week, with one click to record that a sample was taken or a visit done; a visit or a blood
pressure ticked with what she measured; a wrong tick undone (with its reason, audited; the
item is due again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sirolimus_app.access import (
    get_patient_for_user,
    get_record_for_user,
    has_perm,
    redirect_back,
    require_perm,
)
from sirolimus_app.forms.common import attach_errors
from sirolimus_app.forms.corrections import VoidForm
from sirolimus_app.forms.nursing import VitalsForm
from sirolimus_app.forms.workflow import CheckDoneForm
from sirolimus_app.models import BodyMeasurement, MonitoringCheck
from sirolimus_app.presenters import calendar
from sirolimus_app.services import records, worklists
from sirolimus_app.services.errors import ServiceError

PER_PAGE = 20  # children's days (one row each, with all their items of that day)
UNAVAILABLE_SHOWN = 20  # patients named in the "calendar unavailable" warning


@require_GET
def worklist(request):
    require_perm(request.user, "record_vitals")
    today = timezone.localdate()
    fresh = worklists.freshness(today)
    counts = worklists.section_counts(today)
    section = request.GET.get("periode", "")
    if section not in calendar.SECTIONS:
        section = ""
    # A page holds PER_PAGE children's days (rows), never half of one.
    paginator = Paginator(worklists.due_days(today, section), PER_PAGE)
    # The count is already known from section_counts: spare the paginator its COUNT query.
    paginator.count = (counts["days"][section] if section else sum(counts["days"].values()))
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = calendar.worklist_days(
        worklists.items_of_days(today, list(page.object_list)), today)
    # One more than shown, to know whether to say that there are others.
    unavailable = list(worklists.unavailable_calendars()[:UNAVAILABLE_SHOWN + 1])
    return render(request, "nursing/worklist.html", {
        "today": today,
        "page": page,
        "tabs": [(key, label, counts["pending"][key])
                 for key, label in calendar.SECTIONS.items()],
        "section": section,
        "incomplete": unavailable[:UNAVAILABLE_SHOWN],
        "incomplete_more": len(unavailable) > UNAVAILABLE_SHOWN,
        "not_current": fresh.not_current,
        "can_tick": has_perm(request.user, "add_monitoringcheck"),
        "tick_url": reverse("nurse_check_done"),
        "vitals_url": reverse("nurse_check_vitals"),
        "here": request.get_full_path(),
    })


def back(request):
    return redirect_back(request, "nurse_worklist")


def calendar_item(patient, kind: str, due_date):
    """The patient's item of this kind due that day, as today's worklist has it, or None."""
    today = timezone.localdate()
    scans = worklists.scan(today, worklists.followed_patients().filter(pk=patient.pk))
    return next((i for s in scans for i in calendar.worklist_items(s.items, today)
                 if i.kind == kind and i.day == due_date), None)


@require_POST
def check_done(request):
    """Record that one calendar item was done; it must still be on the patient's calendar."""
    require_perm(request.user, "add_monitoringcheck")
    form = CheckDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Élément du calendrier non reconnu : rechargez la liste."))
        return back(request)
    data = form.cleaned_data
    patient = get_patient_for_user(request.user, data["patient"], "add_monitoringcheck")
    item = calendar_item(patient, data["kind"], data["due_date"])
    if item is None:
        messages.error(request, _("Cet élément n'est plus au calendrier de %(patient)s : "
                                  "rechargez la liste.") % {"patient": patient})
        return back(request)
    if item.conditional:
        messages.error(request, _("%(kind)s %(label)s : conditionnel, à ne faire que si la "
                                  "condition est remplie (rien n'a été noté).")
                       % {"kind": item.kind_display, "label": item.label})
        return back(request)
    if item.done:
        messages.info(request, _("Déjà noté comme réalisé."))
        return back(request)
    try:
        records.mark_check_done(request.user, MonitoringCheck(
            patient=patient, kind=item.kind, due_date=item.day))
    except ValidationError:
        # Two clicks at once: the other one recorded it (one check per item).
        messages.info(request, _("Déjà noté comme réalisé."))
        return back(request)
    messages.success(request, _("%(kind)s %(label)s noté comme réalisé pour %(patient)s.") % {
        "kind": item.kind_display, "label": item.label, "patient": patient})
    return back(request)


@require_http_methods(["GET", "POST"])
def check_undo(request, pk, check_pk):
    """A wrong tick undone by its author or a haematologist: the item is back on the list."""
    check = get_record_for_user(request.user, pk, MonitoringCheck, check_pk,
                                "add_monitoringcheck")
    if not records.can_void(request.user, check):
        raise PermissionDenied
    form = VoidForm(request.POST or None)
    if check.voided_at is None and request.method == "POST" and form.is_valid():
        try:
            records.undo_check(request.user, check, form.cleaned_data["reason"])
        except ServiceError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("%(kind)s du %(due)s : relevé annulé pour %(patient)s, "
                                        "à nouveau à faire.") % {
                "kind": check.get_kind_display(), "due": check.due_date.strftime("%d/%m/%Y"),
                "patient": check.patient})
            return back(request)
    return render(request, "nursing/undo.html", {
        "check": check, "patient": check.patient, "form": form,
        "next": request.POST.get("next") or request.GET.get("next", "")})


@require_POST
def check_vitals(request):
    """Tick a visit or a blood pressure item, from the worklist, with the blood pressure
    (required for a blood pressure item) and the weight and height if measured; a value
    refused is shown next to its field on a page of its own, nothing saved."""
    require_perm(request.user, "record_vitals")
    key = CheckDoneForm(request.POST)
    if not key.is_valid():
        messages.error(request, _("Élément du calendrier non reconnu : rechargez la liste."))
        return back(request)
    data = key.cleaned_data
    patient = get_patient_for_user(request.user, data["patient"], "record_vitals")
    item = calendar_item(patient, data["kind"], data["due_date"])
    if item is None or not item.with_vitals or not item.recordable or item.done:
        messages.error(request, _("Cet élément n'est plus à faire au calendrier de "
                                  "%(patient)s : rechargez la liste.") % {"patient": patient})
        return back(request)
    form = VitalsForm(request.POST,
                      pressure_required=item.kind == MonitoringCheck.Kind.BLOOD_PRESSURE)
    if form.is_valid():
        values = form.cleaned_data
        measured = (BodyMeasurement(weight_kg=values["weight_kg"],
                                    height_cm=values["height_cm"])
                    if values["weight_kg"] is not None else None)
        try:
            records.record_vitals(request.user, MonitoringCheck(
                patient=patient, kind=item.kind, due_date=item.date),
                systolic=values["systolic_bp"], diastolic=values["diastolic_bp"],
                measurement=measured)
        except ValidationError:
            # Ticked meanwhile by someone else (one check per item): nothing saved.
            messages.info(request, _("Déjà noté comme réalisé."))
            return back(request)
        messages.success(request, _("%(kind)s %(label)s noté comme réalisé pour %(patient)s.")
                         % {"kind": item.kind_display, "label": item.label,
                            "patient": patient})
        return back(request)
    return render(request, "nursing/vitals.html", {
        "patient": patient, "item": item, "form": form, "key": data,
        "next": request.POST.get("next", "")})
