"""The pharmacist records what was dispensed for a validated prescription."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sirolimus_app.access import get_prescription_for_user
from sirolimus_app.forms.dispensing import DispenseForm, tablet_field_name
from sirolimus_app.services import dispensing
from sirolimus_app.services.errors import ServiceError


def _initial(prescription, days: int) -> dict:
    need = dispensing.computed(prescription, days)
    initial = {"days": days, "bottles": need.bottles}
    for strength, count in (need.tablets or {}).items():
        initial[tablet_field_name(strength)] = count
    return initial


@require_http_methods(["GET", "POST"])
def dispense(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, "dispense_prescription")
    today = timezone.localdate()
    days = dispensing.period(prescription, today).days
    form = DispenseForm(request.POST or None, initial=_initial(prescription, days),
                        form=prescription.form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = dispensing.dispense(
                request.user, pk, days=data["days"], batch=data["batch"],
                expiry=data["expiry"], bottles=data.get("bottles"), tablets=form.tablets())
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Dispensation enregistrée (lot %(batch)s) : imprimez "
                                        "l'étiquette du flacon.") % {"batch": record.batch})
            # Back on this page, whose list of dispensings holds the label to print.
            return redirect("prescription_dispense", pk)
    return render(request, "pharmacy/dispense.html", {
        "prescription": prescription,
        "form": form,
        "computed": dispensing.computed(prescription, days),
        "dispensings": prescription.dispensings.select_related("dispensed_by"),
        "dispensable": prescription.status in dispensing.DISPENSABLE,
    })
