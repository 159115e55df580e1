"""The ward's papers: the off-label prescription and the bottle label. Each print is audited
(what was handed to a family or stuck on a bottle must be traceable)."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sirolimus_app.access import get_dispensing_for_user, get_prescription_for_user
from sirolimus_app.documents import papers
from sirolimus_app.services import audit
from sirolimus_app.views.documents import _pdf


@never_cache
@require_GET
def prescription_pdf(request, pk: int):
    prescription = get_prescription_for_user(request.user, pk, "propose_prescription")
    if prescription.status not in papers.PRINTABLE:
        raise Http404(_("Cette prescription n'est pas validée : pas d'ordonnance."))
    document = papers.off_label_prescription(prescription, request.user)
    audit.record(request.user, "document.prescription_print", prescription,
                 before=None, after={"document": "ordonnance", "language": request.LANGUAGE_CODE})
    return _pdf(request, "pdf/offlabel_prescription.html", document,
                _("Ordonnance hors AMM"), f"ordonnance-sirolimus-{pk}",
                extra={"is_prescription": True})


@never_cache
@require_GET
def bottle_label_pdf(request, pk: int):
    dispensing = get_dispensing_for_user(request.user, pk)
    document = papers.bottle_label(dispensing, request.user)
    audit.record(request.user, "document.label_print", dispensing,
                 before=None, after={"document": "étiquette", "batch": dispensing.batch})
    return _pdf(request, "pdf/bottle_label.html", document, _("Étiquette du flacon"),
                f"etiquette-sirolimus-{pk}")
