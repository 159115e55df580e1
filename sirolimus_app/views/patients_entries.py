"""Entering what is measured or observed for a patient: one small view per record kind, all
through the same steps (permission, French form, audited service, back to the patient)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sirolimus_app.access import (
    get_comedication_for_user,
    get_patient_for_user,
    get_visit_for_user,
)
from sirolimus_app.forms import (
    AdverseEventForm,
    CoMedicationForm,
    LabResultForm,
    MeasurementForm,
    TroughForm,
    VisitForm,
)
from sirolimus_app.forms.common import attach_errors
from sirolimus_app.forms.records import UNITS_BY_KIND, default_sampled_at, visit_labels
from sirolimus_app.models import LabResult
from sirolimus_app.presenters.formatting import number
from sirolimus_app.services import patients as patient_services
from sirolimus_app.services import records
from sirolimus_app.services.errors import ServiceError


def _entry(request, pk, *, perm, form_class, save, title, done, instance=None, initial=None,
           help_rules=()):
    patient = get_patient_for_user(request.user, pk, perm)
    form = form_class(request.POST or None, patient=patient, instance=instance,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(request.user, form.save(commit=False))
        except (ServiceError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, done(saved))
            return redirect("patient_detail", patient.pk)
    return render(request, "patients/record_form.html",
                  {"patient": patient, "form": form, "title": title, "help_rules": help_rules})


@require_http_methods(["GET", "POST"])
def measurement_add(request, pk):
    return _entry(request, pk, perm="add_bodymeasurement", form_class=MeasurementForm,
                  save=records.add_measurement, title=_("Poids et taille"),
                  initial={"measured_on": _today()},
                  done=lambda m: _("Mesure enregistrée : %(w)s kg, %(h)s cm.")
                  % {"w": number(m.weight_kg), "h": number(m.height_cm)})


@require_http_methods(["GET", "POST"])
def comedication_add(request, pk):
    return _entry(request, pk, perm="add_comedication", form_class=CoMedicationForm,
                  save=records.add_comedication, title=_("Traitement associé"),
                  help_rules=("NO-OTHER-IS", "DDI-CYP3A-PGP"),
                  done=lambda c: _("Traitement associé enregistré : %(name)s.") % {"name": c.name})


@require_http_methods(["GET", "POST"])
def comedication_edit(request, pk, comedication_pk):
    instance = get_comedication_for_user(request.user, pk, comedication_pk,
                                         perm="change_comedication")
    return _entry(request, pk, perm="change_comedication", form_class=CoMedicationForm,
                  instance=instance, title=_("Modifier un traitement associé"),
                  save=lambda user, c: records.update_record(user, "change_comedication", c),
                  help_rules=("NO-OTHER-IS", "DDI-CYP3A-PGP"),
                  done=lambda c: _("Traitement associé modifié : %(name)s.") % {"name": c.name})


@require_http_methods(["GET", "POST"])
def trough_add(request, pk):
    return _entry(request, pk, perm="add_troughlevel", form_class=TroughForm,
                  save=records.add_trough, title=_("Taux résiduel de sirolimus"),
                  initial={"sampled_at": default_sampled_at()},
                  help_rules=("TDM-STEADY-STATE", "TOX-SUSPEND"),
                  done=lambda t: _("Taux résiduel enregistré : %(value)s ng/ml.")
                  % {"value": number(t.value_ng_ml)})


@require_http_methods(["GET", "POST"])
def lab_add(request, pk):
    kind = request.GET.get("kind", LabResult.Kind.PLATELETS)
    if kind not in LabResult.Kind.values:
        kind = LabResult.Kind.PLATELETS
    return _entry(request, pk, perm="add_labresult", form_class=LabResultForm,
                  save=records.add_lab_result, title=_("Résultat biologique"),
                  initial={"kind": kind, "unit": UNITS_BY_KIND[kind][0],
                           "sampled_at": default_sampled_at()},
                  help_rules=("PRE-WORKUP", "AE-LIPIDS"),
                  done=lambda lab: _("Résultat enregistré : %(kind)s %(value)s %(unit)s.")
                  % {"kind": lab.get_kind_display(), "value": number(lab.value),
                     "unit": lab.unit})


@require_http_methods(["GET", "POST"])
def visit_add(request, pk):
    label = request.GET.get("label", "")
    initial = {"label": label} if label in dict(visit_labels()) else {}
    if label == "PRE":
        initial["done_date"] = _today()
    return _entry(request, pk, perm="add_visit", form_class=VisitForm,
                  save=patient_services.save_visit, title=_("Visite"), initial=initial,
                  help_rules=("FOLLOW-VISITS", "AE-BP"),
                  done=lambda v: _("Visite %(label)s enregistrée.") % {"label": v.label})


@require_http_methods(["GET", "POST"])
def visit_edit(request, pk, visit_pk):
    instance = get_visit_for_user(request.user, pk, visit_pk, perm="change_visit")
    return _entry(request, pk, perm="change_visit", form_class=VisitForm, instance=instance,
                  save=patient_services.save_visit, title=_("Modifier la visite"),
                  help_rules=("FOLLOW-VISITS", "AE-BP"),
                  done=lambda v: _("Visite %(label)s modifiée.") % {"label": v.label})


@require_http_methods(["GET", "POST"])
def adverse_event_add(request, pk):
    return _entry(request, pk, perm="add_adverseevent", form_class=AdverseEventForm,
                  save=records.add_adverse_event, title=_("Effet indésirable"),
                  initial={"onset_date": _today()},
                  help_rules=("FOLLOW-PHARMACOVIGILANCE", "AE-TROUGH"),
                  done=lambda e: _("Effet indésirable enregistré : %(kind)s.")
                  % {"kind": e.get_kind_display()})


def _today():
    return timezone.localdate()
