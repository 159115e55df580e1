"""Facts derived from the dose history: when the current course started, the dose in effect on
a date, since when it has been constant (steady state), suspensions and stops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .course import DoseEntry

ZERO = Decimal(0)


@dataclass(frozen=True)
class History:
    """The current course: the dose entries after the last definitive stop that was followed by
    a restart (a restart after a stop is a new course, with its own day count and calendar)."""

    entries: tuple[DoseEntry, ...]

    @classmethod
    def of(cls, doses: tuple[DoseEntry, ...]) -> History:
        begin = 0
        for i, entry in enumerate(doses[:-1]):
            if entry.stop:
                begin = i + 1
        return cls(doses[begin:])

    @property
    def start(self) -> date | None:
        """First day of sirolimus in the current course (day 0)."""
        return next((e.start for e in self.entries if e.mg_per_day > 0), None)

    @property
    def current(self) -> DoseEntry | None:
        return self.entries[-1] if self.entries else None

    @property
    def stopped(self) -> bool:
        return self.current is not None and self.current.stop

    @property
    def suspended(self) -> bool:
        return self.start is not None and self.current.mg_per_day == 0 and not self.current.stop

    @property
    def on_treatment(self) -> bool:
        return self.current is not None and self.current.mg_per_day > 0

    def entry_at(self, day: date) -> DoseEntry | None:
        found = None
        for entry in self.entries:
            if entry.start > day:
                break
            found = entry
        return found

    def dose_at(self, day: date) -> Decimal:
        entry = self.entry_at(day)
        return entry.mg_per_day if entry else ZERO

    def constant_since(self, day: date) -> date | None:
        """Start of the run of entries holding the dose in effect on `day` (repeated entries at
        the same dose do not restart the steady-state clock)."""
        entry = self.entry_at(day)
        if entry is None:
            return None
        since = entry.start
        for earlier in reversed(self.entries[: self.entries.index(entry)]):
            if earlier.mg_per_day != entry.mg_per_day:
                break
            since = earlier.start
        return since

    def changes(self) -> list[DoseEntry]:
        """Entries where the dose changes (the first positive dose included)."""
        changes, previous = [], ZERO
        for entry in self.entries:
            if entry.mg_per_day != previous and (changes or entry.mg_per_day > 0):
                changes.append(entry)
            previous = entry.mg_per_day
        return changes

    def suspension_start(self) -> date | None:
        """First day of the current suspension (zero dose, not a stop)."""
        return self.constant_since(self.current.start) if self.suspended else None

    def dose_before(self, day: date) -> Decimal:
        """The last positive dose taken before `day`."""
        dose = ZERO
        for entry in self.entries:
            if entry.start >= day:
                break
            if entry.mg_per_day > 0:
                dose = entry.mg_per_day
        return dose
