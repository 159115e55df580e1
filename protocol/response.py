"""ITP response over the course, from platelet counts, by the International Working Group
criteria (Rodeghiero F. et al., Standardization of terminology, definitions and outcome criteria
in immune thrombocytopenic purpura of adults and children, Blood 2009;113:2386-93): complete
response (CR) platelets ≥ 100 G/L; response (R) ≥ 30 G/L and at least twice the baseline; both
without bleeding, each confirmed on two counts at least 7 days apart. Loss of response: a
response obtained, then counts below it confirmed in the same way (a relapse, not a
"no response").

A status changes only when two counts ≥ 7 days apart show the change; a single count that
differs is kept as "to confirm", with the date from which a re-count would confirm it. Before
any response the child is a non-responder: a count below the response thresholds says so at
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .course import PlateletCount

CR_G_L = 100.0
R_G_L = 30.0
CONFIRM_DAYS = 7

COMPLETE_RESPONSE = "complete_response"
RESPONSE = "response"
NO_RESPONSE = "no_response"
NOT_EVALUABLE = "not_evaluable"
LOSS_OF_RESPONSE = "loss_of_response"
RESPONDING = (COMPLETE_RESPONSE, RESPONSE)
_RANK = {NO_RESPONSE: 0, RESPONSE: 1, COMPLETE_RESPONSE: 2}
_BY_RANK = {0: NO_RESPONSE, 1: RESPONSE, 2: COMPLETE_RESPONSE}


@dataclass(frozen=True)
class Response:
    status: str
    confirmed: bool
    since: date | None  # first count of the run that showed the status
    baseline_g_per_l: float | None
    baseline_date: date | None
    assessed_on: date | None  # the latest count
    best: str = NOT_EVALUABLE  # best confirmed status so far (the status itself if none yet)
    to_confirm_on: date | None = None  # a differing count awaits a re-count from this date
    held_until: date | None = None  # loss of response: the last count that showed the response
    pending: str | None = None  # what the count(s) to confirm show

    @property
    def dropping(self) -> bool:
        """A count below the confirmed response awaits its re-count."""
        return (
            self.confirmed
            and self.pending is not None
            and _RANK.get(self.pending, 0) < _RANK.get(self.status, 0)
        )

    @property
    def responding(self) -> bool:
        return self.status in RESPONDING

    @property
    def ever_responded(self) -> bool:
        """A response was confirmed at some point of the course."""
        return self.confirmed and self.best in RESPONDING

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "confirmed": self.confirmed,
            "since": _iso(self.since),
            "best": self.best,
            "to_confirm_on": _iso(self.to_confirm_on),
            "baseline_g_per_l": self.baseline_g_per_l,
            "baseline_date": _iso(self.baseline_date),
            "assessed_on": _iso(self.assessed_on),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def level(count: PlateletCount, baseline: float | None) -> str:
    """The response a single count shows. A count with bleeding is never a response (IWG
    requires the absence of bleeding). Between 30 and 100 G/L, R needs the baseline."""
    if count.bleeding or count.g_per_l < R_G_L:
        return NO_RESPONSE
    if count.g_per_l >= CR_G_L:
        return COMPLETE_RESPONSE
    if baseline is None:
        return NOT_EVALUABLE
    return RESPONSE if count.g_per_l >= 2 * baseline else NO_RESPONSE


@dataclass
class _Run:
    """Counts after the last confirmed status that all differ from it in the same direction."""

    first: date
    up: bool
    ranks: list[int]

    @property
    def rank(self) -> int:
        # What the whole run shows: the least change from the confirmed status.
        return min(self.ranks) if self.up else max(self.ranks)


def assess(counts: tuple[PlateletCount, ...], start: date | None) -> Response:
    """Response of the course started on `start`; counts are sorted by date.

    Baseline: the last count on or before the start. Counts between 30 and 100 G/L without a
    baseline tell nothing (R needs the baseline) and are skipped. One pass over the counts.
    """
    if start is None:
        return Response(NOT_EVALUABLE, False, None, None, None, None)
    before = [c for c in counts if c.date <= start]
    baseline = before[-1] if before else None
    base = baseline.g_per_l if baseline else None
    base_date = baseline.date if baseline else None
    after = [c for c in counts if c.date > start]
    assessed = after[-1].date if after else None
    confirmed: int | None = None  # rank of the confirmed status
    since: date | None = None
    best = -1
    run: _Run | None = None
    last_responding: date | None = None
    held_until: date | None = None
    for count in after:
        lvl = level(count, base)
        if lvl == NOT_EVALUABLE:
            continue
        rank = _RANK[lvl]
        if confirmed is not None and rank == confirmed:
            run = None
        elif confirmed is None and rank == 0:
            # Before any confirmed response the child is a non-responder (the baseline): one
            # count showing no response says so; only a response needs its confirmation.
            confirmed, since, run, best = 0, count.date, None, max(best, 0)
        else:
            up = rank > (confirmed if confirmed is not None else 0.5)
            if run is None or run.up != up:
                run = _Run(count.date, up, [])
            run.ranks.append(rank)
            if (count.date - run.first).days >= CONFIRM_DAYS:
                if run.rank == 0 and best >= 1:
                    held_until = last_responding
                confirmed, since, run = run.rank, run.first, None
                best = max(best, confirmed)
                if rank != confirmed:  # this count shows more than the run: to confirm
                    run = _Run(count.date, rank > confirmed, [rank])
        if rank >= 1:
            last_responding = count.date
    if confirmed is None:
        if run is None:
            return Response(NOT_EVALUABLE, False, None, base, base_date, assessed)
        status = _BY_RANK[run.rank]
        to_confirm = run.first + timedelta(days=CONFIRM_DAYS)
        return Response(status, False, run.first, base, base_date, assessed, status, to_confirm)
    status = LOSS_OF_RESPONSE if confirmed == 0 and best >= 1 else _BY_RANK[confirmed]
    return Response(
        status,
        True,
        since,
        base,
        base_date,
        assessed,
        _BY_RANK[best],
        run.first + timedelta(days=CONFIRM_DAYS) if run else None,
        held_until if status == LOSS_OF_RESPONSE else None,
        _BY_RANK[run.rank] if run else None,
    )
