"""Service functions the patient pages need beyond records.py and prescriptions.py: finding
patients, prescribing exactly the proposal the prescriber saw, and visits that also update the
measurements the dose is computed from."""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sirolimus_app.models import BodyMeasurement, Patient, Prescription, Visit
from sirolimus_app.services import prescriptions, records
from sirolimus_app.services.engine import PatientAdvice, advise_patient
from sirolimus_app.services.errors import ServiceError

logger = logging.getLogger(__name__)


def advise_safely(patient: Patient) -> PatientAdvice | None:
    """The engine's advice, or None if the engine itself failed: the failure is logged and
    the page says so, rather than a server error hiding the whole record."""
    try:
        return advise_patient(patient)
    except Exception:
        logger.exception("Protocol engine failed for patient %s", patient.pk)
        return None


def search(queryset: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """Patients whose name or hospital number contains every word of `query`."""
    for word in query.split()[:5]:
        queryset = queryset.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word)
                                   | Q(hospital_number__icontains=word))
    return queryset


@transaction.atomic
def propose_choice(user, patient_id: int, choice: int, action: str, mg_per_day: Decimal,
                   reason: str = "") -> Prescription:
    """Prescribe the engine's proposal `choice`, provided it is still the one the prescriber
    saw (same action, same dose): the proposal is recomputed from the database at the click,
    and new data in between (a trough, a weight) may have changed it."""
    prescription = prescriptions.propose(user, patient_id, choice, reason)
    if prescription.action != action or prescription.mg_per_day != mg_per_day:
        raise ServiceError(_("La proposition a changé depuis l'affichage de la page (nouvelles "
                             "données ?) : vérifiez les propositions à jour avant de prescrire."),
                           field="choice")
    return prescription


@transaction.atomic
def save_visit(user, visit: Visit) -> Visit:
    """Create or change a visit. The weight and height of a visit that took place become a
    body measurement of that day, so the next dose uses them without a second entry."""
    if visit.pk:
        visit = records.update_record(user, "change_visit", visit)
    else:
        visit = records.add_visit(user, visit)
    if visit.done_date and visit.weight_kg and visit.height_cm:
        already = BodyMeasurement.objects.filter(
            patient_id=visit.patient_id, measured_on=visit.done_date,
            weight_kg=visit.weight_kg, height_cm=visit.height_cm).exists()
        if not already:
            records.add_measurement(user, BodyMeasurement(
                patient_id=visit.patient_id, measured_on=visit.done_date,
                weight_kg=visit.weight_kg, height_cm=visit.height_cm))
    return visit
