"""Keeping each patient's stored calendar and status (models.schedule) equal to what the
protocol engine says, so the worklists never run the engine.

- Every service that changes clinical data is decorated with `keeps_schedule_current`: the
  patient's rows are rewritten in the service's own transaction, after the change.
- A clinical record deleted outside the services (they never delete) refreshes its patient
  too (sirolimus_app.signals); so does `migrate` for patients without rows.
- `manage.py refresh_schedules` rewrites every patient's rows each night: the engine's
  calendar also moves with the date alone (the pre-treatment work-up is due "today").

When an item is done: the engine's Item.fulfilled, stored with the row.
"""

import contextlib
import functools
import logging
import operator
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone

from protocol import Advice
from protocol.monitoring import Item
from sirolimus_app.collector import collector_paused
from sirolimus_app.models import (
    MonitoringCheck,
    Patient,
    PatientStatus,
    Prescription,
    ScheduleItem,
)
from sirolimus_app.models.schedule import KIND_ORDER, NEVER, TROUGH_KINDS, URGENCY
from sirolimus_app.services.engine import Records, advise_patient, fetch_records

logger = logging.getLogger(__name__)

Status = Prescription.Status
Kind = MonitoringCheck.Kind
Treatment = PatientStatus.Treatment
Calendar = PatientStatus.Calendar
CHUNK_SIZE = 200  # patients refreshed per transaction by refresh_patients


def keeps_schedule_current(service):
    """For a service that changes clinical data and returns the saved record (or patient):
    refresh that patient's schedule in the same transaction, once the change is made (or at
    the end of the enclosing `refreshes_deferred` block)."""
    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            saved = service(*args, **kwargs)
            patient_id = saved.pk if isinstance(saved, Patient) else saved.patient_id
            if getattr(_deferred, "ids", None) is not None:
                _deferred.ids.add(patient_id)
            else:
                refresh_patient(patient_id)
        return saved
    return wrapper


_deferred = threading.local()


@contextlib.contextmanager
def refreshes_deferred():
    """One transaction in which the services' changes refresh each patient's schedule once,
    at the end, instead of after every change: for a batch (a file of laboratory results),
    where a refresh per result would cost more than the import itself."""
    if getattr(_deferred, "ids", None) is not None:  # already inside one
        yield
        return
    _deferred.ids = set()
    try:
        with transaction.atomic():
            yield
            ids, _deferred.ids = _deferred.ids, None
            refresh_patients(ids)
    finally:
        _deferred.ids = None


def refresh_patient(patient_id: int, today: date | None = None) -> None:
    """Run the engine for this patient and rewrite its calendar and status."""
    _refresh([patient_id], today or timezone.localdate())


def refresh_patients(patient_ids: Iterable[int], today: date | None = None,
                     chunk_size: int = CHUNK_SIZE) -> int:
    """Refresh many patients, `chunk_size` per transaction (a fixed number of queries per
    chunk). Returns how many were refreshed."""
    today = today or timezone.localdate()
    ids = sorted(set(patient_ids))
    for start in range(0, len(ids), chunk_size):
        with collector_paused():  # the engine's burst, chunk by chunk
            _refresh(ids[start:start + chunk_size], today)
    return len(ids)


def update_planner_statistics() -> None:
    """Let the database choose its indexes from what the tables hold (SQLite keeps no
    statistics until asked: without them it reads, e.g., every current prescription to list
    25 patients). Part of the nightly run; a fraction of a second at 10,000 patients."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def refresh_missing(today: date | None = None) -> int:
    """Patients with no stored status yet (a database from before the schedule tables)."""
    return refresh_patients(Patient.objects.filter(schedule_status__isnull=True)
                            .values_list("pk", flat=True), today)


@transaction.atomic
def _refresh(patient_ids: list[int], today: date) -> None:
    # Refreshes of one patient run in turn (a row lock on PostgreSQL; SQLite has one writer
    # anyway), each reading what the previous one committed: two changes made at once cannot
    # leave a calendar that misses either. Locked in id order, so never a deadlock between
    # two refreshes.
    found = list(Patient.objects.select_for_update().filter(pk__in=patient_ids)
                 .order_by("pk").values_list("pk", flat=True))
    ticks = _ticks(found)
    records = fetch_records(found)
    statuses, items = [], []
    for patient in Patient.objects.filter(pk__in=found):
        status, rows = derive(patient, today, ticks[patient.pk], records[patient.pk])
        statuses.append(status)
        items.extend(rows)
    ScheduleItem.objects.filter(patient_id__in=patient_ids).delete()
    PatientStatus.objects.filter(patient_id__in=patient_ids).delete()
    _insert(PatientStatus, STATUS_COLUMNS, map(_status_values, statuses))
    _insert(ScheduleItem, Row._fields, items)


class Row(NamedTuple):
    """One stored calendar row as `derive` computes it: ScheduleItem's columns (but its id),
    in the order they are written. A model instance per row cost more than the engine run
    at 10,000 patients (some 150,000 rows a night)."""
    patient_id: int
    due_date: date
    kind: str
    label: str
    rules: list[str]
    instruction: str
    instruction_en: str
    superseded_on: date
    done: bool
    appointment: date
    fulfilled_on: date | None
    fulfilled_kind: str
    fulfilled_ref: str
    conditional: bool
    position: int
    tick_id: int | None


STATUS_COLUMNS = tuple(f.attname for f in PatientStatus._meta.local_concrete_fields)
_status_values = operator.attrgetter(*STATUS_COLUMNS)


def _insert(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """What bulk_create writes, as one executemany of values prepared as each field prepares
    them: bulk_create compiles every value of every row through the ORM, which took longer
    than the engine itself. No signal, default or automatic value is involved: the rows are
    whole (`columns`: every column but an automatic id)."""
    fields = [model._meta.get_field(name) for name in columns]
    prepared = [(n, prepare) for n, prepare in enumerate(map(_prepare, fields)) if prepare]
    values = []
    for row in rows:
        if prepared:
            row = list(row)
            for n, prepare in prepared:
                row[n] = prepare(row[n])
        values.append(row)
    if not values:
        return
    quote = connection.ops.quote_name  # names from the model, values as parameters
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


# The fields whose Python value is already what the database driver takes (str, bool, int,
# None); every other field prepares its value as bulk_create would have.
_AS_IS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField,
          models.ForeignKey)


def _prepare(field):
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datefield_value  # what DateField does with a date
    if isinstance(field, _AS_IS):
        return None
    return functools.partial(field.get_db_prep_save, connection=connection)


def _ticks(patient_ids: list[int]) -> dict[int, dict[tuple, MonitoringCheck]]:
    ticks = defaultdict(dict)
    # An undone tick (voided) no longer marks its item done.
    for check in MonitoringCheck.objects.valid().filter(patient_id__in=patient_ids):
        ticks[check.patient_id][(check.kind, check.due_date)] = check
    return ticks


# --- from the engine's advice to the stored rows ------------------------------------------

def derive(patient: Patient, today: date, ticks: dict,
           records: Records | None = None) -> tuple[PatientStatus, list[Row]]:
    """The status and calendar rows of one patient fetched with `prefetch_clinical` (or with
    its `records` from `fetch_records`), with the nurses' ticks keyed by (kind, due date).
    Runs the engine only for followed patients."""
    if records is None:
        records = Records.of(patient)
    prescriptions = records.prescriptions
    treatment, current = _treatment(prescriptions)
    status = PatientStatus(
        patient=patient, computed_for=today, treatment=treatment,
        last_name=patient.last_name, first_name=patient.first_name,
        calendar=Calendar.NOT_FOLLOWED, mg_per_day=current.mg_per_day if current else None,
        awaiting_validation=any(p.status == Status.PROPOSED for p in prescriptions))
    _rank(status, [], today)
    if treatment not in PatientStatus.FOLLOWED:
        return status, []
    try:
        advice = advise_patient(patient, today, records).advice
    except Exception:
        # The clinical change that triggered this refresh must still be saved: the patient
        # is listed as "calendar unavailable" instead.
        logger.exception("Protocol engine failed for patient %s", patient.pk)
        status.calendar = Calendar.ENGINE_ERROR
        return status, []
    if advice is None:
        status.calendar = Calendar.INCOMPLETE
        return status, []
    status.calendar = Calendar.AVAILABLE
    _read_alerts(status, advice, today)
    started = treatment in (Treatment.ACTIVE, Treatment.SUSPENDED)
    rows = _calendar_rows(patient, advice, today, ticks, started)
    _rank(status, rows, today)
    return status, rows


def _treatment(prescriptions: list[Prescription]) -> tuple[str, Prescription | None]:
    current = next((p for p in prescriptions if p.status in Prescription.CURRENT_STATUSES),
                   None)
    if current is not None:
        return (Treatment.ACTIVE if current.status == Status.ACTIVE
                else Treatment.SUSPENDED), current
    statuses = {p.status for p in prescriptions}
    if statuses & {Status.PROPOSED, Status.VALIDATED}:
        return Treatment.STARTING, None
    if statuses & set(Prescription.GIVEN_STATUSES):
        return Treatment.STOPPED, None
    return Treatment.NONE, None


def _read_alerts(status: PatientStatus, advice: Advice, today: date) -> None:
    """The attention flags that come from the engine's alerts and response."""
    # A toxic trough not yet followed by a suspension: "suspend now" (once suspended, the
    # engine says "stay suspended", which is not this). The detail: its critical advice.
    toxic = advice.pending_suspension
    if toxic is not None and status.treatment == Treatment.ACTIVE:
        status.toxic_trough = True
        said = advice.critical_alerts[0] if advice.critical_alerts else toxic
        status.toxic_detail, status.toxic_detail_en = said.message_fr, said.message_en
    # Other critical alerts (a forbidden drug, a contraindication): listed as "forbidden";
    # the one already said as the toxic trough's detail is not repeated, nor the stop for no
    # response (listed as "no response" from Advice.no_response_from).
    forbidden = [a for a in advice.critical_alerts
                 if not (status.toxic_trough and a is advice.critical_alerts[0])
                 and a != advice.no_response_stop]
    if forbidden and status.treatment in (Treatment.ACTIVE, Treatment.SUSPENDED):
        status.critical_detail = " ; ".join(f"{a.rule} — {a.message_fr}" for a in forbidden)
        status.critical_detail_en = " ; ".join(f"{a.rule} — {a.message_en}" for a in forbidden)
    status.response = advice.response.status or ""
    # From when "no response at 3 months" applies if nothing changes (past or future): the
    # worklists compare it with the day they are shown; their sentence gives the date.
    status.no_response_from = advice.no_response_from
    # Once the engine says to stop for it, its own words (the trough, the dose since when).
    if advice.no_response_stop is not None:
        status.no_response_detail = advice.no_response_stop.message_fr
        status.no_response_detail_en = advice.no_response_stop.message_en
    gravest = advice.gravest_alerts
    if gravest:
        status.alert_severity = gravest[0].severity
        status.alert_rules = sorted({a.rule for a in gravest})


def urgency_on(status: PatientStatus, rows: list[Row] | list[ScheduleItem],
               day: date) -> int | None:
    """The rank in URGENCY of the patient's most urgent reason for attention on `day`, from
    the stored status and calendar rows (services.worklists asks the same in SQL)."""
    # Late from the day after its appointment (the engine's `overdue`), not its protocol date.
    late = any(row.kind in TROUGH_KINDS and not row.done and not row.conditional
               and row.appointment < day <= row.superseded_on for row in rows)
    reasons = {
        "toxic_trough": status.toxic_trough,
        "forbidden": bool(status.critical_detail),
        "overdue_trough": late,
        "no_response": status.no_response_from is not None and status.no_response_from <= day,
        "awaiting_validation": status.awaiting_validation,
    }
    return next((rank for rank, code in enumerate(URGENCY) if reasons[code]), None)


def _rank(status: PatientStatus, rows: list[Row], today: date) -> None:
    """What the date-dependent facts amount to today (see PatientStatus.urgency)."""
    status.urgency = urgency_on(status, rows, today)


def calendar(advice: Advice) -> list[Item]:
    """The schedule (its conditional items too: a 48 h control waiting for the suspension),
    plus what `next` adds to it, without repeats; `next`'s conditional items (the trough after
    an optional increase) wait for the prescription they depend on."""
    seen, items = set(), []
    for item in (*advice.schedule, *(i for i in advice.next if not i.conditional)):
        key = (item.kind, item.date, item.label)
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def _calendar_rows(patient: Patient, advice: Advice, today: date, ticks: dict,
                   started: bool) -> list[Row]:
    # A conditional item (the trough after an increase not prescribed yet) becomes a real
    # one once the prescription it depends on exists. Before the first dose only the
    # pre-treatment work-up is real: the rest of the calendar assumes a start today.
    kept = [raw for raw in calendar(advice) if started or raw.before_start]
    other = len(KIND_ORDER)
    kept.sort(key=lambda raw: (raw.date, KIND_ORDER.get(raw.kind, other), raw.label))
    following: dict[str, date] = {}
    superseded = [NEVER] * len(kept)
    for position in range(len(kept) - 1, -1, -1):
        raw = kept[position]
        superseded[position] = following.get(raw.kind, NEVER)
        following[raw.kind] = raw.date
    rows = []
    for position, raw in enumerate(kept):
        done = raw.done
        # Past items done, or superseded by a later one, can never be on a worklist again; an
        # item booked from today on is on it, done or not (a Sunday visit done on the Monday).
        if (raw.date < today and raw.appointment < today
                and (done or superseded[position] < today)):
            continue
        fulfilled = raw.fulfilled
        # Done is the engine's word (Item.fulfilled: the record that fulfils the item); the
        # tick is kept to say who ticked it when a tick is that record.
        tick = ticks.get((raw.kind, raw.date)) if done else None
        rows.append(Row(
            patient_id=patient.pk, due_date=raw.date, kind=raw.kind, label=raw.label,
            rules=list(raw.rules),
            instruction=(raw.instruction_fr or "") if raw.instruction_en else "",
            instruction_en=raw.instruction_en or "",
            superseded_on=superseded[position], done=done, appointment=raw.appointment,
            fulfilled_on=fulfilled.date if fulfilled else None,
            fulfilled_kind=fulfilled.kind if fulfilled else "",
            fulfilled_ref=(fulfilled.ref or "") if fulfilled else "",
            conditional=raw.conditional, position=position,
            tick_id=tick.pk if tick is not None else None))
    return rows
