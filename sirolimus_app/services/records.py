"""Creating and changing clinical records. Each function checks the permission, saves in one
transaction with its audit line, and leaves validation of values to the forms (which call
`full_clean`); the database constraints are the last line of defence."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from protocol import units
from sirolimus_app.models import (
    AdverseEvent,
    BodyMeasurement,
    CoMedication,
    LabResult,
    MonitoringCheck,
    Patient,
    TroughLevel,
    Visit,
)
from sirolimus_app.services import audit
from sirolimus_app.services.errors import ConcurrentChangeError
from sirolimus_app.services.schedule import keeps_schedule_current

# How each lab kind is converted to its stored unit; None = stored as entered (g/dL, mmol/L).
_LAB_KINDS = {
    LabResult.Kind.PLATELETS: units.PLATELETS,
    LabResult.Kind.LEUKOCYTES: units.PLATELETS,  # same dimension: cells per volume, in G/L
    LabResult.Kind.NEUTROPHILS: units.PLATELETS,
}
# Lipids entered in g/L are converted to mmol/L (molar masses: cholesterol 386.65 g/mol,
# triglycerides as triolein 885.4 g/mol — the usual clinical factors 2.586 and 1.129).
_LIPID_G_PER_L_TO_MMOL = {
    LabResult.Kind.CHOLESTEROL: Decimal("2.586"),
    LabResult.Kind.TRIGLYCERIDES: Decimal("1.129"),
}


def _require(user, perm: str) -> None:
    if not user.has_perm(f"sirolimus_app.{perm}"):
        raise PermissionDenied


@keeps_schedule_current
def _create(user, perm: str, instance, source: str = ""):
    """`source` says where the record came from when not typed (an imported result)."""
    _require(user, perm)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        audit.record(user, f"{instance._meta.model_name}.create", instance,
                     after={**audit.snapshot(instance), "source": source} if source else None)
    return instance


def create_patient(user, patient: Patient) -> Patient:
    return _create(user, "add_patient", patient)


@keeps_schedule_current
@transaction.atomic
def update_patient(user, patient: Patient, expected_version: int) -> Patient:
    """Save an edited patient unless someone saved a newer version meanwhile."""
    _require(user, "change_patient")
    patient.full_clean()
    before = Patient.objects.get(pk=patient.pk)
    fields = [f.attname for f in Patient._meta.concrete_fields
              if f.editable and not f.primary_key]
    updated = Patient.objects.filter(pk=patient.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(),
        **{name: getattr(patient, name) for name in fields},
    )
    if updated != 1:
        # Read again: `before` may predate the change that won (read before it committed).
        raise ConcurrentChangeError(
            _("Ce dossier a été modifié par quelqu'un d'autre pendant votre saisie. "
              "Voici la version la plus récente : vérifiez-la puis refaites vos changements."),
            current=Patient.objects.get(pk=patient.pk),
        )
    after = Patient.objects.get(pk=patient.pk)
    audit.record(user, "patient.update", after, before=audit.snapshot(before))
    return after


def add_measurement(user, measurement: BodyMeasurement) -> BodyMeasurement:
    measurement.recorded_by = user
    return _create(user, "add_bodymeasurement", measurement)


def add_comedication(user, comedication: CoMedication) -> CoMedication:
    comedication.recorded_by = user
    return _create(user, "add_comedication", comedication)


def add_trough(user, trough: TroughLevel, *, source: str = "") -> TroughLevel:
    """Record a trough; the ng/ml value is computed here, with the engine's conversions."""
    trough.recorded_by = user
    trough.value_ng_ml = Decimal(str(units.to_canonical(float(trough.value), trough.unit,
                                                       units.CONCENTRATION))).quantize(
        Decimal("0.01"))
    if trough.prescription_id is None:
        trough.prescription = trough.patient.prescriptions.filter(
            status__in=("active", "suspended")).first()
    return _create(user, "add_troughlevel", trough, source)


def lab_canonical_value(kind: str, value: Decimal, unit: str) -> Decimal:
    """The value in the unit LabResult.CANONICAL_UNITS gives for this kind; UnitError if the
    unit does not fit the kind."""
    canonical = LabResult.CANONICAL_UNITS[kind]
    if kind in _LAB_KINDS:
        return Decimal(str(units.to_canonical(float(value), unit, _LAB_KINDS[kind])))
    if unit == canonical:
        return value
    if kind in _LIPID_G_PER_L_TO_MMOL and unit == "g/L":
        return value * _LIPID_G_PER_L_TO_MMOL[kind]
    if kind == LabResult.Kind.HAEMOGLOBIN and unit == "g/L":
        return value / 10
    raise units.UnitError(f"unit {unit!r} is not accepted for {kind}")


def add_lab_result(user, lab: LabResult, *, source: str = "") -> LabResult:
    lab.recorded_by = user
    lab.value_canonical = lab_canonical_value(lab.kind, lab.value, lab.unit).quantize(
        Decimal("0.01"))
    return _create(user, "add_labresult", lab, source)


def add_visit(user, visit: Visit) -> Visit:
    visit.recorded_by = user
    return _create(user, "add_visit", visit)


@keeps_schedule_current
@transaction.atomic
def update_record(user, perm: str, instance):
    """Change a visit, an adverse event or a co-medication, with before and after audited."""
    _require(user, perm)
    instance.full_clean()
    before = type(instance).objects.get(pk=instance.pk)
    instance.save()
    audit.record(user, f"{instance._meta.model_name}.update", instance,
                 before=audit.snapshot(before))
    return instance


def add_adverse_event(user, event: AdverseEvent) -> AdverseEvent:
    event.recorded_by = user
    return _create(user, "add_adverseevent", event)


def mark_check_done(user, check: MonitoringCheck) -> MonitoringCheck:
    """The nurse's one click: this calendar item (sample, blood pressure…) was done."""
    check.recorded_by = user
    check.done_at = check.done_at or timezone.now()
    return _create(user, "add_monitoringcheck", check)
