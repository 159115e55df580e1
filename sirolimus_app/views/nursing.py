"""The nurses' worklist: across all followed patients, what is overdue, due today and due this
week, with one click to record that a sample was taken or a visit done."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sirolimus_app.access import get_patient_for_user, require_perm
from sirolimus_app.forms_workflow import CheckDoneForm
from sirolimus_app.models import MonitoringCheck
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
    if section not in worklists.SECTIONS:
        section = ""
    paginator = Paginator(worklists.due_items(today, section), PER_PAGE)
    # The count is already known from section_counts: spare the paginator its COUNT query.
    paginator.count = (counts["all"][section] if section else sum(counts["all"].values()))
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = worklists.dress(page.object_list, today)
    # One more than shown, to know whether to say that there are others.
    unavailable = list(worklists.unavailable_calendars()[:UNAVAILABLE_SHOWN + 1])
    return render(request, "nursing/worklist.html", {
        "today": today,
        "page": page,
        "tabs": [(key, label, counts["pending"][key])
                 for key, label in worklists.SECTIONS.items()],
        "section": section,
        "incomplete": unavailable[:UNAVAILABLE_SHOWN],
        "incomplete_more": len(unavailable) > UNAVAILABLE_SHOWN,
        "not_current": fresh.not_current,
        "can_tick": request.user.has_perm("sirolimus_app.add_monitoringcheck"),
        "tick_url": reverse("nurse_check_done"),
        "vitals_url": reverse("nurse_check_vitals"),
        "here": request.get_full_path(),
    })


def back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return HttpResponseRedirect(target)  # a URL, never read as a view name
    return redirect(reverse("nurse_worklist"))


def calendar_item(patient, kind: str, due_date):
    """The patient's item of this kind due that day, as today's worklist has it, or None."""
    scans = worklists.scan(timezone.localdate(),
                           worklists.followed_patients().filter(pk=patient.pk))
    return next((i for s in scans for i in s.items if i.kind == kind and i.date == due_date),
                None)


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
            patient=patient, kind=item.kind, due_date=item.date))
    except ValidationError:
        # Two clicks at once: the other one recorded it (one check per item).
        messages.info(request, _("Déjà noté comme réalisé."))
        return back(request)
    messages.success(request, _("%(kind)s %(label)s noté comme réalisé pour %(patient)s.") % {
        "kind": item.kind_display, "label": item.label, "patient": patient})
    return back(request)
