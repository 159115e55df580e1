"""The patient page, the eligibility page and the dose proposal page: what the protocol
engine says about this child today, with the means to act on it one click away."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sirolimus_app.access import get_patient_for_user, get_patient_record_for_user, require_perm
from sirolimus_app.forms import ProposalChoiceForm
from sirolimus_app.models import AuditEvent, LabResult, Prescription
from sirolimus_app.models.clinical import valid
from sirolimus_app.presenters import advice as present
from sirolimus_app.presenters import audit as audit_lines
from sirolimus_app.presenters import calendar
from sirolimus_app.presenters import entries as entry_lines
from sirolimus_app.presenters.formatting import number
from sirolimus_app.services import access_log, records
from sirolimus_app.services import patients as patient_services
from sirolimus_app.services.errors import ServiceError

# The patient page shows the latest changes (as it shows the latest troughs and counts); the
# history page pages through all of them.
AUDIT_LINES_SHOWN = 5
HISTORY_PER_PAGE = 50
Status = Prescription.Status


def _treatment(patient) -> dict:
    """The prescriptions as the pages speak of them: current, pending, last refusal."""
    by_recency = sorted(patient.prescriptions.all(), key=lambda p: (p.proposed_at, p.pk),
                        reverse=True)
    current = next((p for p in by_recency if p.status in Prescription.CURRENT_STATUSES), None)
    pending = next((p for p in by_recency if p.status in (Status.PROPOSED, Status.VALIDATED)),
                   None)
    latest = by_recency[0] if by_recency else None
    rejected = latest if latest and latest.status == Status.REJECTED else None
    return {"current": current, "pending": pending, "rejected": rejected}


def _advice_context(request, patient) -> dict:
    result = patient_services.advise_safely(patient)
    advice = result.advice if result else None
    links = present.fixes(patient, request.user.get_all_permissions())
    treatment = _treatment(patient)
    alerts = present.alerts(advice.alerts if advice else ())
    return {
        "patient": patient,
        "advice": advice,
        "engine_failed": result is None,
        "problems": present.problem_rows(result.problems if result else [], links),
        "fixes": links,
        "alerts": alerts,
        # What needs acting on, and the information-level notes shown quietly under it.
        "warnings": [a for a in alerts if a.severity != "info"],
        "notes": [a for a in alerts if a.severity == "info"],
        "toxic_alert": present.suspension_alert(advice),
        "proposals": present.proposals(advice, treatment["current"]),
        "taper": present.taper_plan(advice),
        **treatment,
    }


@require_http_methods(["GET"])
def patient_detail(request, pk):
    patient = get_patient_record_for_user(request.user, pk)
    access_log.record(request, access_log.Page.RECORD, patient.pk)
    context = _advice_context(request, patient)
    advice = context["advice"]
    events = AuditEvent.objects.filter(patient=patient).select_related("user")
    audit = audit_lines.audit_rows(events[:AUDIT_LINES_SHOWN + 1])
    context.update(
        troughs=present.trough_rows(valid(patient.troughs.all()), advice),
        due=calendar.due_items(advice.next if advice else ()),
        response=present.response(advice),
        measurement=next(iter(valid(patient.measurements.all())), None),
        audit=audit[:AUDIT_LINES_SHOWN],
        audit_truncated=len(audit) > AUDIT_LINES_SHOWN,
    )
    return render(request, "patients/detail.html", context)


@require_http_methods(["GET"])
def patient_history(request, pk):
    """Every change of the record, newest first, a page at a time, every prescription, every
    platelet count and visit (the patient page shows what they amount to: response, charts,
    what is due)."""
    patient = get_patient_for_user(request.user, pk)
    access_log.record(request, access_log.Page.HISTORY, patient.pk)
    events = AuditEvent.objects.filter(patient=patient).select_related("user")
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))

    def may_void(record) -> bool:
        return records.can_void(request.user, record)

    return render(request, "patients/history.html", {
        "patient": patient,
        "page": page,
        "audit": audit_lines.audit_rows(page),
        "prescriptions": patient.prescriptions.select_related(
            "proposed_by", "reviewed_by").order_by("-proposed_at", "-pk"),
        "platelets": entry_lines.entry_rows(
            patient.lab_results.filter(kind=LabResult.Kind.PLATELETS)
            .select_related("voided_by").order_by("-sampled_at", "-pk"), may_void),
        "visits": entry_lines.entry_rows(patient.visits.select_related("voided_by"), may_void),
        "entries": entry_lines.entry_sections(records.history_entries(patient), may_void),
    })


@require_http_methods(["GET"])
def patient_eligibility(request, pk):
    patient = get_patient_record_for_user(request.user, pk)
    access_log.record(request, access_log.Page.ELIGIBILITY, patient.pk)
    context = _advice_context(request, patient)
    context["checks"] = present.eligibility_checks(context["advice"], context["fixes"])
    return render(request, "patients/eligibility.html", context)


@require_http_methods(["GET", "POST"])
def patient_proposal(request, pk):
    if request.method == "POST":
        require_perm(request.user, "propose_prescription")
    patient = get_patient_record_for_user(request.user, pk)
    access_log.record(request, access_log.Page.PROPOSAL, patient.pk)
    error = None
    if request.method == "POST":
        form = ProposalChoiceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                prescription = patient_services.propose_choice(
                    request.user, patient.pk, data["choice"], data["action"],
                    data["mg_per_day"], data["reason"])
            except (ServiceError, ValidationError) as refusal:
                error = getattr(refusal, "message", None) or " ".join(refusal.messages)
            else:
                messages.success(request, _(
                    "Prescription proposée (%(mg)s mg/j) : elle attend la validation "
                    "pharmaceutique avant toute administration.")
                    % {"mg": number(prescription.mg_per_day)})
                return redirect("patient_detail", patient.pk)
        else:
            error = _("Choix de proposition invalide : rechargez la page.")
    context = _advice_context(request, patient)
    context["error"] = error
    return render(request, "patients/proposal.html", context)
