"""Changing the current treatment without a new dose: suspending, stopping, and withdrawing a
proposal the pharmacist has not reviewed yet."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sirolimus_app.access import get_patient_prescription_for_user, get_patient_record_for_user
from sirolimus_app.forms import TreatmentChangeForm
from sirolimus_app.forms.common import attach_errors
from sirolimus_app.models import Prescription
from sirolimus_app.presenters.formatting import number
from sirolimus_app.services import prescriptions
from sirolimus_app.services.errors import ServiceError
from sirolimus_app.services.patients import advise_safely


def _change(request, pk, *, service, template, initial_reason=lambda patient: "", done):
    patient = get_patient_record_for_user(request.user, pk, "propose_prescription")
    current = next((p for p in patient.prescriptions.all()
                    if p.status in Prescription.CURRENT_STATUSES), None)
    form = TreatmentChangeForm(request.POST or None, initial=None if request.method == "POST"
                               else {"reason": initial_reason(patient)})
    if request.method == "POST" and form.is_valid():
        try:
            changed = service(request.user, patient.pk, form.cleaned_data["reason"],
                              on_date=form.cleaned_data["on_date"])
        except (ServiceError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, done(changed))
            return redirect("patient_detail", patient.pk)
    return render(request, template, {"patient": patient, "current": current, "form": form})


def _toxic_reason(patient) -> str:
    """The suspension's reason, pre-filled when the engine advises it for a toxic trough."""
    result = advise_safely(patient)
    toxic = result.advice.pending_suspension if result and result.advice else None
    if toxic is None:
        return ""
    return _("Taux résiduel toxique : %(value)s ng/ml le %(date)s (> 15 ng/ml, TOX-SUSPEND)") % {
        "value": number(round(toxic.ng_ml, 3)), "date": date_format(toxic.date, "d/m/Y")}


@require_http_methods(["GET", "POST"])
def patient_suspend(request, pk):
    return _change(
        request, pk, service=prescriptions.suspend, template="patients/suspend.html",
        initial_reason=_toxic_reason,
        done=lambda p: _("Traitement suspendu le %(date)s. Suivez le contrôle indiqué sur la "
                         "page du patient avant toute reprise.")
        % {"date": date_format(p.suspended_on, "d/m/Y")})


@require_http_methods(["GET", "POST"])
def patient_stop(request, pk):
    return _change(
        request, pk, service=prescriptions.stop, template="patients/stop.html",
        done=lambda p: _("Traitement arrêté le %(date)s.")
        % {"date": date_format(p.end_date, "d/m/Y")})


@require_POST
def prescription_withdraw(request, pk, prescription_pk):
    prescription = get_patient_prescription_for_user(request.user, pk, prescription_pk,
                                                     perm="propose_prescription")
    try:
        version = int(request.POST.get("version", ""))
        prescriptions.withdraw(request.user, prescription.pk, version)
    except ValueError:
        messages.error(request, _("Requête invalide : rechargez la page."))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Proposition retirée."))
    return redirect("patient_detail", pk)


@require_POST
def prescription_repropose(request, pk, prescription_pk):
    """One click after a refusal for a changed record: withdraw, propose the current dose."""
    prescription = get_patient_prescription_for_user(request.user, pk, prescription_pk,
                                                     perm="propose_prescription")
    try:
        version = int(request.POST.get("version", ""))
        fresh = prescriptions.repropose(request.user, prescription.pk, version)
    except ValueError:
        messages.error(request, _("Requête invalide : rechargez la page."))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Proposition retirée et remplacée par la dose actuelle du "
                                    "protocole : %(mg)s mg/j.")
                         % {"mg": number(fresh.mg_per_day)})
    return redirect("patient_detail", pk)
