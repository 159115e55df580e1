"""ITP response from platelet counts, by the International Working Group criteria
(Rodeghiero F. et al., Standardization of terminology, definitions and outcome criteria in
immune thrombocytopenic purpura of adults and children, Blood 2009;113:2386-93):
complete response (CR) platelets ≥ 100 G/L; response (R) ≥ 30 G/L and at least twice the
baseline; both without bleeding, each confirmed on two counts at least 7 days apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .course import PlateletCount

CR_G_L = 100.0
R_G_L = 30.0
CONFIRM_DAYS = 7

COMPLETE_RESPONSE = "complete_response"
RESPONSE = "response"
NO_RESPONSE = "no_response"
NOT_EVALUABLE = "not_evaluable"
RESPONDING = (COMPLETE_RESPONSE, RESPONSE)
_RANK = {NO_RESPONSE: 0, NOT_EVALUABLE: 0, RESPONSE: 1, COMPLETE_RESPONSE: 2}


@dataclass(frozen=True)
class Response:
    status: str
    confirmed: bool
    since: date | None  # first count of the run that shows the status
    baseline_g_per_l: float | None
    baseline_date: date | None
    assessed_on: date | None  # the latest count

    @property
    def responding(self) -> bool:
        return self.status in RESPONDING

    @property
    def ever_responded(self) -> bool:
        return self.status in RESPONDING

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "confirmed": self.confirmed,
            "since": self.since.isoformat() if self.since else None,
            "baseline_g_per_l": self.baseline_g_per_l,
            "baseline_date": self.baseline_date.isoformat() if self.baseline_date else None,
            "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
        }


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


def assess(counts: tuple[PlateletCount, ...], start: date | None) -> Response:
    """Response of the course started on `start`; counts are sorted by date.

    Baseline: the last count on or before the start. Status: what the latest count shows; it is
    confirmed when the latest run of counts at that level or better spans ≥ 7 days.
    """
    if start is None:
        return Response(NOT_EVALUABLE, False, None, None, None, None)
    before = [c for c in counts if c.date <= start]
    baseline = before[-1] if before else None
    base = baseline.g_per_l if baseline else None
    after = [c for c in counts if c.date > start]
    if not after:
        return Response(NOT_EVALUABLE, False, None, base, baseline and baseline.date, None)
    levels = [level(c, base) for c in after]
    status = levels[-1]
    since = after[-1].date
    for count, lvl in zip(reversed(after), reversed(levels), strict=True):
        if not _holds(lvl, status):
            break
        since = count.date
    confirmed = (after[-1].date - since).days >= CONFIRM_DAYS
    return Response(status, confirmed, since, base, baseline and baseline.date, after[-1].date)


def _holds(lvl: str, status: str) -> bool:
    """Whether a count at `lvl` continues a run showing `status`: a CR count also shows a
    response; a run of non-responses is broken by any response."""
    if status in RESPONDING:
        return _RANK[lvl] >= _RANK[status]
    return lvl == status
