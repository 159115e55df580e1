"""The nurses' worklist: across all followed patients, what is overdue, due today and due this
week, with one click to record that a sample was taken or a visit done."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sirolimus_app.access import get_patient_for_user, has_perm, redirect_back, require_perm
from sirolimus_app.forms.workflow import CheckDoneForm
from sirolimus_app.models import MonitoringCheck
from sirolimus_app.presenters import calendar
from sirolimus_app.services import records, worklists

PER_PAGE = 20
UNAVAILABLE_SHOWN = 20  # patients named in the "calendar unavailable" warning


@require_GET
def worklist(request):
    require_perm(request.user, "record_vitals")
    today = timezone.localdate()
    fresh = worklists.freshness(today)
    counts = worklists.section_counts(today, fresh)
    section = request.GET.get("periode", "")
    if section not in calendar.SECTIONS:
        section = ""
    paginator = Paginator(worklists.due_items(today, section), PER_PAGE)
    # The count is already known from section_counts: spare the paginator its COUNT query.
    paginator.count = (counts["all"][section] if section else sum(counts["all"].values()))
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = calendar.worklist_items(page.object_list, today)
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
        "here": request.get_full_path(),
    })


def _back(request):
    return redirect_back(request, "nurse_worklist")


@require_POST
def check_done(request):
    """Record that one calendar item was done; it must still be on the patient's calendar."""
    require_perm(request.user, "add_monitoringcheck")
    form = CheckDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Élément du calendrier non reconnu : rechargez la liste."))
        return _back(request)
    data = form.cleaned_data
    patient = get_patient_for_user(request.user, data["patient"], "add_monitoringcheck")
    today = timezone.localdate()
    scans = worklists.scan(today, worklists.followed_patients().filter(pk=patient.pk))
    item = next((i for s in scans for i in calendar.worklist_items(s.items, today)
                 if i.kind == data["kind"] and i.day == data["due_date"]), None)
    if item is None:
        messages.error(request, _("Cet élément n'est plus au calendrier de %(patient)s : "
                                  "rechargez la liste.") % {"patient": patient})
        return _back(request)
    if item.done:
        messages.info(request, _("Déjà noté comme réalisé."))
        return _back(request)
    try:
        records.mark_check_done(request.user, MonitoringCheck(
            patient=patient, kind=item.kind, due_date=item.day))
    except ValidationError:
        # Two clicks at once: the other one recorded it (one check per item).
        messages.info(request, _("Déjà noté comme réalisé."))
        return _back(request)
    messages.success(request, _("%(kind)s %(label)s noté comme réalisé pour %(patient)s.") % {
        "kind": item.kind_display, "label": item.label, "patient": patient})
    return _back(request)
