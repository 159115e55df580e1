"""The nurse's day sheet: one row per child with something due that day, what to sample and
how (tube, preparation: settings.LAB_SAMPLES), what to measure, the dose time and the
parents' phone, with boxes to tick. Read from the stored calendar (ScheduleItem rows) in a
fixed number of queries whatever the number of children."""

from dataclasses import dataclass, field
from datetime import date, time

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from sirolimus_app.documents.data import Made
from sirolimus_app.i18n import calendar_label
from sirolimus_app.models import BodyMeasurement, Patient, Prescription, ScheduleItem
from sirolimus_app.presenters.calendar import DueItem

SAMPLE_KINDS = ("control", "trough", "cbc", "lipids")  # in the order they are drawn


@dataclass
class SheetItem:
    kind: str
    label: str
    how: str  # tube and preparation, or what to measure
    due: date
    late: bool
    kind_display: str


@dataclass
class ChildRow:
    patient: Patient
    measurement: BodyMeasurement | None
    prescription: Prescription | None
    samples: list[SheetItem] = field(default_factory=list)
    measures: list[SheetItem] = field(default_factory=list)

    @property
    def dose_time(self) -> time | None:
        return self.patient.dose_time

    @property
    def fasting(self) -> bool:
        return any(item.kind == "lipids" for item in self.samples)


@dataclass
class DaySheet:
    day: date
    today: date
    made: Made
    rows: list[ChildRow]
    patient: None = None  # the PDF frame prints no single child's identity


def _measure_how(kind: str) -> str:
    if kind == "blood_pressure":
        return _("Tension artérielle (repos, brassard adapté)")
    return _("Poids, taille, tension artérielle")


def day_sheet(day: date, today: date, user) -> DaySheet:
    """Everything booked on `day` (its appointment, the working day the engine gives it, as
    on the worklist) and not done; on today's sheet, also what is overdue and still open (it
    is to be done today)."""
    due = Q(appointment=day)
    if day == today:
        due |= Q(appointment__lt=today, done=False, superseded_on__gte=today)
    items = (ScheduleItem.objects.filter(due, done=False).select_related("patient")
             .order_by("patient__last_name", "patient__first_name", "patient_id", "position"))
    rows: dict[int, ChildRow] = {}
    for item in items:
        row = rows.get(item.patient_id)
        if row is None:
            row = rows[item.patient_id] = ChildRow(item.patient, None, None)
        shown = DueItem.of_row(item, today)
        late = item.appointment < day
        if item.kind in SAMPLE_KINDS:
            how = str(settings.LAB_SAMPLES.get(item.kind, shown.instruction))
            row.samples.append(SheetItem(item.kind, calendar_label(item.label), how,
                                         item.due_date, late, shown.kind_display))
        else:
            row.measures.append(SheetItem(item.kind, calendar_label(item.label),
                                          _measure_how(item.kind), item.due_date, late,
                                          shown.kind_display))
    ids = list(rows)
    for m in BodyMeasurement.objects.valid().filter(patient_id__in=ids).order_by(
            "patient_id", "-measured_on", "-pk"):
        if rows[m.patient_id].measurement is None:
            rows[m.patient_id].measurement = m
    for p in Prescription.objects.filter(patient_id__in=ids,
                                         status__in=Prescription.CURRENT_STATUSES):
        rows[p.patient_id].prescription = p
    return DaySheet(day=day, today=today, made=Made.now(user), rows=list(rows.values()))
