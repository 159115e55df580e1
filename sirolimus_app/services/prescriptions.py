"""The prescription life cycle: proposed → validated / rejected → active → suspended, stopped
or replaced. Every transition checks who may do it, runs in one transaction, writes the audit
trail, and is refused with a clear French message when it does not apply.

Concurrency: transitions are conditional UPDATEs on (status, version), so of two pharmacists
validating at once exactly one wins, on SQLite as on PostgreSQL, and the other is told.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

import protocol.dosing
from protocol import Advice
from sirolimus_app.models import Patient, Prescription
from sirolimus_app.models.prescription import PRESCRIBING_ACTIONS
from sirolimus_app.services import audit
from sirolimus_app.services.decisions import check_decision, refuse_if_forbidden
from sirolimus_app.services.engine import advise_patient, prefetch_clinical
from sirolimus_app.services.errors import ConcurrentChangeError, ServiceError
from sirolimus_app.services.permissions import require_perm as _require
from sirolimus_app.services.schedule import keeps_schedule_current

Status = Prescription.Status



def proposals(advice: Advice) -> list[protocol.dosing.Proposal]:
    """The engine's primary dose, then its options, in the order the page shows them."""
    return [advice.dose, *advice.options]


@keeps_schedule_current
@transaction.atomic
def propose(user, patient_id: int, choice: int, reason: str = "",
            today: date | None = None) -> Prescription:
    """Record the engine's proposal number `choice` as a proposed prescription.

    The dose is recomputed here from the database, never taken from the form, so what the
    pharmacist validates is exactly what the protocol proposes for this child today.
    """
    _require(user, "propose_prescription")
    today = today or timezone.localdate()
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    patient = prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()
    result = advise_patient(patient, today)
    if result.advice is None:
        raise ServiceError(_("Les données du patient ne permettent pas de proposer une dose : "
                             "complétez-les d'abord."))
    refuse_if_forbidden(result.advice)
    options = proposals(result.advice)
    if not 0 <= choice < len(options):
        raise ServiceError(_("Cette proposition n'existe plus : la page a été rechargée avec "
                             "les propositions à jour."), field="choice")
    dose = options[choice]
    if dose.action not in PRESCRIBING_ACTIONS or not dose.mg_per_day:
        raise ServiceError(_("Cette proposition ne prescrit pas de dose (action « %(action)s »).")
                           % {"action": dose.action}, field="choice")
    if not result.advice.eligible and dose.action == "start":
        raise ServiceError(_("Le patient n'est pas éligible au sirolimus (voir les règles "
                             "bloquantes)."))
    if patient.prescriptions.filter(status__in=[Status.PROPOSED, Status.VALIDATED]).exists():
        raise ServiceError(_("Une prescription attend déjà la validation pharmaceutique pour ce "
                             "patient."))
    current = patient.prescriptions.filter(status__in=Prescription.CURRENT_STATUSES).first()
    bsa = result.advice.bsa
    # What the pharmacist checks is recorded as the engine's contract says it (JSON): the
    # prescription keeps it as it was, whatever the engine says later.
    said = dose.to_dict()
    prescription = Prescription(
        patient=patient,
        action=dose.action,
        start_date=today,
        mg_per_day=dose.mg_per_day,
        form=dose.form,
        volume_ml=dose.volume_ml,
        tablets=dose.tablets,
        weight_kg=Decimal(repr(result.course.patient.weight_kg)),
        height_cm=Decimal(repr(result.course.patient.height_cm)),
        bsa_m2=bsa.m2.quantize(Decimal("0.0001")),
        bsa_formula=bsa.formula,
        mg_per_m2_per_day=dose.mg_per_m2_per_day.quantize(Decimal("0.01")),
        working={"dose": said, "alerts": [a.to_dict() for a in result.advice.alerts],
                 "bsa_m2": float(bsa.m2),
                 **({"detail": said["working"]} if said["working"] else {}),
                 "basis": _basis(current)},
        rules=list(dose.rules),
        reason=reason.strip(),
        replaces=current,
        proposed_by=user,
    )
    prescription.save()
    audit.record(user, "prescription.propose", prescription)
    return prescription


def _transition(user, prescription_id: int, expected_version: int, *, allowed_from, changes,
                action: str) -> Prescription:
    before = Prescription.objects.select_related("patient").get(pk=prescription_id)
    if before.status not in allowed_from or before.version != expected_version:
        current = Prescription.objects.select_related("reviewed_by").get(pk=prescription_id)
        who = current.reviewed_by.get_full_name() if current.reviewed_by else ""
        raise ConcurrentChangeError(
            _("Action impossible : la prescription est maintenant « %(status)s »%(who)s.")
            % {"status": current.get_status_display(),
               "who": (" " + _("(par %(name)s)") % {"name": who}) if who else ""},
            current=current,
        )
    updated = Prescription.objects.filter(
        pk=prescription_id, status__in=allowed_from, version=expected_version,
    ).update(version=F("version") + 1, **changes)
    if updated != 1:
        current = Prescription.objects.get(pk=prescription_id)
        raise ConcurrentChangeError(
            _("Une autre personne vient de modifier cette prescription (« %(status)s ») : "
              "rechargez la page.") % {"status": current.get_status_display()},
            current=current,
        )
    after = Prescription.objects.select_related("patient").get(pk=prescription_id)
    audit.record(user, action, after, before=audit.snapshot(before))
    return after


@keeps_schedule_current
@transaction.atomic
def validate(user, prescription_id: int, expected_version: int,
             today: date | None = None) -> Prescription:
    """Pharmacist's validation. A prescription dated today or earlier becomes active at once
    (and replaces the current one); a later one waits, validated, for its start date."""
    _require(user, "validate_prescription")
    today = today or timezone.localdate()
    prescription = Prescription.objects.get(pk=prescription_id)
    if prescription.proposed_by_id == user.pk:
        raise ServiceError(_("Vous ne pouvez pas valider une prescription que vous avez "
                             "proposée."))
    if prescription.status == Status.PROPOSED:  # otherwise _transition says what it became
        _check_basis(prescription)
        check_decision(prescription, today)
    now = timezone.now()
    start = max(prescription.start_date, today)
    validated = _transition(
        user, prescription_id, expected_version, allowed_from=[Status.PROPOSED],
        changes={"status": Status.VALIDATED, "reviewed_by": user, "reviewed_at": now,
                 "start_date": start},
        action="prescription.validate",
    )
    if start <= today:
        validated = _activate(user, validated)
    return validated


def _basis(current: Prescription | None) -> dict | None:
    """The treatment a proposal was computed from (see _check_basis)."""
    return {"id": current.pk, "version": current.version} if current else None


def _check_basis(prescription: Prescription) -> None:
    """Refuse to validate a proposal computed from a treatment that has changed since (a
    suspension for toxicity, a stop, another dose): what the protocol advises may differ."""
    current = (Prescription.objects.filter(patient_id=prescription.patient_id,
                                           status__in=Prescription.CURRENT_STATUSES).first())
    legacy = {"id": prescription.replaces_id} if prescription.replaces_id else None
    basis = (prescription.working or {}).get("basis", legacy)
    unchanged = ((basis is None and current is None)
                 or (basis is not None and current is not None and basis["id"] == current.pk
                     and basis.get("version", current.version) == current.version))
    if not unchanged:
        state = (_("« %(status)s »") % {"status": current.get_status_display()} if current
                 else _("plus de traitement en cours"))
        raise ServiceError(
            _("Le traitement en cours a changé depuis cette proposition (%(state)s) : la dose "
              "proposée n'est peut-être plus celle du protocole. Refusez-la pour que le "
              "prescripteur en fasse une nouvelle.") % {"state": state})


@keeps_schedule_current
@transaction.atomic
def reject(user, prescription_id: int, expected_version: int, reason: str) -> Prescription:
    _require(user, "validate_prescription")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Indiquez le motif du refus : il est transmis au prescripteur."),
                           field="reason")
    prescription = Prescription.objects.get(pk=prescription_id)
    if prescription.proposed_by_id == user.pk:
        raise ServiceError(_("Vous ne pouvez pas refuser une prescription que vous avez "
                             "proposée."))
    return _transition(
        user, prescription_id, expected_version, allowed_from=[Status.PROPOSED],
        changes={"status": Status.REJECTED, "reviewed_by": user, "reviewed_at": timezone.now(),
                 "rejection_reason": reason},
        action="prescription.reject",
    )


def _activate(user, prescription: Prescription) -> Prescription:
    current = (Prescription.objects.select_for_update()
               .filter(patient_id=prescription.patient_id,
                       status__in=Prescription.CURRENT_STATUSES)
               .exclude(pk=prescription.pk).first())
    if current is not None:
        _transition(user, current.pk, current.version,
                    allowed_from=Prescription.CURRENT_STATUSES,
                    changes={"status": Status.REPLACED, "end_date": prescription.start_date},
                    action="prescription.replace")
    return _transition(user, prescription.pk, prescription.version,
                       allowed_from=[Status.VALIDATED], changes={"status": Status.ACTIVE},
                       action="prescription.activate")


@keeps_schedule_current
@transaction.atomic
def activate(user, prescription_id: int, expected_version: int,
             today: date | None = None) -> Prescription:
    """Start a validated prescription whose start date has come (first dose given)."""
    _require(user, "propose_prescription", "record_vitals")
    today = today or timezone.localdate()
    prescription = Prescription.objects.get(pk=prescription_id)
    if prescription.version != expected_version or prescription.status != Status.VALIDATED:
        raise ConcurrentChangeError(
            _("Action impossible : la prescription est maintenant « %(status)s ».")
            % {"status": prescription.get_status_display()}, current=prescription)
    if prescription.start_date > today:
        raise ServiceError(_("Cette prescription ne commence que le %(date)s.")
                           % {"date": prescription.start_date.strftime("%d/%m/%Y")})
    check_decision(prescription, today)
    return _activate(user, prescription)


def _current(patient_id: int) -> Prescription:
    current = (Prescription.objects.select_for_update()
               .filter(patient_id=patient_id, status__in=Prescription.CURRENT_STATUSES).first())
    if current is None:
        raise ServiceError(_("Ce patient n'a pas de prescription en cours."))
    return current


def _check_date(on_date: date, current: Prescription, today: date) -> None:
    if on_date > today:
        raise ServiceError(_("La date ne peut pas être dans le futur."), field="on_date")
    if on_date < current.start_date:
        raise ServiceError(_("La date précède le début de la prescription en cours (%(date)s).")
                           % {"date": current.start_date.strftime("%d/%m/%Y")}, field="on_date")


@keeps_schedule_current
@transaction.atomic
def suspend(user, patient_id: int, reason: str, on_date: date | None = None,
            today: date | None = None) -> Prescription:
    """Withhold sirolimus now (e.g. TOX-SUSPEND). No pharmacist is needed to stop a drug."""
    _require(user, "propose_prescription")
    today = today or timezone.localdate()
    on_date = on_date or today
    current = _current(patient_id)
    if current.status == Status.SUSPENDED:
        raise ServiceError(_("Le traitement est déjà suspendu depuis le %(date)s.")
                           % {"date": current.suspended_on.strftime("%d/%m/%Y")})
    _check_date(on_date, current, today)
    return _transition(user, current.pk, current.version, allowed_from=[Status.ACTIVE],
                       changes={"status": Status.SUSPENDED, "suspended_on": on_date,
                                "reason": _join(current.reason, reason)},
                       action="prescription.suspend")


@keeps_schedule_current
@transaction.atomic
def stop(user, patient_id: int, reason: str, on_date: date | None = None,
         today: date | None = None) -> Prescription:
    _require(user, "propose_prescription")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Indiquez la raison de l'arrêt."), field="reason")
    today = today or timezone.localdate()
    on_date = on_date or today
    current = _current(patient_id)
    _check_date(on_date, current, today)
    return _transition(user, current.pk, current.version,
                       allowed_from=Prescription.CURRENT_STATUSES,
                       changes={"status": Status.STOPPED, "end_date": on_date,
                                "reason": _join(current.reason, reason)},
                       action="prescription.stop")


@keeps_schedule_current
@transaction.atomic
def withdraw(user, prescription_id: int, expected_version: int) -> Prescription:
    """The prescriber withdraws a proposal not yet validated (recorded as rejected)."""
    _require(user, "propose_prescription")
    prescription = Prescription.objects.get(pk=prescription_id)
    if prescription.proposed_by_id != user.pk:
        raise PermissionDenied
    return _transition(
        user, prescription_id, expected_version, allowed_from=[Status.PROPOSED],
        changes={"status": Status.REJECTED, "reviewed_by": user, "reviewed_at": timezone.now(),
                 "rejection_reason": _("Retirée par le prescripteur")},
        action="prescription.withdraw",
    )


@transaction.atomic
def repropose(user, prescription_id: int, expected_version: int,
              today: date | None = None) -> Prescription:
    """The prescriber's one click after a refusal for a changed record: withdraw the stale
    proposal and propose the engine's current dose, with the same reason."""
    stale = withdraw(user, prescription_id, expected_version)
    return propose(user, stale.patient_id, 0, stale.reason, today=today)


def _join(previous: str, reason: str) -> str:
    reason = (reason or "").strip()
    return f"{previous}\n{reason}".strip() if previous else reason

