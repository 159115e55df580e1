"""The review list: results the laboratory sent that no patient matched, or that need a
haematologist's eye (identity, plausibility, correction)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sirolimus_app.access import require_perm
from sirolimus_app.models import InboundResult
from sirolimus_app.services.errors import ServiceError

from . import review
from .forms import AttachForm, RejectForm

PERM = "resolve_inboundresult"
LIMIT = 100  # oldest first; the page says how many more wait


def _page(request, bound: dict | None = None):
    bound = bound or {}
    pending = InboundResult.objects.filter(status=InboundResult.Status.REVIEW)
    items = list(pending.select_related("message", "patient", "corrects")
                 .order_by("sampled_at", "pk")[:LIMIT])
    rows = [{"item": item,
             "attach": bound.get(("attach", item.pk)) or AttachForm(
                 item_id=item.pk, initial={"hospital_number": item.patient.hospital_number
                                           if item.patient else item.hospital_number}),
             "reject": bound.get(("reject", item.pk)) or RejectForm(item_id=item.pk)}
            for item in items]
    return render(request, "interop/review_list.html",
                  {"rows": rows, "total": pending.count(), "limit": LIMIT})


@require_GET
def review_list(request):
    require_perm(request.user, PERM)
    return _page(request)


def _resolve(request, pk: int, form_class, key: str, action, done: str):
    require_perm(request.user, PERM)
    form = form_class(request.POST, item_id=pk)
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ServiceError as error:
            if error.field not in form.fields:
                # About the result, not the input (decided meanwhile, a correction): said at
                # the top of the list, where that result may no longer be.
                messages.error(request, error.message)
                return redirect("interop_review")
            form.add_error(error.field, error.message)
        else:
            messages.success(request, done)
            return redirect("interop_review")
    return _page(request, {(key, pk): form})


@require_POST
def attach(request, pk: int):
    return _resolve(request, pk, AttachForm, "attach",
                    lambda data: review.attach(request.user, pk, data["hospital_number"]),
                    _("Résultat rattaché au dossier du patient."))


@require_POST
def reject(request, pk: int):
    return _resolve(request, pk, RejectForm, "reject",
                    lambda data: review.reject(request.user, pk, data["reason"]),
                    _("Résultat écarté."))
