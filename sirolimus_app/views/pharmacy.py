"""The pharmacist's worklist: proposals awaiting validation, validated or refused from there."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sirolimus_app.access import (
    get_prescription_for_user,
    has_perm,
    redirect_back,
    require_perm,
    safe_next,
)
from sirolimus_app.forms.workflow import RejectForm, ValidateForm
from sirolimus_app.models import Prescription
from sirolimus_app.presenters import advice as present
from sirolimus_app.presenters.decisions import change_lines, forbidden_lines, pharmacist_check
from sirolimus_app.services import access_log, decisions, prescriptions, worklists
from sirolimus_app.services.errors import ServiceError

# Each card is a whole analysis (working, alerts, previous dose, both forms), about a screen
# high: five per page, with the number waiting above them and the pages below.
PER_PAGE = 5


@dataclass
class Card:
    """What one proposal's card shows: the prescription and its stored working, unpacked."""

    prescription: Prescription
    dose: dict
    working: dict
    alerts: list
    tablets: list[tuple[str, int]]
    age_years: int
    validate_form: ValidateForm | None
    reject_form: RejectForm | None
    new_data: bool
    # The realisable neighbours and the change of presentation, as recorded at propose time.
    alternatives: list[present.Alternative] = field(default_factory=list)
    presentation_change: bool = False
    # The engine today on the current record (proposals only): what would refuse Valider.
    assessment: decisions.Assessment | None = None

    @property
    def form_label(self) -> str:
        return str(present.FORM_LABELS.get(self.prescription.form, self.prescription.form))

    @property
    def forbidden(self):
        return forbidden_lines(self.assessment.forbidden) if self.assessment else []

    @property
    def check(self):
        return pharmacist_check(self.assessment, timezone.localdate())

    @property
    def changes(self):
        return (change_lines(self.assessment.changes, self.assessment.weight_date)
                if self.assessment else [])

    @property
    def mg(self):
        """The dose as prescribed, without trailing zeros (2,1 mg/j, not 2,10)."""
        return self.prescription.mg_per_day.normalize()

    @property
    def previous_mg(self):
        replaced = self.prescription.replaces
        return replaced.mg_per_day.normalize() if replaced else None

    @property
    def warnings(self) -> list:
        return [a for a in self.alerts if a.get("severity") != "info"]

    @property
    def notes(self) -> list:
        return [a for a in self.alerts if a.get("severity") == "info"]

    @property
    def waiting_days(self) -> int:
        return (timezone.localdate() - timezone.localdate(self.prescription.proposed_at)).days


def _age(birth, today) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def card(prescription: Prescription, user, reject_form: RejectForm | None = None,
         new_data: bool | None = None,
         assessment: decisions.Assessment | None = None) -> Card:
    stored = prescription.working or {}
    dose = stored.get("dose") or {}
    actionable = (prescription.status == Prescription.Status.PROPOSED
                  and has_perm(user, "validate_prescription"))
    version = {"version": prescription.version}
    return Card(
        prescription=prescription,
        dose=dose,
        working=dose.get("working") or stored.get("detail") or {},
        alerts=list(stored.get("alerts", [])),  # shown with `localized` in the active language
        tablets=sorted(((strength, count) for strength, count in (prescription.tablets or {})
                        .items()), key=lambda t: -float(t[0])),
        age_years=_age(prescription.patient.birth_date, timezone.localdate()),
        validate_form=ValidateForm(initial=version, prescription_id=prescription.pk)
        if actionable else None,
        reject_form=(reject_form or RejectForm(initial=version, prescription_id=prescription.pk)
                     ) if actionable else None,
        new_data=getattr(prescription, "new_data", False) if new_data is None else new_data,
        alternatives=present.alternatives(dose.get("alternatives")),
        presentation_change=bool((dose.get("working") or {}).get("presentation_change")),
        assessment=assessment,
    )


def _assessed(prescriptions_shown) -> dict:
    """The engine's check of the proposals still awaiting validation (fixed queries)."""
    waiting = [p for p in prescriptions_shown if p.status == Prescription.Status.PROPOSED]
    return decisions.assessments(waiting) if waiting else {}


@require_GET
def worklist(request):
    require_perm(request.user, "validate_prescription")
    paginator = Paginator(worklists.pending_prescriptions(), PER_PAGE)
    # Counted on the bare table: counting the annotated query costs a subquery per row.
    paginator.count = worklists.proposals_waiting().count()
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page)
    checked = _assessed(shown)
    return render(request, "pharmacy/worklist.html", {
        "page": page, "cards": [card(p, request.user, assessment=checked.get(p.pk))
                                for p in shown],
    })


def _review_page(request, prescription, reject_form=None):
    """The review page; after a refused POST it is shown at the POST's URL, so its forms must
    send the pharmacist back where they came from, not to that URL."""
    new_data = (prescription.status == Prescription.Status.PROPOSED
                and worklists.changed_since_proposal(prescription))
    next_url = (safe_next(request) or reverse("prescription_review", args=[prescription.pk])
                if request.method == "POST" else request.get_full_path())
    return render(request, "pharmacy/review.html", {
        "next_url": next_url,
        "card": card(prescription, request.user, reject_form, new_data,
                     _assessed([prescription]).get(prescription.pk)),
        "history": prescription.patient.prescriptions.select_related(
            "proposed_by", "reviewed_by").order_by("-proposed_at", "-pk")[:10],
    })


@require_GET
def review(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk)
    access_log.record(request, access_log.Page.REVIEW, prescription.patient_id,
                      f"prescription:{pk}")
    return _review_page(request, prescription)


def _back(request):
    return redirect_back(request, "pharmacy_worklist")


@require_POST
def validate(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, "validate_prescription")
    form = ValidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Formulaire incomplet : rechargez la page."))
        return _back(request)
    try:
        done = prescriptions.validate(request.user, pk, form.cleaned_data["version"])
    except ServiceError as error:
        messages.error(request, error.message)
        return _back(request)
    messages.success(request, _("Prescription validée pour %(patient)s : %(dose)s mg/j, "
                                "%(status)s.") % {
        "patient": prescription.patient, "dose": formats.number_format(done.mg_per_day),
        "status": done.get_status_display().lower()})
    return _back(request)


@require_POST
def reject(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, "validate_prescription")
    form = RejectForm(request.POST, prescription_id=pk)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("Formulaire incomplet : rechargez la page."))
            return _back(request)
        return _review_page(request, prescription, form)
    try:
        prescriptions.reject(request.user, pk, form.cleaned_data["version"],
                             form.cleaned_data["reason"])
    except ServiceError as error:
        if error.field == "reason":
            form.add_error("reason", error.message)
            return _review_page(request, prescription, form)
        messages.error(request, error.message)
        return _back(request)
    messages.success(request, _("Prescription refusée pour %(patient)s ; le motif est transmis "
                                "au prescripteur.") % {"patient": prescription.patient})
    return _back(request)
