from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from sirolimus_app.models import Prescription
from sirolimus_app.presenters import attention, calendar
from sirolimus_app.roles import Role, user_roles
from sirolimus_app.services import worklists

SHOWN = 10  # rows of each list on the home page; the worklists hold the rest
REJECTED_SHOWN_DAYS = 30


@require_GET
def home(request):
    """Each role's landing page: its worklist in short and the patients needing attention.
    A user with no role sees a plain explanation, no data."""
    roles = user_roles(request.user)
    if not roles:
        return render(request, "home/no_role.html", status=403)
    today = timezone.localdate()
    fresh = worklists.freshness(today)
    shown, flagged = worklists.attention_page(today, SHOWN, fresh)
    late = worklists.late_troughs(shown, today)
    reasons = {status.pk: attention.reasons(status, late[status.pk], today) for status in shown}
    context = {"roles": roles, "today": today,
               "attention": [(status.patient, reasons[status.pk]) for status in shown],
               "attention_count": flagged, "shown": SHOWN, "not_current": fresh.not_current}
    if Role.PHARMACIST in roles:
        pending = worklists.proposals_waiting()
        context["pending"] = list(pending[:SHOWN])
        context["pending_count"] = pending.count()
    if Role.NURSE in roles or Role.HAEMATOLOGIST in roles:
        context["counts"] = worklists.section_counts(today)["pending"]
        context["due_now"] = calendar.worklist_items(worklists.due_now(today)[:SHOWN], today)
    if Role.HAEMATOLOGIST in roles:
        context["rejected"] = (
            Prescription.objects.filter(
                proposed_by=request.user, status=Prescription.Status.REJECTED,
                reviewed_at__gte=timezone.now() - timedelta(days=REJECTED_SHOWN_DAYS))
            .exclude(reviewed_by=request.user)  # one's own withdrawals need no reminder
            .select_related("patient", "reviewed_by").order_by("-reviewed_at")[:SHOWN])
    return render(request, "home/home.html", context)


@login_not_required
@require_GET
def favicon(request):
    """Browsers (and Chromium's PDF viewer) ask for /favicon.ico whatever the page links."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))

