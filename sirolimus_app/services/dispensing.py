"""The pharmacy's dispensing of a validated prescription: how much for how long, which batch.

The quantity is computed by the engine (protocol.supply: 60 ml bottles kept 30 days once
opened, tablets per strength) for the days until the child's next visit; the pharmacist may
change it (stock, a family going away) and records batch and expiry. One transaction, one
audit line.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from protocol.dosing import SOLUTION
from protocol.supply import Supply, supply
from sirolimus_app.models import Dispensing, Prescription, ScheduleItem
from sirolimus_app.models.dispensing import MAX_DISPENSING_DAYS
from sirolimus_app.services import audit, decisions
from sirolimus_app.services.errors import ServiceError

Status = Prescription.Status
DISPENSABLE = (Status.VALIDATED, Status.ACTIVE)
DEFAULT_DAYS = 28  # without a visit on the calendar: four weeks
MIN_DAYS = 7


@dataclass(frozen=True)
class Period:
    """What one prescription covers: from its start (or today) until the next review."""

    start: date
    days: int
    review: ScheduleItem | None  # the next visit on the child's calendar, if any


def period(prescription: Prescription, today: date) -> Period:
    """Until the next visit not yet done (the next review), within 7–92 days: the off-label
    prescription's duration and the quantity dispensed for it are the same period (a visit
    tomorrow still gets a week, should it be put off)."""
    start = max(prescription.start_date, today)
    review = (ScheduleItem.objects
              .filter(patient_id=prescription.patient_id, kind="visit", done=False,
                      due_date__gt=start)
              .order_by("due_date", "position").first())
    if review is None:
        return Period(start, DEFAULT_DAYS, None)
    days = min(max((review.due_date - start).days, MIN_DAYS), MAX_DISPENSING_DAYS)
    return Period(start, days, review)


def computed(prescription: Prescription, days: int) -> Supply:
    return supply(prescription.mg_per_day, prescription.form, days)


@transaction.atomic
def dispense(user, prescription_id: int, *, days: int, batch: str, expiry: date,
             bottles: int | None = None, tablets: dict[str, int] | None = None,
             today: date | None = None) -> Dispensing:
    """Record what was handed out. `bottles` (solution) or `tablets` (count per strength)
    default to the computed quantity; a lot that expires before the period ends is refused."""
    if not user.has_perm("sirolimus_app.dispense_prescription"):
        raise PermissionDenied
    today = today or timezone.localdate()
    prescription = (Prescription.objects.select_for_update()
                    .select_related("patient").get(pk=prescription_id))
    if prescription.status not in DISPENSABLE:
        raise ServiceError(_("Seule une prescription validée ou en cours peut être dispensée "
                             "(celle-ci est « %(status)s »).")
                           % {"status": prescription.get_status_display()})
    # The engine again, on the record as it is now: nothing is handed out that the protocol
    # forbids; a prescription validated but not started must still be the engine's dose.
    if prescription.status == Status.VALIDATED:
        decisions.check_decision(prescription, today)
    else:
        result = decisions.advise_now(prescription.patient_id, today)
        if result.advice is not None:
            decisions.refuse_if_forbidden(result.advice)
    if not 1 <= days <= MAX_DISPENSING_DAYS:
        raise ServiceError(_("La durée couverte va de 1 à %(max)s jours.")
                           % {"max": MAX_DISPENSING_DAYS}, field="days")
    batch = (batch or "").strip()
    if not batch:
        raise ServiceError(_("Indiquez le numéro de lot."), field="batch")
    last_day = max(prescription.start_date, today) + timedelta(days=days - 1)
    if expiry < last_day:
        raise ServiceError(_("Ce lot périme le %(expiry)s, avant la fin de la période couverte "
                             "(%(end)s) : choisissez un autre lot ou une durée plus courte.")
                           % {"expiry": expiry.strftime("%d/%m/%Y"),
                              "end": last_day.strftime("%d/%m/%Y")}, field="expiry")
    need = computed(prescription, days)
    record = Dispensing(prescription=prescription, days=days, batch=batch, expiry=expiry,
                        dispensed_by=user)
    if prescription.form == SOLUTION:
        record.volume_ml = need.ml
        record.bottles = need.bottles if bottles is None else bottles
        if record.bottles < 1:
            raise ServiceError(_("Au moins un flacon."), field="bottles")
    else:
        counts = dict(need.tablets) if tablets is None else {
            strength: count for strength, count in tablets.items() if count}
        if not counts or any(count < 0 for count in counts.values()):
            raise ServiceError(_("Indiquez le nombre de comprimés délivrés."), field="tablets")
        record.tablets = counts
    record.save()
    audit.record(user, "prescription.dispense", record)
    return record
