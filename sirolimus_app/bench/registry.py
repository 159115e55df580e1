"""A synthetic registry for the benchmark: thousands of children with up to two years of
sirolimus history, written with bulk inserts (the services would take hours for 10,000).

Deterministic for a given seed. The data respect every database constraint and the protocol's
shape (D7 troughs after each change, monthly counts, M1/M3/M6… visits) but are not clinical
cases: they exist to load the pages. Their stored calendars and statuses are then computed, and
the database statistics updated, as the nightly `refresh_schedules` does (the engine once per
patient: a few minutes at 10,000).
"""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from protocol.supply import supply
from sirolimus_app.models import (
    AuditEvent,
    BodyMeasurement,
    Dispensing,
    LabResult,
    Patient,
    Prescription,
    TroughLevel,
    Visit,
)
from sirolimus_app.services.audit import snapshot
from sirolimus_app.services.schedule import refresh_patients, update_planner_statistics

PARIS = ZoneInfo("Europe/Paris")
LAST_NAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
              "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "Morel",
              "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau"]
FIRST_NAMES = ["Léa", "Hugo", "Chloé", "Louis", "Emma", "Jules", "Inès", "Gabriel", "Manon",
               "Raphaël", "Zoé", "Arthur", "Jade", "Lucas", "Camille", "Noé", "Élise", "Adam"]
VISIT_MONTHS = [1, 3, 6, 12, 18, 24]
HISTORY_PATIENT = "BENCH-HISTORY"  # the patient with exactly two years of history


def _at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=PARIS)


def _bsa(weight: float, height: float) -> Decimal:
    return Decimal(str(round(math.sqrt(weight * height / 3600), 4)))


def _dose(bsa: Decimal, mg_per_m2: Decimal) -> Decimal:
    mg = min(bsa * mg_per_m2, Decimal(4))
    return max(mg.quantize(Decimal("0.1"), ROUND_HALF_UP), Decimal("0.1"))


def seed_registry(n_patients: int, today: date, *, first: int = 0, seed: int = 2021) -> None:
    """Insert `n_patients` synthetic patients numbered from `first`; the first batch
    (first == 0) also gets the patient with a full two-year history."""
    rng = random.Random(seed + first)  # noqa: S311 (synthetic data, not security)
    proposer, _ = User.objects.get_or_create(username="bench.prescripteur")
    validator, _ = User.objects.get_or_create(username="bench.pharmacien")
    patients = []
    plans = []
    indexes = list(range(first, first + n_patients)) + ([-1] if first == 0 else [])
    for i in indexes:
        full_history = i == -1
        age_days = rng.randint(2 * 365, 17 * 365)
        birth = today - timedelta(days=age_days)
        diagnosis = birth + timedelta(days=rng.randint(180, age_days - 30))
        treated_days = 730 if full_history else rng.choice([0, *range(7, 731)])
        patients.append(Patient(
            hospital_number=HISTORY_PATIENT if full_history else f"BENCH-{i:06d}",
            last_name=rng.choice(LAST_NAMES), first_name=rng.choice(FIRST_NAMES),
            birth_date=birth, sex=rng.choice("FM"), diagnosis_date=diagnosis,
            severity_signs=True, workup_updated=True, vzv_immune=rng.random() < 0.8,
            evans=rng.random() < 0.2, study_code=f"SIR-B{i:07d}",
        ))
        plans.append((age_days, treated_days))
    Patient.objects.bulk_create(patients, batch_size=2000)

    measurements, prescriptions, troughs, labs, visits = [], [], [], [], []
    for patient, (age_days, treated_days) in zip(patients, plans, strict=True):
        weight = round(min(12 + age_days / 365 * 2.8 + rng.uniform(-3, 3), 90), 1)
        height = round(min(85 + age_days / 365 * 5.5 + rng.uniform(-5, 5), 185), 1)
        bsa = _bsa(weight, height)
        start = today - timedelta(days=treated_days)
        measurements.append(BodyMeasurement(patient=patient, measured_on=start,
                                            weight_kg=Decimal(str(weight)),
                                            height_cm=Decimal(str(height)),
                                            recorded_by=proposer))
        labs.append(_platelets(patient, start - timedelta(days=1), rng.randint(5, 25), proposer))
        if treated_days == 0:
            continue
        # Dose changes every 2 to 4 months; the last one is current.
        change_days = [0]
        while change_days[-1] + 60 < treated_days:
            change_days.append(change_days[-1] + rng.randint(60, 120))
        change_days = [d for d in change_days if d < treated_days]
        for n, offset in enumerate(change_days):
            begin = start + timedelta(days=offset)
            last = n == len(change_days) - 1
            end = None if last else start + timedelta(days=change_days[n + 1])
            mg_per_m2 = Decimal("2") if n == 0 else Decimal(rng.choice(["1.5", "2", "2.3"]))
            mg = _dose(bsa, mg_per_m2)
            prescriptions.append(Prescription(
                patient=patient, action="start" if n == 0 else "decrease",
                status=Prescription.Status.ACTIVE if last else Prescription.Status.REPLACED,
                start_date=begin, end_date=end, mg_per_day=mg, form="solution",
                volume_ml=mg, weight_kg=Decimal(str(weight)), height_cm=Decimal(str(height)),
                bsa_m2=bsa, bsa_formula="mosteller",
                mg_per_m2_per_day=(mg / bsa).quantize(Decimal("0.01")),
                working={"synthetic": True}, rules=["DOSE-START"], proposed_by=proposer,
                reviewed_by=validator, reviewed_at=_at(begin),
            ))
            if last and rng.random() < 0.05:
                # A proposal awaiting the pharmacist, for the validation worklist.
                prescriptions.append(Prescription(
                    patient=patient, action="decrease", status=Prescription.Status.PROPOSED,
                    start_date=today, mg_per_day=max(mg - Decimal("0.5"), Decimal("0.1")),
                    form="solution", volume_ml=max(mg - Decimal("0.5"), Decimal("0.1")),
                    weight_kg=Decimal(str(weight)), height_cm=Decimal(str(height)), bsa_m2=bsa,
                    bsa_formula="mosteller", mg_per_m2_per_day=Decimal("1.5"),
                    working={"synthetic": True}, rules=["TAPER-LOWEST-DOSE"],
                    proposed_by=proposer))
            if offset + 7 <= treated_days:
                troughs.append(_trough(patient, begin + timedelta(days=7), rng, proposer))
        for day in range(60, treated_days, 60):
            troughs.append(_trough(patient, start + timedelta(days=day), rng, proposer))
        for day in range(30, treated_days, 30):
            labs.append(_platelets(patient, start + timedelta(days=day), rng.randint(10, 250),
                                   proposer))
        for month in VISIT_MONTHS:
            when = start + timedelta(days=round(month * 30.4))
            if when <= today:
                visits.append(Visit(patient=patient, label=f"M{month}", planned_date=when,
                                    done_date=when, systolic_bp=rng.randint(90, 125),
                                    diastolic_bp=rng.randint(50, 80), recorded_by=proposer))
    for model, rows in ((BodyMeasurement, measurements), (Prescription, prescriptions),
                        (TroughLevel, troughs), (LabResult, labs), (Visit, visits)):
        model.objects.bulk_create(rows, batch_size=2000)
    if first == 0:
        _audit_history(patients[-1], [measurements, prescriptions, troughs, labs, visits],
                       proposer)
        _dispense_current(patients[-1], prescriptions, validator, today)
    # As the nightly `refresh_schedules` leaves the database.
    refresh_patients([patient.pk for patient in patients], today)
    update_planner_statistics()


def _audit_history(patient, record_lists, user) -> None:
    """The two-year patient's audit trail, one line per record as the services write it
    (the page shows its latest lines), all dated now."""
    lines = [AuditEvent(user=user, action=f"{row._meta.model_name}.create",
                        object_type=row._meta.label, object_id=str(row.pk), patient=patient,
                        after=snapshot(row))
             for rows in record_lists for row in rows if row.patient_id == patient.pk]
    AuditEvent.objects.bulk_create([AuditEvent(
        user=user, action="patient.create", object_type=patient._meta.label,
        object_id=str(patient.pk), patient=patient, after=snapshot(patient)), *lines])


def _dispense_current(patient, prescriptions, pharmacist, today: date) -> Dispensing:
    """The two-year patient's current prescription as the pharmacy handed it out: the bottle
    label the bench prints is this dispensing's."""
    current = next(p for p in prescriptions
                   if p.patient_id == patient.pk and p.status == Prescription.Status.ACTIVE)
    need = supply(current.mg_per_day, current.form, 28)
    return Dispensing.objects.create(
        prescription=current, days=need.days, volume_ml=need.ml, bottles=need.bottles,
        batch="BENCH-LOT-0001", expiry=today + timedelta(days=365), dispensed_by=pharmacist)


def _trough(patient, day: date, rng: random.Random, user) -> TroughLevel:
    # One trough in twenty-five is toxic (> 15 ng/ml), as on a real ward: the attention lists
    # have children to show.
    high = rng.random() < 0.04
    value = Decimal(str(round(rng.uniform(15.5, 20) if high else rng.uniform(2, 14), 1)))
    return TroughLevel(patient=patient, sampled_at=_at(day), value=value, unit="ng/ml",
                       value_ng_ml=value, assay="LC-MS/MS", recorded_by=user)


def _platelets(patient, day: date, value: int, user) -> LabResult:
    return LabResult(patient=patient, kind=LabResult.Kind.PLATELETS, sampled_at=_at(day, 9),
                     value=Decimal(value), unit="G/L", value_canonical=Decimal(value),
                     recorded_by=user)
