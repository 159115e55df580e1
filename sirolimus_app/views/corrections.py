"""Entry errors: voiding a wrong record ("erreur de saisie", with its reason) and correcting
it (voided, and the right value entered in its place, linked to it). The record stays, struck
through, in the history; the services recompute the advice and the calendar."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sirolimus_app.access import get_patient_for_user, get_record_for_user
from sirolimus_app.forms import (
    AdverseEventForm,
    CoMedicationForm,
    LabResultForm,
    MeasurementForm,
    TroughForm,
    VisitForm,
)
from sirolimus_app.forms.common import attach_errors
from sirolimus_app.forms.corrections import VoidForm
from sirolimus_app.models import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    TroughLevel,
    Visit,
)
from sirolimus_app.services import patients as patient_services
from sirolimus_app.services import records
from sirolimus_app.services.errors import ServiceError


@dataclass(frozen=True)
class EntryKind:
    model: type
    form_class: type
    save: object  # the kind's add service
    name: object  # what the pages call it


# By the URL's <kind>: the model's name.
KINDS = {
    kind.model._meta.model_name: kind for kind in (
        EntryKind(TroughLevel, TroughForm, records.add_trough,
                  gettext_lazy("taux résiduel")),
        EntryKind(LabResult, LabResultForm, records.add_lab_result,
                  gettext_lazy("résultat biologique")),
        EntryKind(BodyMeasurement, MeasurementForm, records.add_measurement,
                  gettext_lazy("poids et taille")),
        EntryKind(Visit, VisitForm, patient_services.save_visit, gettext_lazy("visite")),
        EntryKind(AdverseEvent, AdverseEventForm, records.add_adverse_event,
                  gettext_lazy("effet indésirable")),
        EntryKind(CoMedication, CoMedicationForm, records.add_comedication,
                  gettext_lazy("traitement associé")),
    )
}


def _record(request, pk, kind, record_pk):
    """The record, if the user may void it (its author, or a haematologist) and it is not
    voided already."""
    entry = KINDS.get(kind)
    if entry is None:
        raise Http404
    record = get_record_for_user(request.user, pk, entry.model, record_pk)
    if not records.can_void(request.user, record):
        raise PermissionDenied
    return entry, record


def _context(record, entry, **extra) -> dict:
    return {"patient": record.patient, "record": record, "kind_name": entry.name, **extra}


@require_http_methods(["GET", "POST"])
def record_void(request, pk, kind, record_pk):
    entry, record = _record(request, pk, kind, record_pk)
    form = VoidForm(request.POST or None)
    if record.voided_at is None and request.method == "POST" and form.is_valid():
        try:
            records.void_record(request.user, record, form.cleaned_data["reason"])
        except ServiceError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Saisie annulée (erreur de saisie) : %(record)s. Elle "
                                        "reste, barrée, dans l'historique.")
                             % {"record": entry.name})
            return redirect("patient_history", pk)
    return render(request, "patients/void.html", _context(record, entry, form=form))


@require_http_methods(["GET", "POST"])
def record_correct(request, pk, kind, record_pk):
    """The kind's form pre-filled from the wrong record; saving voids it and enters this."""
    entry, record = _record(request, pk, kind, record_pk)
    patient = get_patient_for_user(request.user, pk, records.ADD_PERMISSIONS[entry.model])
    fields = entry.form_class._meta.fields
    replacement = entry.model(corrects=record)
    data = request.POST if request.method == "POST" else None
    form = entry.form_class(data, patient=patient, instance=replacement,
                            initial=model_to_dict(record, fields=fields))
    void_form = VoidForm(data, prefix="void")
    if (record.voided_at is None and data is not None and form.is_valid()
            and void_form.is_valid()):
        try:
            records.correct_record(request.user, record, form.save(commit=False),
                                   void_form.cleaned_data["reason"], entry.save)
        except ServiceError as error:
            attach_errors(void_form if error.field == "reason" else form, error)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Saisie corrigée : %(record)s. L'ancienne valeur reste, "
                                        "barrée, dans l'historique.") % {"record": entry.name})
            return redirect("patient_history", pk)
    return render(request, "patients/correct.html",
                  _context(record, entry, form=form, void_form=void_form))
