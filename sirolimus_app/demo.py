"""Deterministic demo patients, one per typical situation of the protocol.

Every record is made through the services, as the haematologist, the nurse and the pharmacist
would make it, so the audit trail is real; dates are relative to today, so each patient stays
in its situation (D7 toxic trough, day 25 without response…) whenever the demo is loaded.
Keyed by hospital number: loading twice adds nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from sirolimus_app.models import BodyMeasurement, LabResult, Patient, TroughLevel, Visit
from sirolimus_app.services import prescriptions, records

Kind = LabResult.Kind


@dataclass
class Demo:
    """The three demo users and today's date; helpers that write through the services."""

    doctor: object
    nurse: object
    pharmacist: object
    today: date

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def moment(self, days_ago: int, hour: int = 8) -> datetime:
        """That day at `hour` (a morning sample), never later than now."""
        when = timezone.make_aware(datetime.combine(self.day(days_ago), time(hour)))
        return min(when, timezone.now())

    def patient(self, number: str, last: str, first: str, *, age_days: int, sex: str,
                diagnosed_days_ago: int, **flags) -> Patient:
        flags.setdefault("severity_signs", True)
        flags.setdefault("workup_updated", True)
        flags.setdefault("vzv_immune", True)
        return records.create_patient(self.doctor, Patient(
            hospital_number=number, last_name=last, first_name=first,
            birth_date=self.day(age_days), sex=sex,
            diagnosis_date=self.day(diagnosed_days_ago), **flags))

    def measure(self, patient, days_ago: int, kg: str, cm: str) -> None:
        records.add_measurement(self.nurse, BodyMeasurement(
            patient=patient, measured_on=self.day(days_ago), weight_kg=Decimal(kg),
            height_cm=Decimal(cm)))

    def lab(self, patient, days_ago: int, kind: str, value: str, unit: str,
            bleeding: bool = False) -> None:
        records.add_lab_result(self.doctor, LabResult(
            patient=patient, kind=kind, sampled_at=self.moment(days_ago), value=Decimal(value),
            unit=unit, bleeding=bleeding))

    def platelets(self, patient, days_ago: int, value: str, bleeding: bool = False) -> None:
        self.lab(patient, days_ago, Kind.PLATELETS, value, "G/L", bleeding)

    def lipids(self, patient, days_ago: int) -> None:
        self.lab(patient, days_ago, Kind.CHOLESTEROL, "4.3", "mmol/L")
        self.lab(patient, days_ago, Kind.TRIGLYCERIDES, "1.1", "mmol/L")

    def visit(self, patient, label: str, days_ago: int, bp=(104, 62), response: str = "",
              notes: str = "") -> None:
        records.add_visit(self.doctor, Visit(
            patient=patient, label=label, done_date=self.day(days_ago), systolic_bp=bp[0],
            diastolic_bp=bp[1], response=response, notes=notes))

    def workup(self, patient, days_ago: int, platelets: str) -> None:
        """The pre-treatment work-up (PRE-WORKUP): CBC, lipids, blood pressure."""
        self.platelets(patient, days_ago, platelets)
        self.lab(patient, days_ago, Kind.HAEMOGLOBIN, "12.4", "g/dL")
        self.lipids(patient, days_ago)
        self.visit(patient, "PRE", days_ago, notes="Bilan pré-thérapeutique.")

    def trough(self, patient, days_ago: int, value: str, unit: str = "ng/ml") -> None:
        records.add_trough(self.nurse, TroughLevel(
            patient=patient, sampled_at=self.moment(days_ago, hour=7), value=Decimal(value),
            unit=unit, assay=TroughLevel.Assay.LCMSMS))

    def propose(self, patient, days_ago: int = 0, reason: str = ""):
        """The engine's primary proposal as it was on that day, proposed by the doctor."""
        return prescriptions.propose(self.doctor, patient.pk, 0, reason,
                                     today=self.day(days_ago))

    def start(self, patient, days_ago: int):
        """Proposed and validated on the same day: the child takes it from then on."""
        proposed = self.propose(patient, days_ago)
        return prescriptions.validate(self.pharmacist, proposed.pk, proposed.version,
                                      today=self.day(days_ago))


def _new_referral(demo: Demo) -> None:
    """Not started yet, eligible, work-up done: the proposal page is ready."""
    p = demo.patient("DEMO-001", "Martin", "Léa", age_days=9 * 365 + 40, sex="F",
                     diagnosed_days_ago=600, evans=True)
    demo.measure(p, 3, "28.4", "132.0")
    demo.workup(p, 3, "14")


def _soy_allergy(demo: Demo) -> None:
    """Soy allergy: contraindicated (CI-SOY-PEANUT), no dose is proposed."""
    p = demo.patient("DEMO-002", "Bernard", "Hugo", age_days=12 * 365 + 100, sex="M",
                     diagnosed_days_ago=500, allergies="soja, pénicilline")
    demo.measure(p, 5, "41.0", "151.0")
    demo.workup(p, 5, "11")


def _toxic_at_day_7(demo: Demo) -> None:
    """D7 trough of 16 ng/ml: the page tells to suspend (TOX-SUSPEND)."""
    p = demo.patient("DEMO-003", "Petit", "Chloé", age_days=7 * 365 + 200, sex="F",
                     diagnosed_days_ago=240)
    demo.measure(p, 10, "22.0", "120.0")
    demo.workup(p, 10, "9")
    demo.start(p, 7)
    demo.trough(p, 0, "16")


def _non_responder_day_25(demo: Demo) -> None:
    """Day 25, no response, steady-state trough 3.1 ng/ml: the increase is offered."""
    p = demo.patient("DEMO-004", "Roux", "Nathan", age_days=10 * 365 + 10, sex="M",
                     diagnosed_days_ago=800)
    demo.measure(p, 27, "31.5", "138.0")
    demo.workup(p, 26, "10")
    demo.start(p, 25)
    demo.platelets(p, 18, "12")
    demo.trough(p, 18, "3.1")
    demo.platelets(p, 11, "14")
    demo.trough(p, 4, "3.1")
    demo.platelets(p, 1, "15")


def _complete_response_14_months(demo: Demo) -> None:
    """Complete response for 14 months on an unchanged dose: the taper is offered."""
    started = 460
    p = demo.patient("DEMO-005", "Moreau", "Inès", age_days=13 * 365 + 70, sex="F",
                     diagnosed_days_ago=started + 420, alps_features=True)
    demo.measure(p, started + 2, "44.0", "155.0")
    demo.workup(p, started + 1, "8")
    demo.start(p, started)
    demo.trough(p, started - 7, "6.2")
    for label, month_day, platelets in (("M1", 30, "135"), ("M3", 91, "162"),
                                        ("M6", 182, "171"), ("M12", 365, "158")):
        days_ago = started - month_day
        demo.platelets(p, days_ago, platelets)
        demo.lipids(p, days_ago)
        demo.visit(p, label, days_ago, bp=(108, 66), response=Visit.Response.COMPLETE)
    demo.trough(p, started - 182, "7.0")
    demo.trough(p, started - 365, "6.5")
    for days_ago, platelets in ((60, "149"), (7, "166")):
        demo.platelets(p, days_ago, platelets)


def _awaiting_pharmacist(demo: Demo) -> None:
    """A start proposed today, waiting for the pharmacist's validation."""
    p = demo.patient("DEMO-006", "Garnier", "Jules", age_days=8 * 365 + 150, sex="M",
                     diagnosed_days_ago=420, other_autoimmunity=True)
    demo.measure(p, 1, "25.0", "127.0")
    demo.workup(p, 1, "17")
    demo.propose(p, reason="Début selon le protocole ; parents informés de l'usage hors AMM.")


def _on_tablets(demo: Demo) -> None:
    """An adolescent on tablets (2 mg + 1 mg), responding at M3."""
    started = 92
    p = demo.patient("DEMO-007", "Faure", "Manon", age_days=15 * 365 + 30, sex="F",
                     diagnosed_days_ago=900, form=Patient.Form.TABLETS)
    demo.measure(p, started + 3, "50.0", "160.0")
    demo.workup(p, started + 2, "20")
    demo.start(p, started)
    demo.trough(p, started - 7, "5.4")
    demo.platelets(p, started - 30, "64")
    demo.visit(p, "M1", started - 30, bp=(112, 70), response=Visit.Response.RESPONSE)
    demo.lipids(p, started - 30)
    demo.platelets(p, 2, "88")


def _rejected_proposal(demo: Demo) -> None:
    """A proposal the pharmacist refused: the reason is shown to the prescriber."""
    p = demo.patient("DEMO-008", "Lefebvre", "Adam", age_days=11 * 365 + 300, sex="M",
                     diagnosed_days_ago=700)
    demo.measure(p, 120, "34.0", "142.0")
    demo.workup(p, 2, "13")
    proposed = demo.propose(p)
    prescriptions.reject(demo.pharmacist, proposed.pk, proposed.version,
                         "Dernière pesée il y a 4 mois : merci de repeser l'enfant avant le "
                         "calcul de la dose.")


BUILDERS: dict[str, Callable[[Demo], None]] = {
    "DEMO-001": _new_referral,
    "DEMO-002": _soy_allergy,
    "DEMO-003": _toxic_at_day_7,
    "DEMO-004": _non_responder_day_25,
    "DEMO-005": _complete_response_14_months,
    "DEMO-006": _awaiting_pharmacist,
    "DEMO-007": _on_tablets,
    "DEMO-008": _rejected_proposal,
}


def load_demo_patients(users) -> int:
    """Create the demo patients that do not exist yet; return how many were created."""
    demo = Demo(doctor=users["hematologue"], nurse=users["infirmiere"],
                pharmacist=users["pharmacien"], today=timezone.localdate())
    existing = set(Patient.objects.filter(hospital_number__in=BUILDERS)
                   .values_list("hospital_number", flat=True))
    created = 0
    for number, build in BUILDERS.items():
        if number not in existing:
            build(demo)
            created += 1
    return created
