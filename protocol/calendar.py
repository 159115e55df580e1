"""Working days, and which record fulfils which calendar item (one definition for every page,
worklist, PDF and iCalendar). The windows are argued in docs/advise-contract-extensions.md.

Working days: Monday to Friday, except the French public holidays of the `holidays` package
(metropolitan France, no regional subdivision), built once per year.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import holidays

from .course import Course

DAY = timedelta(days=1)
EARLY_DAYS = (
    7  # a periodic item (visit, its samples, the 6-monthly trough) may be done a week early
)
# Record kinds of `records[]`, and the item kinds each can fulfil (a kind's group).
GROUPS = {
    "trough": ("trough", "control"),
    "control": ("trough", "control"),
    "cbc": ("cbc",),
    "visit": ("visit",),
    "blood_pressure": ("blood_pressure",),
    "lipids": ("lipids",),
}
LATER_ONLY = ("trough", "control")  # a trough is never drawn before steady state / 48 h


@functools.lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself, or the first working day after it."""
    while not is_working_day(day):
        day += DAY
    return day


def nearest_working_day(day: date) -> date:
    """`day` itself, or the nearest working day; of two equally near, the earlier (the
    follow-up is not delayed)."""
    for offset in range(8):
        for candidate in (day - offset * DAY, day + offset * DAY):
            if is_working_day(candidate):
                return candidate
    return next_working_day(day)  # never reached: no week in France is without a working day


@functools.lru_cache(maxsize=8192)  # the same dates come back for every patient and page
def appointment(day: date, kind: str) -> date:
    """A trough or 48 h control only later (never before steady state or the 48 h); any other
    item (a visit and what is done at it) on the nearest working day."""
    return next_working_day(day) if kind in LATER_ONLY else nearest_working_day(day)


@dataclass(frozen=True)
class Fulfilment:
    """The record that fulfils a calendar item."""

    date: date
    kind: str  # 'trough' (troughs[]), 'platelets' (platelets[]), or a records[] kind
    ref: str | None = None  # the caller's reference of the record ("trough:12", "lab:5"…)

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "kind": self.kind, "ref": self.ref}


@dataclass(frozen=True)
class _Record:
    date: date
    group: tuple[str, ...]
    fulfilment: Fulfilment
    label: str | None = None
    due: date | None = None


def _records(course: Course) -> list[_Record]:
    found = [
        _Record(t.date, GROUPS["trough"], Fulfilment(t.date, "trough", t.ref))
        for t in course.troughs
    ]
    found += [
        _Record(c.date, GROUPS["cbc"], Fulfilment(c.date, "platelets", c.ref))
        for c in course.platelets
    ]
    found += [
        _Record(r.date, GROUPS[r.kind], Fulfilment(r.date, r.kind, r.ref), r.label, r.due)
        for r in course.records
    ]
    return found


def fulfil(items: Sequence, course: Course, dose_changes: Sequence[date]):
    """The items, each with `fulfilled` set to the record that fulfils it (or None).

    A record fulfils at most one item of its group. Windows: an item that must reflect a
    regimen (`regimen_from`: 7-day troughs, the 48 h control) opens on its date (steady state,
    48 h) and closes on the next dose change after `regimen_from` (a trough drawn that morning
    still reflects the old regimen); any other item opens `EARLY_DAYS` before its date. Every
    window closes the day before the next item of the same group opens, so the windows of a
    group never overlap and a record can only be credited to the latest item due (the M3
    sample is never the M1 count). In a window, the earliest record fulfils the item. Records
    labelled by a nurse's tick (`records[].label`) fulfil the unfulfilled item of their kind and
    label nearest to their date, after the windows; a tick giving the protocol date `due` of
    the item it answers fulfils that item if no record did (the result of the sample,
    once entered, is the record shown). `dose_changes`: sorted dates of
    the dose changes of the current course."""
    result = list(items)
    # Each group's items and records, in one pass over each (in their order: the records by
    # date). The groups share no item or record, so they are matched one after the other.
    positions_of: dict[tuple[str, ...], list[int]] = {}
    for i, item in enumerate(result):
        group = GROUPS.get(item.kind)
        if group is not None:
            positions_of.setdefault(group, []).append(i)
    records_of: dict[tuple[str, ...], list[_Record]] = {}
    for record in sorted(_records(course), key=lambda r: r.date):
        records_of.setdefault(record.group, []).append(record)
    for group, positions in positions_of.items():
        mine = records_of.get(group, [])
        answering = [r for r in mine if r.due]
        unlabelled = [r for r in mine if not r.label and not r.due]
        labelled = [r for r in mine if r.label and not r.due]
        for i, done in _by_window([result[i] for i in positions], unlabelled, dose_changes):
            result[positions[i]] = replace(result[positions[i]], fulfilled=done)
        _by_due(result, positions, answering)
        _by_label(result, positions, labelled)
    return result


def superseded(item, dose_changes: Sequence[date]) -> bool:
    """An item for a regimen that changed again before the item's date (a 7-day trough of a
    dose held 5 days, a 48 h control after a restart within 2 days): it can no longer be done,
    and the next change's own item takes its place."""
    change = _next_change(item, dose_changes)
    return change is not None and change < item.date


def _next_change(item, dose_changes: Sequence[date]) -> date | None:
    if not item.regimen_from:
        return None
    at = bisect.bisect_right(dose_changes, item.regimen_from)
    return dose_changes[at] if at < len(dose_changes) else None


def _opens(item) -> date:
    return item.date if item.regimen_from else item.date - EARLY_DAYS * DAY


def _closes(item, next_open: date | None, dose_changes: Sequence[date]) -> date | None:
    """The last day of the item's window (None: open-ended)."""
    last = next_open - DAY if next_open else None
    change = _next_change(item, dose_changes)
    if change is not None:
        last = change if last is None else min(last, change)
    return last


def _by_window(items: list, records: list[_Record], dose_changes: Sequence[date]):
    """(index in `items`, fulfilment) for the items a record fulfils; one linear pass over
    the items by opening date and the records by date."""
    starts = [_opens(item) for item in items]
    order = sorted(range(len(items)), key=lambda i: (starts[i], items[i].date))
    opens = [starts[i] for i in order]
    distinct = sorted(set(opens))
    cursor = 0
    for rank, i in enumerate(order):
        at = bisect.bisect_right(distinct, opens[rank])
        last = _closes(items[i], distinct[at] if at < len(distinct) else None, dose_changes)
        while cursor < len(records) and records[cursor].date < opens[rank]:
            cursor += 1  # before this window: credited to no item
        if cursor < len(records) and (last is None or records[cursor].date <= last):
            yield i, records[cursor].fulfilment
            cursor += 1


def _by_due(result: list, positions: Iterable[int], answering: list[_Record]) -> None:
    """A tick answers the item of its kind due on its `due` date, whatever the window."""
    at = {(result[i].kind, result[i].date): i for i in positions if result[i].fulfilled is None}
    for record in answering:
        i = at.pop((record.fulfilment.kind, record.due), None)
        if i is not None:
            result[i] = replace(result[i], fulfilled=record.fulfilment)


def _by_label(result: list, positions: Iterable[int], labelled: list[_Record]) -> None:
    named: dict[tuple[str, str], list[int]] = {}
    for i in positions:
        named.setdefault((result[i].kind, result[i].label), []).append(i)
    for record in labelled:
        same = named.get((record.fulfilment.kind, record.label), ())
        candidates = [i for i in same if result[i].fulfilled is None]
        if candidates:
            best = min(candidates, key=lambda i: (abs((result[i].date - record.date).days), i))
            result[best] = replace(result[best], fulfilled=record.fulfilment)
