"""Receiving a message: stored raw with its fate, its results imported through the same
services as a typed result (one transaction, the audit line, the engine re-run and the
stored calendar refreshed by records.add_*), or held for a haematologist. Nothing is dropped:
a message that fails is stored with the reason, and the sender told (ACK / OperationOutcome).
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import IntegrityError, transaction

from sirolimus_app.models import InboundMessage, InboundResult, LabResult, Patient, TroughLevel
from sirolimus_app.services import records

from . import mapping
from .mapping import Inbound, MessageError, Result

logger = logging.getLogger(__name__)
Fate = InboundMessage.Fate
Status = InboundResult.Status
Kind = InboundResult.Kind
CORRECTION_REASON = "résultat corrigé : à valider"
_LAB_KINDS = {Kind.PLATELETS: LabResult.Kind.PLATELETS,
              Kind.CHOLESTEROL: LabResult.Kind.CHOLESTEROL,
              Kind.TRIGLYCERIDES: LabResult.Kind.TRIGLYCERIDES}


@dataclass(frozen=True)
class Outcome:
    message: InboundMessage
    ack: str  # AA accepted (imported, held for review or already received), AE, AR
    reason: str  # French, for the ACK / OperationOutcome


def laboratory_user() -> User:
    """The account imports are recorded under: it cannot log in (no password) and may only
    add troughs and lab results."""
    user, created = User.objects.get_or_create(
        username=settings.INTEROP_LABORATORY_USERNAME,
        defaults={"first_name": "Laboratoire", "last_name": "(interface)"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.user_permissions.set(Permission.objects.filter(
            content_type__app_label="sirolimus_app",
            codename__in=["add_troughlevel", "add_labresult"]))
    return user


def source_text(message: InboundMessage) -> str:
    """What the audit line says about where a result came from."""
    return (f"importé du message {message.control_id} du laboratoire {message.sender} "
            f"({message.get_format_display()}, {message.get_channel_display()})")


def receive(raw: str, *, format: str, channel: str, read: Callable[[str], Inbound],
            sender: str | None = None, user: User | None = None) -> Outcome:
    """Read, store and import one message. `sender` overrides the message's own (the API
    token's name for FHIR)."""
    try:
        inbound = read(raw)
    except MessageError as error:
        fate = Fate.REJECTED if error.reject else Fate.ERROR
        stored = InboundMessage.objects.create(format=format, channel=channel, raw=raw,
                                               fate=fate, detail=error.reason,
                                               sender=sender or error.sender,
                                               control_id=error.control_id)
        return Outcome(stored, "AR" if error.reject else "AE", error.reason)
    if sender is not None:
        inbound.sender = sender
    fields = {"format": format, "channel": channel, "raw": raw, "sender": inbound.sender,
              "control_id": inbound.control_id}
    accepted = InboundMessage.objects.filter(sender=inbound.sender,
                                             control_id=inbound.control_id,
                                             fate__in=InboundMessage.ACCEPTED_FATES)
    try:
        with transaction.atomic():
            if accepted.exists():
                raise _Duplicate
            message = _import(inbound, fields, user or laboratory_user())
    except (_Duplicate, IntegrityError) as error:
        # IntegrityError: the same message received twice at once (the unique constraint);
        # any other integrity failure is an error like the others.
        if isinstance(error, _Duplicate) or accepted.exists():
            reason = "message déjà reçu : non importé une seconde fois"
            stored = InboundMessage.objects.create(**fields, fate=Fate.DUPLICATE,
                                                   detail=reason)
            return Outcome(stored, "AA", reason)
        return _failed(fields, inbound)
    except MessageError as error:
        stored = InboundMessage.objects.create(**fields, fate=Fate.ERROR, detail=error.reason)
        return Outcome(stored, "AE", error.reason)
    except Exception:
        return _failed(fields, inbound)
    return Outcome(message, "AA", message.detail)


def _failed(fields: dict, inbound: Inbound) -> Outcome:
    """An unexpected failure: logged with its traceback, the message kept, the sender told."""
    logger.exception("Import of message %s failed", inbound.control_id)
    reason = "erreur interne à l'import : message conservé, à traiter par l'équipe"
    stored = InboundMessage.objects.create(**fields, fate=Fate.ERROR, detail=reason)
    return Outcome(stored, "AE", reason)


class _Duplicate(Exception):
    pass


def _import(inbound: Inbound, fields: dict, user: User) -> InboundMessage:
    message = InboundMessage.objects.create(**fields, fate=Fate.IMPORTED)
    statuses = [_import_result(message, result, user) for result in inbound.results]
    held = statuses.count(Status.REVIEW)
    message.fate = Fate.REVIEW if held else Fate.IMPORTED
    summary = [f"{statuses.count(Status.IMPORTED)} résultat(s) importé(s)"]
    if held:
        summary.append(f"{held} à revoir par un hématologue")
    message.detail = " ; ".join(summary + inbound.ignored)
    message.save(update_fields=["fate", "detail"])
    return message


def _import_result(message: InboundMessage, result: Result, user: User) -> str:
    item = InboundResult(
        message=message, identity=f"{message.sender}|{result.identity}", kind=result.kind,
        code=result.code,
        value=result.value, unit=result.unit, sampled_at=result.sampled_at,
        corrected=result.corrected, hospital_number=result.patient.hospital_number,
        last_name=result.patient.last_name, first_name=result.patient.first_name,
        birth_date=result.patient.birth_date)
    patient, reasons = _match(result.patient)
    reasons += mapping.doubts(result, patient)  # also checks the unit (MessageError)
    item.patient = patient
    if result.corrected:
        earlier = (InboundResult.objects.filter(identity=item.identity,
                                                status__in=[Status.IMPORTED, Status.ATTACHED])
                   .order_by("-pk").first())
        return _replace_corrected(earlier, item, message, user, reasons)
    if reasons:
        item.status, item.review_reason = Status.REVIEW, " ; ".join(reasons)
    else:
        create_record(item, patient, user, source_text(message))
        item.status = Status.IMPORTED
    item.save()
    return item.status


def _replace_corrected(old: InboundResult | None, new_values: InboundResult,
                       message: InboundMessage, user: User, reasons: list[str]) -> str:
    """A corrected result (OBX-11 = C, FHIR corrected/amended) replaces the earlier one through
    the correction path: the earlier record voided (struck through, audited) and the corrected
    value entered in its place, linked to it, in one transaction. Never silently: when there
    is no earlier result still counting, or the new one raises a doubt (identity,
    plausibility), it waits on the review list next to the result it corrects."""
    new_values.corrects = old
    earlier = (old.trough or old.lab_result) if old is not None else None
    if (earlier is None or earlier.voided_at is not None or reasons
            or new_values.patient is None or earlier.patient_id != new_values.patient.pk
            or not records.can_void(user, earlier)):
        new_values.status = Status.REVIEW
        new_values.review_reason = " ; ".join([CORRECTION_REASON + (
            "" if earlier is not None else " (aucun résultat antérieur importé)"), *reasons])
        new_values.save()
        return new_values.status
    replacement, save = _record(new_values, new_values.patient, source_text(message))
    corrected = records.correct_record(
        user, earlier, replacement,
        f"Résultat corrigé par le laboratoire (message {message.control_id})", save)
    setattr(new_values, "trough" if new_values.kind == Kind.SIROLIMUS else "lab_result",
            corrected)
    new_values.status = Status.IMPORTED
    new_values.save()
    return new_values.status


def _match(received: mapping.PatientIdentity) -> tuple[Patient | None, list[str]]:
    """The patient with this hospital number, and what does not fit them."""
    if not received.hospital_number:
        return None, [f"aucun IPP de l'autorité {settings.INTEROP_ASSIGNING_AUTHORITY}"]
    patient = Patient.objects.filter(hospital_number=received.hospital_number).first()
    if patient is None:
        return None, [f"aucun patient avec l'IPP {received.hospital_number}"]
    return patient, mapping.identity_doubts(received, patient)


def _record(item: InboundResult, patient: Patient, source: str):
    """The trough or lab result the item stands for, and the service that saves it."""
    value, unit = mapping.record_value(item.kind, item.value, item.unit)
    value = value.quantize(Decimal("0.01"))
    if item.kind == Kind.SIROLIMUS:
        return (TroughLevel(patient=patient, sampled_at=item.sampled_at, value=value, unit=unit,
                            assay=settings.INTEROP_SIROLIMUS_ASSAY),
                functools.partial(records.add_trough, source=source))
    return (LabResult(patient=patient, kind=_LAB_KINDS[item.kind], sampled_at=item.sampled_at,
                      value=value, unit=unit),
            functools.partial(records.add_lab_result, source=source))


def create_record(item: InboundResult, patient: Patient, user: User, source: str) -> None:
    """The trough or lab result, through the same service as a typed one."""
    record, save = _record(item, patient, source)
    setattr(item, "trough" if item.kind == Kind.SIROLIMUS else "lab_result", save(user, record))
