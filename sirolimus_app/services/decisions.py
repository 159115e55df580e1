"""Every decision point (propose, validate, activate, resume, dispense) asks the engine again on
the current record and refuses what it forbids or no longer advises.

Two checks, one place:
- `refuse_if_forbidden(advice)`: a critical alert (what the protocol forbids as things are)
  refuses the decision, with the alert in French and its rule ID;
- `check_still_advised(prescription, result)`: the proposal must still be one of the engine's
  doses today, computed from the same weight, height and formula; otherwise the decision is
  refused and the changes are listed (old → new) for the card.
`check_decision(prescription, today)` runs both from the database; the dispensing service
calls it too.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from protocol import Advice
from sirolimus_app.i18n import in_language
from sirolimus_app.models import Patient, Prescription
from sirolimus_app.models.clinical import valid
from sirolimus_app.services.engine import (
    PatientAdvice,
    Records,
    advise_patient,
    fetch_records,
    prefetch_clinical,
)
from sirolimus_app.services.errors import ServiceError


class ForbiddenError(ServiceError):
    """The protocol forbids the decision as things are (critical alerts)."""

    def __init__(self, message, *, alerts=()):
        super().__init__(message)
        self.alerts = tuple(alerts)


class StaleProposalError(ServiceError):
    """The engine no longer proposes this dose: the prescriber must re-propose."""

    def __init__(self, message, *, changes=()):
        super().__init__(message)
        self.changes = tuple(changes)


@dataclass(frozen=True)
class Change:
    """One thing that differs between the proposal and the engine today. `field` is one of
    weight_kg, height_cm, bsa_m2, bsa_formula, mg_per_m2_per_day, mg_per_day, form, action."""

    field: str
    old: object
    new: object


def refuse_if_forbidden(advice: Advice) -> None:
    critical = advice.critical_alerts
    if critical:
        raise ForbiddenError(
            _("Le protocole l'interdit en l'état : %(alerts)s.")
            % {"alerts": " ; ".join(f"{a.rule} — {in_language(a.message_fr, a.message_en)}"
                                   for a in critical)},
            alerts=critical)


def changes_since(prescription: Prescription, result: PatientAdvice) -> list[Change]:
    """What differs between the proposal and what the engine proposes today ([] when the
    proposal is still one of the engine's doses, from the same measurements)."""
    advice = result.advice
    patient = result.course.patient
    changes = []

    def compare(field, old, new):
        if old is not None and new is not None and Decimal(str(old)) != Decimal(str(new)):
            changes.append(Change(field, old, new))

    compare("weight_kg", prescription.weight_kg, patient.weight_kg)
    compare("height_cm", prescription.height_cm, patient.height_cm)
    if prescription.bsa_formula != advice.bsa.formula:
        changes.append(Change("bsa_formula", prescription.bsa_formula, advice.bsa.formula))
    compare("bsa_m2", prescription.bsa_m2, advice.bsa.m2.quantize(Decimal("0.0001")))
    options = [advice.dose, *advice.options]
    if not any(_same(prescription, option) for option in options):
        dose = advice.dose
        if prescription.action != dose.action:
            changes.append(Change("action", prescription.action, dose.action))
        compare("mg_per_day", prescription.mg_per_day, dose.mg_per_day or 0)
        if dose.mg_per_day:
            compare("mg_per_m2_per_day", prescription.mg_per_m2_per_day,
                    dose.mg_per_m2_per_day.quantize(Decimal("0.01")))
        if prescription.form != dose.form:
            changes.append(Change("form", prescription.form, dose.form))
        if not any(c.field in ("mg_per_day", "form", "action") for c in changes):
            # Same primary dose but from another option: still a different proposal.
            changes.append(Change("mg_per_day", prescription.mg_per_day, dose.mg_per_day))
    return changes


def _same(prescription: Prescription, option) -> bool:
    return (option.action == prescription.action and option.form == prescription.form
            and option.mg_per_day == prescription.mg_per_day)


def check_still_advised(prescription: Prescription, result: PatientAdvice) -> None:
    """Refuse a decision on a proposal the engine would no longer make today."""
    if result.advice is None:
        raise ServiceError(_("Les données du patient ne permettent plus de calculer la dose : "
                             "complétez-les, puis re-proposez."))
    changes = changes_since(prescription, result)
    if changes:
        raise StaleProposalError(
            _("Le dossier a changé depuis la proposition et le protocole ne propose plus cette "
              "dose (voir « Ce qui a changé »). Le prescripteur doit re-proposer la dose "
              "actuelle (bouton « Re-proposer » sur la fiche du patient)."), changes=changes)


def advise_now(patient_id: int, today: date | None = None) -> PatientAdvice:
    """The engine on the record as it is now (voided entries left out)."""
    patient = prefetch_clinical(Patient.objects.filter(pk=patient_id)).get()
    return advise_patient(patient, today or timezone.localdate())


def check_decision(prescription: Prescription, today: date | None = None) -> PatientAdvice:
    """Both checks on the current record; for validate, activate and dispense (call it inside
    the decision's transaction)."""
    result = advise_now(prescription.patient_id, today)
    if result.advice is not None:
        refuse_if_forbidden(result.advice)
    check_still_advised(prescription, result)
    return result


@dataclass(frozen=True)
class Assessment:
    """What the card shows before Valider is pressed: the same checks, not raised."""

    forbidden: tuple  # the engine's critical alerts today
    changes: tuple[Change, ...]
    incomplete: bool  # the record no longer lets the engine compute a dose
    weight_date: date | None
    result: PatientAdvice | None = None  # the course and advice the card's check shows

    @property
    def refused(self) -> bool:
        return bool(self.forbidden or self.changes or self.incomplete)


def assess(prescription: Prescription, result: PatientAdvice,
           records: Records | None = None) -> Assessment:
    """`result` from advise_patient on a patient fetched with prefetch_clinical (no query),
    or on its `records` from fetch_records."""
    measurements = (records.measurements if records is not None
                    else prescription.patient.measurements.all())
    measured = next(iter(valid(measurements)), None)
    weighed = measured.measured_on if measured else None
    if result.advice is None:
        return Assessment((), (), True, weighed, result)
    return Assessment(result.advice.critical_alerts, tuple(changes_since(prescription, result)),
                      False, weighed, result)


def assessments(prescriptions, today: date | None = None) -> dict[int, Assessment]:
    """Each proposal's assessment, its patients' records fetched in a fixed number of queries
    (one engine run per proposal, no query per card). The records are read as rows of the
    columns the engine reads (fetch_records): model instances cost more than the engine."""
    today = today or timezone.localdate()
    records = fetch_records({p.patient_id for p in prescriptions})
    found = {}
    for prescription in prescriptions:
        patient = prescription.patient  # the worklist and the review page select it
        # The card shows the dose, the alerts and the records, never the calendar.
        result = advise_patient(patient, today, records[patient.pk], with_calendar=False)
        found[prescription.pk] = assess(prescription, result, records[patient.pk])
    return found
