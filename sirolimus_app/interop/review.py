"""The haematologist's decisions on results held for review: attach to a patient (the record
is then made through the same services, under the haematologist's name), or reject with a
reason. Each in one transaction with its audit line."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from sirolimus_app.models import InboundResult, Patient
from sirolimus_app.services import audit
from sirolimus_app.services.errors import ServiceError

from . import importer
from .mapping import MessageError

Status = InboundResult.Status
PERM = "sirolimus_app.resolve_inboundresult"


def _pending(user, pk: int) -> InboundResult:
    if not user.has_perm(PERM):
        raise PermissionDenied
    item = (InboundResult.objects.select_for_update().select_related("message")
            .filter(pk=pk).first())
    if item is None:
        raise ServiceError("Ce résultat n'existe pas.")
    if item.status != Status.REVIEW:
        raise ServiceError("Ce résultat a déjà été traité par quelqu'un d'autre.")
    return item


@transaction.atomic
def attach(user, pk: int, hospital_number: str) -> InboundResult:
    item = _pending(user, pk)
    if item.corrected:
        # A correction is held when it could not replace its earlier result (none still
        # counting, another child, a doubt): attaching it would add a second value beside the
        # wrong one. It is set aside, and the earlier entry corrected from the history.
        raise ServiceError("Ce résultat corrigé n'a pas pu remplacer le résultat d'origine : "
                           "écartez-le avec un motif et corrigez la saisie d'origine depuis "
                           "l'historique du patient.")
    patient = Patient.objects.filter(hospital_number=hospital_number.strip()).first()
    if patient is None:
        raise ServiceError(f"Aucun patient avec l'IPP {hospital_number}.",
                           field="hospital_number")
    try:
        importer.create_record(item, patient, user, importer.source_text(item.message)
                               + f", rattaché par {user.get_full_name() or user.username}")
    except MessageError as error:
        raise ServiceError(error.reason) from error
    item.patient, item.status = patient, Status.ATTACHED
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.save(update_fields=["patient", "status", "resolved_by", "resolved_at", "trough",
                             "lab_result"])
    audit.record(user, "inboundresult.attach", item,
                 after={"patient": patient.pk, "record": str(item.record)})
    return item


@transaction.atomic
def reject(user, pk: int, reason: str) -> InboundResult:
    item = _pending(user, pk)
    if not reason.strip():
        raise ServiceError("Le motif est obligatoire.", field="reason")
    item.status, item.rejection_reason = Status.REJECTED, reason.strip()
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.save(update_fields=["status", "rejection_reason", "resolved_by", "resolved_at"])
    audit.record(user, "inboundresult.reject", item, after={"reason": item.rejection_reason})
    return item
