"""The nurse's ticks beyond one click: undoing a wrong one (with its reason, audited; the item
is due again), and ticking a visit or a blood pressure item with what she measured."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sirolimus_app.access import get_patient_for_user, get_record_for_user, require_perm
from sirolimus_app.forms.corrections import VoidForm
from sirolimus_app.forms.nursing import VitalsForm
from sirolimus_app.forms_workflow import CheckDoneForm
from sirolimus_app.models import BodyMeasurement, MonitoringCheck
from sirolimus_app.services import records
from sirolimus_app.services.errors import ServiceError
from sirolimus_app.views.nursing import back, calendar_item
from sirolimus_app.views.patients_entries import attach_errors


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
