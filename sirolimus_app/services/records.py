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
from sirolimus_app.localtime import local_date
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
from sirolimus_app.services.errors import ConcurrentChangeError, ServiceError
from sirolimus_app.services.permissions import require_perm as _require
from sirolimus_app.services.schedule import keeps_schedule_current

# How each lab kind is converted to its stored unit; None = stored as entered (g/dL, mmol/L).
_LAB_KINDS = {
    LabResult.Kind.PLATELETS: units.PLATELETS,
    LabResult.Kind.LEUKOCYTES: units.PLATELETS,  # same dimension: cells per volume, in G/L
    LabResult.Kind.NEUTROPHILS: units.PLATELETS,
}
# Lipids entered in g/L are converted to mmol/L (molar masses: cholesterol 386.65 g/mol,
# triglycerides as triolein 885.4 g/mol — the usual clinical factors 2.586 and 1.129).
LIPID_G_PER_L_TO_MMOL = {
    LabResult.Kind.CHOLESTEROL: Decimal("2.586"),
    LabResult.Kind.TRIGLYCERIDES: Decimal("1.129"),
}


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
    if kind in LIPID_G_PER_L_TO_MMOL and unit == "g/L":
        return value * LIPID_G_PER_L_TO_MMOL[kind]
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


# --- entry errors: voiding and correcting ---------------------------------------------------

# The permission that lets an author enter (and so void or correct) each kind of record.
ADD_PERMISSIONS = {
    TroughLevel: "add_troughlevel",
    LabResult: "add_labresult",
    BodyMeasurement: "add_bodymeasurement",
    Visit: "add_visit",
    AdverseEvent: "add_adverseevent",
    CoMedication: "add_comedication",
    MonitoringCheck: "add_monitoringcheck",
}


def can_void(user, record) -> bool:
    """Its author (who may still enter that kind of record) or whoever may void any entry
    (the haematologists)."""
    if user.has_perm("sirolimus_app.void_records"):
        return True
    return (record.recorded_by_id == user.pk
            and user.has_perm(f"sirolimus_app.{ADD_PERMISSIONS[type(record)]}"))


def _void(user, record, reason: str):
    if not can_void(user, record):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Indiquez le motif de l'annulation : il reste dans le dossier."),
                           field="reason")
    model = type(record)
    locked = model.objects.select_for_update().get(pk=record.pk)
    if locked.voided_at is not None:
        raise ServiceError(_("Cette saisie a déjà été annulée."))
    before = audit.snapshot(locked)
    locked.voided_at, locked.voided_by, locked.void_reason = timezone.now(), user, reason
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.record(user, f"{model._meta.model_name}.void", locked, before=before)
    return locked


def _visit_measurement(visit: Visit):
    """The measurement save_visit made from a visit's weight and height, if still counting."""
    if not (visit.done_date and visit.weight_kg and visit.height_cm):
        return None
    return BodyMeasurement.objects.valid().filter(
        patient_id=visit.patient_id, measured_on=visit.done_date, weight_kg=visit.weight_kg,
        height_cm=visit.height_cm).first()


@keeps_schedule_current
@transaction.atomic
def void_record(user, record, reason: str):
    """"Erreur de saisie": the record stays, marked voided with who, when and why, and no
    longer counts; the advice and the calendar are recomputed in the same transaction. A
    visit's weight and height go with it (save_visit made them a measurement)."""
    voided = _void(user, record, reason)
    measurement = _visit_measurement(voided) if isinstance(voided, Visit) else None
    if measurement is not None and can_void(user, measurement):
        _void(user, measurement, reason)
    return voided


@transaction.atomic
def correct_record(user, record, replacement, reason: str, save):
    """Void `record` and save the right value in its place (`save`: the kind's add service),
    linked to it, in one transaction: both or neither."""
    voided = void_record(user, record, reason)
    replacement.pk = None
    replacement.corrects = voided
    return save(user, replacement)


def undo_check(user, check: MonitoringCheck, reason: str) -> MonitoringCheck:
    """A nurse's wrong tick undone with its reason: the item is due again."""
    return void_record(user, check, reason)


@keeps_schedule_current
@transaction.atomic
def record_vitals(user, check: MonitoringCheck, *, systolic: int | None = None,
                  diastolic: int | None = None, measurement: BodyMeasurement | None = None):
    """The nurse ticks a visit or a blood pressure item with what she measured: the blood
    pressure (a visit "HP" of that day, which the engine reads as the work-up's and the
    calendar's blood pressure) and the weight and height, all in one transaction."""
    _require(user, "record_vitals")
    day = local_date(check.done_at or timezone.now())
    if systolic is not None:
        visit = Visit(patient_id=check.patient_id, label="HP", done_date=day,
                      systolic_bp=systolic, diastolic_bp=diastolic, recorded_by=user,
                      notes=_("Tension relevée au soin : %(kind)s du %(due)s.")
                      % {"kind": check.get_kind_display(), "due": check.due_date.strftime(
                          "%d/%m/%Y")})
        _create(user, "record_vitals", visit)
    if measurement is not None:
        measurement.patient_id, measurement.measured_on = check.patient_id, day
        add_measurement(user, measurement)
    return mark_check_done(user, check)


# The kinds listed in the history's entries (visits and platelet counts have their tables).
_HISTORY_ENTRIES = (("troughs", None), ("lab_results", LabResult.Kind.PLATELETS),
                    ("measurements", None), ("adverse_events", None), ("comedications", None))


def history_entries(patient) -> list[tuple[str, object]]:
    """(related name, records newest first with who entered or voided them) for each kind of
    the history's entries: one query per kind."""
    found = []
    for related, left_out in _HISTORY_ENTRIES:
        entries = getattr(patient, related).select_related("recorded_by", "voided_by")
        if left_out:
            entries = entries.exclude(kind=left_out)
        found.append((related, entries))
    return found
