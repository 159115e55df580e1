"""The decision: from a validated course to the protocol's advice for today.

Order of precedence, safest first: contraindications (nothing is given), a recorded definitive
stop, the start, toxicity (suspend / stay suspended / resume at half dose), a current dose
above the ceilings (decrease), the stop for non-response at 3 months, then the options the
protocol leaves to the prescriber (increase, tapers).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from . import alerts as al
from . import calendar, eligibility, monitoring
from .alerts import CRITICAL, INFO, WARNING, Alert
from .bsa import BodySurface, body_surface
from .cost import Cost, monthly
from .course import Course
from .dates import add_months, whole_months
from .dosing import (
    MAX_MG_PER_DAY,
    MAX_MG_PER_M2,
    SOLUTION,
    START_MG_PER_M2,
    TABLETS,
    Limit,
    Proposal,
    chosen,
    is_realisable,
    limiting_rule,
    mg_per_m2,
    nothing,
    other,
    start_dose,
)
from .eligibility import BLOCKING, Check
from .history import ZERO, History
from .monitoring import Item, Reason
from .response import (
    COMPLETE_RESPONSE,
    LOSS_OF_RESPONSE,
    NO_RESPONSE,
    NOT_EVALUABLE,
    RESPONSE,
    Response,
    assess,
)
from .rules import cite
from .taper import LOWEST_DOSE_EVERY, Taper, lowest_dose, to_stop
from .text import date_en, date_fr, num_en, num_fr
from .troughs import LOW_BELOW_NG_ML, TOXIC, TroughReading, interpret, show_en, show_fr

NO_EARLY_INCREASE_DAYS = 21  # DOSE-NO-EARLY-INCREASE: not during the first 3 weeks (days 0–20)
RESPONSE_EXPECTED_DAYS = 28  # RESP-DELAY: 4 weeks
STOP_IF_NO_RESPONSE_MONTHS = 3  # RESP-DELAY
LOWEST_DOSE_AFTER_MONTHS = 2  # TAPER-LOWEST-DOSE
TAPER_AFTER_MONTHS = 12  # TAPER-AFTER-CR / TAPER-AFTER-PR
TOTAL_TREATMENT_MONTHS = 24  # TAPER-AFTER-CR: about 2 years in all
CR_TAPER_MONTHS = (6, 12)
PR_TAPER_MONTHS = 3
CONTROL_AFTER = timedelta(days=2)  # TOX-SUSPEND: control 48 h after stopping
PROTOCOL = "CEREVANCE — sirolimus (Rapamune®) in paediatric ITP, 30/03/2021"


@dataclass(frozen=True)
class Advice:
    today: date
    bsa: BodySurface
    itp_phase: str | None
    day_of_treatment: int | None  # days since the first dose of the current course (day 0)
    eligible: bool
    dose: Proposal
    options: tuple[Proposal, ...]
    alerts: tuple[Alert, ...]
    next: tuple[Item, ...]
    schedule: tuple[Item, ...]
    taper: Taper | None
    response: Response
    troughs: tuple[TroughReading, ...]
    eligibility: tuple[Check, ...]
    cost: Cost | None
    # The latest trough > 15 ng/ml not yet followed by a recorded suspension ("suspend now").
    pending_suspension: TroughReading | None = None
    # From when RESP-DELAY (no response at 3 months) applies if nothing changes; None when the
    # child responds, is not on treatment or is not evaluable.
    no_response_from: date | None = None
    # The critical alert "no response at 3 months: stop" among `alerts`, when it is given: the
    # worklists list the child once, as not responding, rather than also as forbidden.
    no_response_stop: Alert | None = None

    @property
    def gravest_alerts(self) -> tuple[Alert, ...]:
        """The alerts of the gravest severity given (`alerts` are ordered gravest first)."""
        return tuple(a for a in self.alerts if a.severity == self.alerts[0].severity)

    @property
    def critical_alerts(self) -> tuple[Alert, ...]:
        """What the protocol forbids as things are: the app refuses a validation, dispense or
        resume while this is not empty."""
        return tuple(a for a in self.alerts if a.severity == CRITICAL)

    def to_dict(self) -> dict:
        return {
            "bsa_m2": float(self.bsa.m2),
            "bsa_formula": self.bsa.formula,
            "eligible": self.eligible,
            "dose": self.dose.to_dict(),
            "options": [o.to_dict() for o in self.options],
            "alerts": [a.to_dict() for a in self.alerts],
            "next": [i.to_dict() for i in self.next],
            "schedule": [i.to_dict() for i in self.schedule],
            "taper": self.taper.to_dict() if self.taper else None,
            "today": self.today.isoformat(),
            "protocol": PROTOCOL,
            "itp_phase": self.itp_phase,
            "day_of_treatment": self.day_of_treatment,
            "working": self.bsa.to_dict(),
            "response": self.response.to_dict(),
            "troughs": [t.to_dict() for t in self.troughs],
            "eligibility": [c.to_dict() for c in self.eligibility],
            "cost": self.cost.to_dict() if self.cost else None,
            "pending_suspension": (
                self.pending_suspension.to_dict() if self.pending_suspension else None
            ),
            "no_response_from": self.no_response_from.isoformat()
            if self.no_response_from
            else None,
        }


@dataclass
class _Decision:
    dose: Proposal
    options: list[Proposal] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    planned: list[Item] = field(default_factory=list)  # added to the schedule
    conditional: list[Item] = field(default_factory=list)  # shown in `next` only
    taper: Taper | None = None
    no_response_stop: Alert | None = None


@dataclass(frozen=True)
class _Facts:
    course: Course
    bsa: BodySurface
    history: History
    readings: tuple[TroughReading, ...]
    response: Response

    @property
    def today(self) -> date:
        return self.course.today

    def latest(self, readings) -> TroughReading | None:
        """The latest trough; of several on that day, the highest (the safer reading)."""
        readings = list(readings)
        if not readings:
            return None
        last_day = readings[-1].date
        return max((r for r in readings if r.date == last_day), key=lambda r: r.ng_ml)


def advise(course: Course, *, with_calendar: bool = True) -> Advice:
    """The advice for the course. `with_calendar=False` leaves `schedule` and `next` empty:
    the dose, options and alerts are the same (the calendar, its costliest part, adds none),
    for a check that needs only those (the pharmacist's worklist)."""
    p = course.patient
    bsa = body_surface(p.weight_kg, p.height_cm, p.bsa_formula)
    history = History.of(course.doses)
    start = history.start
    readings = tuple(interpret(t, history) for t in course.troughs)
    facts = _Facts(course, bsa, history, readings, assess(course.platelets, start))
    checks = eligibility.checks(course, start)
    blocking = [c for c in checks if c.status == BLOCKING]

    pending = _pending_suspension(facts)
    if blocking:
        rules = cite(*(c.rule for c in blocking))
        decision = _Decision(nothing("none", course.form, bsa, rules))
        if pending is not None:
            # A blocking contraindication stops the drug too, but the toxic trough still asks
            # for its suspension and 48 h control.
            toxic = _suspend_now(facts, pending)
            toxic.dose = nothing("suspend", toxic.dose.form, bsa, cite("TOX-SUSPEND", *rules))
            decision = toxic
    elif history.stopped:
        decision = _Decision(
            nothing("none", course.form, bsa, ()),
            alerts=[
                Alert(
                    "FOLLOW-VISITS",
                    INFO,
                    f"Sirolimus stopped for good on {date_en(history.current.start)}.",
                    f"Sirolimus arrêté définitivement le {date_fr(history.current.start)}.",
                )
            ],
        )
    elif start is None:
        decision = _start(facts)
    else:
        decision = _on_treatment(facts)

    proposed_start = course.today if decision.dose.action == "start" else None
    treating = not history.stopped and (start or proposed_start) is not None
    alerts = [
        al.off_label(),
        *al.from_checks(checks),
        *al.interactions(course),
        *al.adverse_events(course),
        *_history_alerts(facts),
        *_phase_alerts(facts),
        *decision.alerts,
    ]
    if treating:
        forms = {x.form for x in (decision.dose, *decision.options) if x.mg_per_day > 0}
        alerts += al.treatment_safety(p) + al.reminders(course, forms)
    if decision.dose.mg_per_day > 0 or decision.options:
        alerts.append(
            Alert(
                "DOSE-TIMING",
                INFO,
                "One dose a day at a fixed time, always with or always away from meals.",
                "Une prise par jour à heure fixe, toujours pendant ou toujours à distance des "
                "repas.",
            )
        )
    cost = monthly(decision.dose)
    if cost:
        alerts.append(
            Alert(
                "COST-MONTHLY",
                INFO,
                f"About {num_en(cost.eur_per_month)} € a month ({num_en(cost.ml_per_month)} ml of "
                "1 mg/ml solution, 220 € per 60 ml bottle).",
                f"Environ {num_fr(cost.eur_per_month)} € par mois ({num_fr(cost.ml_per_month)} ml "
                "de solution à 1 mg/ml, 220 € le flacon de 60 ml).",
            )
        )

    schedule = (_schedule(facts, decision, proposed_start, eligible=not blocking)
                if with_calendar else [])
    upcoming = (
        []
        if history.stopped or not with_calendar
        else monitoring.due_next(schedule + decision.conditional, course.today)
    )
    return Advice(
        today=course.today,
        bsa=bsa,
        itp_phase=eligibility.itp_phase(p, start or course.today),
        day_of_treatment=(course.today - start).days if start else None,
        eligible=not blocking,
        dose=decision.dose,
        options=tuple(decision.options),
        alerts=al.ordered(alerts),
        next=tuple(upcoming),
        schedule=tuple(schedule),
        taper=decision.taper,
        response=facts.response,
        troughs=readings,
        eligibility=tuple(checks),
        cost=cost,
        pending_suspension=pending,
        no_response_from=None if history.stopped else _no_response_from(facts),
        no_response_stop=decision.no_response_stop,
    )


def _schedule(
    f: _Facts, decision: _Decision, proposed_start: date | None, eligible: bool
) -> list[Item]:
    """The calendar, each item with the record that fulfils it (calendar.fulfil)."""
    history, today = f.history, f.today
    if history.start is None:
        if not eligible:
            return []
        items = monitoring.pre_treatment(f.course.workup, today)
        if proposed_start:
            items += monitoring.on_treatment(proposed_start, today, (), (), None)
        return monitoring.sort(calendar.fulfil(items, f.course, ()))
    changes = [e.start for e in history.changes()[1:] if e.mg_per_day > 0]
    moves = history.changes()
    restarts = [  # back on sirolimus after a suspension (zero dose)
        e.start for before, e in pairwise(moves) if before.mg_per_day == 0 < e.mg_per_day
    ]
    controls = [
        e.start for e in history.changes() if e.mg_per_day == 0 and _toxic_before(f, e.start)
    ]
    end = history.current.start if history.stopped else None
    items = monitoring.on_treatment(history.start, today, changes, controls, end, restarts)
    steady = {i.date for i in items if i.kind == "trough" and i.regimen_from}
    items += [  # one trough answers a drug change and a dose change made the same day
        i
        for i in monitoring.interaction_troughs(
            f.course.patient.comedication_history, history, today
        )
        if i.date not in steady and (end is None or i.date <= end)
    ]
    # A control planned while the dose is still positive waits for the suspension.
    items += [
        replace(i, condition="if sirolimus is suspended today")
        if i.kind == "control" and history.current.mg_per_day > 0
        else i
        for i in decision.planned
    ]
    dose_changes = [e.start for e in history.changes()]
    items = [i for i in items if not calendar.superseded(i, dose_changes)]
    return monitoring.sort(calendar.fulfil(items, f.course, dose_changes))


# --- Facts of the course ----------------------------------------------------------------------


def _form_now(f: _Facts) -> str:
    """The presentation of the current (or last positive) dose: its `form`, else the course's
    form when that can give it, else the solution (the only one that can)."""
    entry = next((e for e in reversed(f.history.entries) if e.mg_per_day > 0), None)
    if entry is None:
        return f.course.form
    if entry.form:
        return entry.form
    return f.course.form if is_realisable(entry.mg_per_day, f.course.form) else SOLUTION


def _toxic_dose(f: _Facts, reading: TroughReading) -> Decimal:
    """The dose a toxic trough condemns: the regimen it reflects, else the dose in effect on its
    day (a trough drawn on the start day), else the last dose before it (drawn while off)."""
    history = f.history
    return (
        reading.dose_mg_per_day
        or history.dose_at(reading.date)
        or history.dose_before(reading.date)
    )


def _toxic_cap(f: _Facts) -> tuple[Decimal, TroughReading] | None:
    """The lowest dose that gave a toxic trough in the current course, with that trough."""
    start = f.history.start
    found = None
    for r in f.readings:
        if r.zone == TOXIC and start and r.date >= start:
            mg = _toxic_dose(f, r)
            if mg > 0 and (found is None or mg < found[0]):
                found = (mg, r)
    return found


def _limit(f: _Facts, at_most: Decimal | None = None) -> Limit:
    cap = _toxic_cap(f)
    return Limit(f.bsa.m2, at_most, cap[0] if cap else None)


def _pending_suspension(f: _Facts) -> TroughReading | None:
    """The latest trough, when it is toxic and no zero dose was in effect on any day from its date
    to today (a suspension begun before it and still running covers it), or when it is a toxic
    control drawn during a suspension and dosing restarted anyway."""
    history = f.history
    start = history.start
    latest = f.latest(r for r in f.readings if start and r.date >= start)
    if latest is None or latest.zone != TOXIC:
        return None
    if not _suspended_since(history, latest.date):
        return latest
    entry = history.entry_at(latest.date)
    control = entry is not None and entry.mg_per_day == 0 and entry.start < latest.date
    return latest if control and history.on_treatment else None


def _suspended_since(history: History, day: date) -> bool:
    """Whether a zero dose (suspension or stop) was in effect on some day from `day` on."""
    entries = history.entries
    for i, entry in enumerate(entries):
        ends = entries[i + 1].start if i + 1 < len(entries) else None
        if entry.mg_per_day == 0 and (ends is None or ends > day):
            return True
    return False


def _no_response_from(f: _Facts) -> date | None:
    """RESP-DELAY: 3 months after the PK-guided adjustment was made (or shown unnecessary or
    impossible) on the current dose, for a child who never responded."""
    response, history = f.response, f.history
    if not history.on_treatment or response.status != NO_RESPONSE or response.ever_responded:
        return None
    adjusted = _adjusted_on(f)
    return add_months(adjusted, STOP_IF_NO_RESPONSE_MONTHS) if adjusted else None


def _adjusted_on(f: _Facts) -> date | None:
    """Start of the current dose if it is the PK-adjusted one: a steady-state trough ≥ 4 ng/ml
    on it, or no higher dose allowed in either presentation (the maximum, or below a dose that
    gave a toxic trough)."""
    history = f.history
    run_start = history.constant_since(f.today)
    on_current = _on_current(f, run_start)
    if on_current and not _all_low(on_current):
        return run_start
    if _increase_proposal(f, history.current.mg_per_day, _form_now(f)) is None:
        return run_start
    return None


def _on_current(f: _Facts, run_start: date) -> list[TroughReading]:
    """The steady-state troughs on the current dose run (a reading's run began `days_on_dose`
    before it: no second walk through the history)."""
    return [
        r
        for r in f.readings
        if r.steady_state and r.date - timedelta(days=r.days_on_dose) == run_start
    ]


def _all_low(readings: list[TroughReading]) -> bool:
    """DOSE-INCREASE's "reste inférieur à 4 ng/ml": every steady-state trough on the dose."""
    return bool(readings) and all(r.ng_ml < LOW_BELOW_NG_ML for r in readings)


def _toxic_before(f: _Facts, suspension: date) -> TroughReading | None:
    """The toxic trough that motivated a suspension: the latest drawn on or before its start."""
    latest = f.latest(r for r in f.readings if r.date <= suspension)
    return latest if latest and latest.zone == TOXIC else None


def _history_alerts(f: _Facts) -> list[Alert]:
    """What the dose history holds against the protocol: an increase during the first 3 weeks,
    a past dose above 2.5 mg/m²/day (today's BSA) or 4 mg/day. The current dose is judged by
    `_current_dose`."""
    history, bsa = f.history, f.bsa
    found, previous = [], ZERO
    start = history.start
    past = history.entries[:-1] if history.on_treatment else history.entries
    for entry in history.entries:
        mg = entry.mg_per_day
        if (
            start
            and previous > 0
            and mg > previous
            and entry.start < start + timedelta(days=NO_EARLY_INCREASE_DAYS)
        ):
            day = (entry.start - start).days
            found.append(
                Alert(
                    "DOSE-NO-EARLY-INCREASE",
                    WARNING,
                    f"Dose raised from {num_en(previous)} to {num_en(mg)} mg/day on "
                    f"{date_en(entry.start)} (day {day}): the initial dose must not be increased "
                    "during the first 3 weeks; check the next trough for toxicity.",
                    f"Dose augmentée de {num_fr(previous)} à {num_fr(mg)} mg/j le "
                    f"{date_fr(entry.start)} (J{day}) : la posologie initiale ne doit pas être "
                    "augmentée pendant les 3 premières semaines ; surveiller le prochain "
                    "résiduel.",
                )
            )
        previous = mg
    for entry in past:
        mg = entry.mg_per_day
        if mg > MAX_MG_PER_DAY:
            rule, en, fr = "DOSE-CAP", "the 4 mg/day maximum", "du maximum de 4 mg/j"
        elif mg > MAX_MG_PER_M2 * bsa.m2:
            rule = "DOSE-RANGE"
            en = f"2.5 mg/m²/day ({num_en(mg_per_m2(mg, bsa.m2))} mg/m²/day for today's BSA)"
            fr = f"de 2,5 mg/m²/j ({num_fr(mg_per_m2(mg, bsa.m2))} mg/m²/j pour la SC actuelle)"
        else:
            continue
        found.append(
            Alert(
                rule,
                WARNING,
                f"Recorded dose of {num_en(mg)} mg/day from {date_en(entry.start)} is above {en}.",
                f"Dose enregistrée de {num_fr(mg)} mg/j à partir du {date_fr(entry.start)} "
                f"au-dessus {fr}.",
            )
        )
    return found


def _phase_alerts(f: _Facts) -> list[Alert]:
    return [
        Alert("ELIG-INDICATION", WARNING, en, fr)
        for en, fr in eligibility.phase_warnings(f.course.patient, f.history.start)
    ]


# --- Start ------------------------------------------------------------------------------------


def _start(f: _Facts) -> _Decision:
    form, bsa = f.course.form, f.bsa
    raw = START_MG_PER_M2 * bsa.m2
    capped = raw > MAX_MG_PER_DAY
    dose = start_dose(bsa, form, _limit(f)).proposal
    if dose is None:
        return _Decision(
            nothing("none", form, bsa, cite("FORM-PRESENTATIONS", "DOSE-RANGE")),
            alerts=[
                Alert(
                    "FORM-PRESENTATIONS",
                    WARNING,
                    f"No realisable dose for {num_en(bsa.m2)} m²: ask the pharmacy for a "
                    "suitable preparation; no dose is proposed.",
                    f"Aucune dose réalisable pour {num_fr(bsa.m2)} m² : voir avec la pharmacie "
                    "une préparation adaptée ; aucune dose n'est proposée.",
                )
            ],
        )
    decision = _Decision(dose)
    if dose.working.presentation_change:
        decision.alerts.append(_presentation_alert(dose, form))
    if capped:
        decision.alerts.append(
            Alert(
                "DOSE-CAP",
                INFO,
                f"2 mg/m²/day would be {num_en(raw)} mg: capped at 4 mg/day "
                f"({num_en(dose.mg_per_m2_per_day)} mg/m²/day).",
                f"2 mg/m²/j donneraient {num_fr(raw)} mg : plafonné à 4 mg/j "
                f"({num_fr(dose.mg_per_m2_per_day)} mg/m²/j).",
            )
        )
    return decision


def _presentation_alert(dose: Proposal, was: str) -> Alert:
    """A proposal in another presentation than the current one: said, never silent."""
    names = {SOLUTION: ("1 mg/ml oral solution", "solution buvable à 1 mg/ml")}
    names[TABLETS] = ("whole tablets", "comprimés entiers")
    return Alert(
        "FORM-PRESENTATIONS",
        WARNING,
        f"Change of presentation: {num_en(dose.mg_per_day)} mg/day as the {names[dose.form][0]} "
        f"(the {names[was][0]} give no dose within ±10 % of the target, tablets are never split "
        "or crushed).",
        f"Changement de présentation : {num_fr(dose.mg_per_day)} mg/j en "
        f"{names[dose.form][1]} (les {names[was][1]} ne donnent pas de dose à ±10 % de la "
        "cible ; les comprimés ne sont ni coupés ni écrasés).",
    )


# --- On treatment -----------------------------------------------------------------------------


def _on_treatment(f: _Facts) -> _Decision:
    pending = _pending_suspension(f)
    notes = _continued_after_toxicity(f)
    if pending is not None:
        decision = _suspend_now(f, pending)
    elif f.history.suspended:
        decision = _while_suspended(f)
    else:
        decision = _current_dose(f)
        notes += _restarted_without_control(f)
        if decision.dose.action == "continue":
            _response_rules(f, decision)
    decision.alerts += notes
    return decision


def _suspend_now(f: _Facts, latest: TroughReading) -> _Decision:
    """TOX-SUSPEND, whatever else holds: suspend, control trough 48 h after stopping."""
    due = f.today + CONTROL_AFTER
    return _suspended(
        f,
        CRITICAL,
        f.today,
        f"Trough {show_en(latest.ng_ml)} ng/ml on {date_en(latest.date)} is above 15 ng/ml: "
        f"suspend sirolimus now, control trough 48 h after stopping ({date_en(due)} if "
        "stopped today), then restart at half the dose.",
        f"Résiduel à {show_fr(latest.ng_ml)} ng/ml le {date_fr(latest.date)}, > 15 ng/ml : "
        f"suspendre le sirolimus, contrôle à 48 h de l'arrêt (le {date_fr(due)} si arrêt ce "
        "jour), puis reprise à la moitié de la dose.",
    )


def _continued_after_toxicity(f: _Facts) -> list[Alert]:
    """Toxic troughs of the course that no suspension followed, the latest one aside (that one
    acts): said even once lower troughs followed."""
    start, history = f.history.start, f.history
    latest = f.latest(r for r in f.readings if start and r.date >= start)
    alerts = []
    for r in f.readings:
        if r.zone != TOXIC or not start or r.date < start or r is latest:
            continue
        if _suspended_since(history, r.date):
            continue
        alerts.append(
            Alert(
                "TOX-SUSPEND",
                WARNING,
                f"Trough {show_en(r.ng_ml)} ng/ml on {date_en(r.date)} (> 15) was followed by "
                "continued dosing, without the suspension and 48 h control the protocol "
                f"requires; no dose at or above {num_en(_toxic_dose(f, r))} mg/day is proposed.",
                f"Le résiduel à {show_fr(r.ng_ml)} ng/ml du {date_fr(r.date)} (> 15) a été suivi "
                "de la poursuite du traitement, sans la suspension ni le contrôle à 48 h exigés ; "
                f"aucune dose égale ou supérieure à {num_fr(_toxic_dose(f, r))} mg/j n'est "
                "proposée.",
            )
        )
    return alerts


def _while_suspended(f: _Facts) -> _Decision:
    """Suspended: after a toxic trough, wait for the 48 h control, then resume at half the dose;
    otherwise resuming is the prescriber's decision."""
    since = f.history.suspension_start()
    trigger = _toxic_before(f, since)
    if trigger is None:
        trigger = next(
            (r for r in reversed(f.readings) if r.zone == TOXIC and r.date >= since), None
        )
    if trigger is None:
        return _Decision(
            nothing("suspend", _form_now(f), f.bsa, cite("TDM-STEADY-STATE")),
            alerts=[
                Alert(
                    "TDM-STEADY-STATE",
                    INFO,
                    "Sirolimus suspended (not after a toxic trough): resuming is the "
                    "prescriber's decision; trough 7 days after any restart.",
                    "Sirolimus suspendu (hors toxicité) : la reprise relève du prescripteur ; "
                    "résiduel 7 jours après toute reprise.",
                )
            ],
        )
    control = f.latest(r for r in f.readings if r.date >= since + CONTROL_AFTER)
    if control is None:
        due = since + CONTROL_AFTER
        return _suspended(
            f,
            WARNING,
            None,
            f"Suspended since {date_en(since)} after a trough of {show_en(trigger.ng_ml)} "
            f"ng/ml ({date_en(trigger.date)}): control trough due on {date_en(due)} "
            "(48 h after stopping) before any restart.",
            f"Suspendu depuis le {date_fr(since)} après un résiduel à "
            f"{show_fr(trigger.ng_ml)} ng/ml ({date_fr(trigger.date)}) : contrôle à 48 h le "
            f"{date_fr(due)} avant toute reprise.",
        )
    if control.zone == TOXIC:
        return _suspended(
            f,
            CRITICAL,
            control.date,
            f"Control trough still toxic: {show_en(control.ng_ml)} ng/ml on "
            f"{date_en(control.date)}: stay suspended, new control 48 h later.",
            f"Résiduel de contrôle encore toxique : {show_fr(control.ng_ml)} ng/ml le "
            f"{date_fr(control.date)} : rester suspendu, nouveau contrôle 48 h plus tard.",
        )
    return _resume(f, f.history.dose_before(since), control)


def _restarted_without_control(f: _Facts) -> list[Alert]:
    """A suspension followed the latest (toxic) trough and the child restarted without a control
    on record: not suspended again (the protocol's suspension happened), but say so."""
    latest = f.latest(f.readings)
    if latest is None or latest.zone != TOXIC or not f.history.on_treatment:
        return []
    return [
        Alert(
            "TOX-SUSPEND",
            WARNING,
            f"Restarted after the toxic trough of {date_en(latest.date)} without a control "
            "trough ≤ 15 ng/ml on record: check a trough now; the restart dose is half the "
            "previous one.",
            f"Reprise après le résiduel toxique du {date_fr(latest.date)} sans contrôle ≤ 15 "
            "ng/ml enregistré : doser le résiduel maintenant ; la dose de reprise est la moitié "
            "de la précédente.",
        )
    ]


def _suspended(f: _Facts, severity: str, stopped_on: date | None, en: str, fr: str) -> _Decision:
    """Stay (or go) off sirolimus; `stopped_on`: plan a 48 h control trough from that day."""
    planned = [monitoring.control_item(stopped_on)] if stopped_on else []
    return _Decision(
        nothing("suspend", _form_now(f), f.bsa, cite("TOX-SUSPEND")),
        alerts=[Alert("TOX-SUSPEND", severity, en, fr)],
        planned=planned,
    )


def _resume(f: _Facts, before: Decimal, control: TroughReading) -> _Decision:
    """Half the pre-suspension dose, in its presentation: the nearest realisable dose, never more
    than half, never at or above a dose that gave a toxic trough."""
    bsa, form = f.bsa, _form_now(f)
    half = before / 2
    basis = (
        f"half of the pre-suspension dose {num_en(before)} mg",
        f"moitié de la dose avant suspension {num_fr(before)} mg",
    )
    rules = ("TOX-SUSPEND", "FORM-PRESENTATIONS")
    dose = chosen("resume", half, form, _limit(f, at_most=half), bsa, rules, basis)
    alerts = []
    if dose is None:
        # Even the smallest step of the solution is above half: no dose is proposed.
        return _Decision(
            nothing("suspend", form, bsa, cite("TOX-SUSPEND", "FORM-PRESENTATIONS")),
            alerts=[
                Alert(
                    "TOX-SUSPEND",
                    WARNING,
                    f"Half the dose ({num_en(half)} mg) is below any realisable dose: ask the "
                    "pharmacy for a suitable preparation.",
                    f"La moitié de la dose ({num_fr(half)} mg) est inférieure à toute dose "
                    "réalisable : voir avec la pharmacie une préparation adaptée.",
                )
            ],
        )
    if dose.working.presentation_change:
        alerts.append(_presentation_alert(dose, form))
    alerts.append(
        Alert(
            "TOX-SUSPEND",
            WARNING,
            f"Control trough {show_en(control.ng_ml)} ng/ml on {date_en(control.date)} (≤ 15): "
            f"resume at half the dose, {num_en(dose.mg_per_day)} mg/day (was {num_en(before)} "
            "mg/day); trough 7 days after the restart.",
            f"Résiduel de contrôle {show_fr(control.ng_ml)} ng/ml le {date_fr(control.date)} (≤ "
            f"15) : reprise à la moitié de la dose, {num_fr(dose.mg_per_day)} mg/j (au lieu de "
            f"{num_fr(before)} mg/j) ; résiduel 7 jours après la reprise.",
        )
    )
    restart_trough = monitoring.trough_item(
        f.today + timedelta(days=7), "T0 J7 reprise", "TOX-SUSPEND", reason=Reason.RESTART
    )
    return _Decision(dose, alerts=alerts, planned=[restart_trough])


def _current_dose(f: _Facts) -> _Decision:
    """Continue the current dose if it is allowed for today's BSA (a child who lost weight may
    now be above 2.5 mg/m²/day) and below any dose that gave a toxic trough; otherwise bring it
    down."""
    current, bsa = f.history.current.mg_per_day, f.bsa
    form = _form_now(f)
    limit = _limit(f)
    basis = (f"current dose {num_en(current)} mg/day", f"dose actuelle {num_fr(current)} mg/j")
    alerts = []
    if not f.history.current.form and form != f.course.form:
        alerts.append(
            Alert(
                "FORM-PRESENTATIONS",
                WARNING,
                f"{num_en(current)} mg/day cannot be given with whole tablets: give it as the 1 "
                f"mg/ml oral solution ({num_en(current)} ml).",
                f"{num_fr(current)} mg/j n'est pas réalisable en comprimés entiers : la donner en "
                f"solution buvable à 1 mg/ml ({num_fr(current)} ml).",
            )
        )
    if limit.allows(current):
        dose = chosen(
            "continue", current, form, limit, bsa, ("DOSE-RANGE", "FORM-PRESENTATIONS"), basis
        )
        return _Decision(dose, alerts=alerts)
    cap = _toxic_cap(f)
    if cap and current >= cap[0] and Limit(bsa.m2).allows(current):
        # Still on a dose that gave a toxic trough: the protocol's answer is half of it.
        half = current / 2
        dose = chosen(
            "decrease",
            half,
            form,
            _limit(f, at_most=half),
            bsa,
            ("TOX-SUSPEND", "FORM-PRESENTATIONS"),
            basis,
        )
        if dose is None:
            return _no_dose(f, alerts)
        alerts.append(
            Alert(
                "TOX-SUSPEND",
                WARNING,
                f"Current dose {num_en(current)} mg/day gave a toxic trough "
                f"({show_en(cap[1].ng_ml)} ng/ml on {date_en(cap[1].date)}): "
                f"{num_en(dose.mg_per_day)} mg/day (half) proposed, never back to a toxic dose.",
                f"La dose actuelle de {num_fr(current)} mg/j a donné un résiduel toxique "
                f"({show_fr(cap[1].ng_ml)} ng/ml le {date_fr(cap[1].date)}) : "
                f"{num_fr(dose.mg_per_day)} mg/j (moitié) proposés, jamais de retour à une dose "
                "toxique.",
            )
        )
        return _Decision(dose, alerts=alerts)
    ceiling = min(MAX_MG_PER_M2 * bsa.m2, MAX_MG_PER_DAY)
    rule = limiting_rule(bsa.m2)
    dose = chosen("decrease", ceiling, form, limit, bsa, (rule, "FORM-PRESENTATIONS"), basis)
    if dose is None:
        return _no_dose(f, alerts)
    above_cap = current > MAX_MG_PER_DAY
    alerts.append(
        Alert(
            "DOSE-CAP" if above_cap else rule,
            CRITICAL if above_cap else WARNING,
            f"Current dose {num_en(current)} mg/day is above the maximum for today's "
            f"body-surface area (2.5 mg/m²/day, 4 mg/day): {num_en(dose.mg_per_day)} mg/day "
            "proposed.",
            f"Dose actuelle {num_fr(current)} mg/j au-dessus du maximum pour la surface "
            f"corporelle actuelle (2,5 mg/m²/j, 4 mg/j) : {num_fr(dose.mg_per_day)} mg/j "
            "proposés.",
        )
    )
    return _Decision(dose, alerts=alerts)


def _no_dose(f: _Facts, alerts: list[Alert]) -> _Decision:
    """No realisable dose is allowed (a tiny child, or every dose at or above a toxic one)."""
    alerts.append(
        Alert(
            "FORM-PRESENTATIONS",
            CRITICAL,
            "No realisable dose is allowed below the limits (2.5 mg/m²/day, 4 mg/day, below a "
            "dose that gave a toxic trough): suspend and ask the pharmacy for a suitable "
            "preparation.",
            "Aucune dose réalisable n'est permise sous les limites (2,5 mg/m²/j, 4 mg/j, sous "
            "une dose ayant donné un résiduel toxique) : suspendre et voir avec la pharmacie "
            "une préparation adaptée.",
        )
    )
    return _Decision(
        nothing("suspend", _form_now(f), f.bsa, cite("FORM-PRESENTATIONS")), alerts=alerts
    )


# --- Response ---------------------------------------------------------------------------------


def _response_rules(f: _Facts, decision: _Decision) -> None:
    """RESP-DELAY, loss of response, DOSE-INCREASE, TDM-NO-TARGET and the tapers, for a child on
    an unchanged, acceptable dose."""
    history, response, today = f.history, f.response, f.today
    start = history.start
    days = (today - start).days
    run_start = history.constant_since(today)
    on_current = _on_current(f, run_start)
    low = _all_low(on_current)
    latest = on_current[-1] if on_current else None
    never = not response.ever_responded
    if response.to_confirm_on:
        decision.alerts.append(_to_confirm(response))
    if response.status == NOT_EVALUABLE and days >= RESPONSE_EXPECTED_DAYS:
        decision.alerts.append(
            Alert(
                "RESP-DELAY",
                WARNING,
                "No platelet count since the start (or no baseline count for a count between 30 "
                "and 100 G/L): the response cannot be assessed.",
                "Pas de numération plaquettaire depuis le début (ou pas de numération de "
                "référence pour une valeur entre 30 et 100 G/L) : la réponse ne peut pas être "
                "évaluée.",
            )
        )
    if response.status == LOSS_OF_RESPONSE:
        if _loss_in_descent(f, decision):
            return
        decision.alerts.append(_loss_warning(response))
    stop_from = _no_response_from(f)
    if response.status == NO_RESPONSE and never:
        if stop_from and today >= stop_from and response.to_confirm_on is None:
            decision.dose = nothing("stop", decision.dose.form, f.bsa, cite("RESP-DELAY"))
            how_en, how_fr = (
                (
                    f"steady-state trough {show_en(latest.ng_ml)} ng/ml",
                    f"résiduel à l'équilibre {show_fr(latest.ng_ml)} ng/ml",
                )
                if latest and not low
                else ("no higher dose possible", "pas de dose plus élevée possible")
            )
            decision.no_response_stop = Alert(
                "RESP-DELAY",
                CRITICAL,
                f"No response at 3 months after the PK-guided adjustment ({how_en}, dose "
                f"since {date_en(run_start)}): stop sirolimus.",
                f"Pas de réponse à 3 mois après l'ajustement sur la PK ({how_fr}, dose depuis "
                f"le {date_fr(run_start)}) : arrêter le sirolimus.",
            )
            decision.alerts.append(decision.no_response_stop)
            return
        if days >= RESPONSE_EXPECTED_DAYS:
            when_en = f"stop on {date_en(stop_from)} if still none" if stop_from else None
            when_fr = f"arrêt le {date_fr(stop_from)} si toujours aucune" if stop_from else None
            if stop_from is None:
                when_en = "the dose is to be adjusted on the trough before any stop"
                when_fr = "la posologie est à ajuster sur le résiduel avant tout arrêt"
            decision.alerts.append(
                Alert(
                    "RESP-DELAY",
                    WARNING if today >= add_months(start, STOP_IF_NO_RESPONSE_MONTHS) else INFO,
                    f"No response on day {days} (count of {date_en(response.assessed_on)}); a "
                    f"response is expected within 4 weeks; {when_en}.",
                    f"Pas de réponse à J{days} (numération du {date_fr(response.assessed_on)}) ; "
                    f"la réponse est attendue en 4 semaines ; {when_fr}.",
                )
            )
    if not response.responding and days >= NO_EARLY_INCREASE_DAYS and not on_current:
        decision.alerts.append(
            Alert(
                "TDM-STEADY-STATE",
                INFO,
                "No steady-state trough (≥ 7 days) on the current dose yet: needed before "
                "deciding an increase.",
                "Pas encore de résiduel à l'équilibre (≥ 7 jours) à la dose actuelle : "
                "nécessaire avant de décider une augmentation.",
            )
        )
    if not response.responding and low:
        _increase(f, decision, latest, days)
    if response.responding and low:
        decision.alerts.append(
            Alert(
                "TDM-NO-TARGET",
                INFO,
                f"Responding with a trough of {show_en(latest.ng_ml)} ng/ml (< 4): no "
                "increase needed; there is no validated target in ITP and efficacy at "
                "sub-therapeutic levels is common.",
                f"Réponse avec un résiduel à {show_fr(latest.ng_ml)} ng/ml (< 4) : inutile "
                "d'augmenter ; pas de cible validée dans le PTI et l'efficacité à taux "
                "infra-thérapeutique est fréquente.",
            )
        )
    if response.responding:
        _taper(f, decision)


_STATUS_TEXT = {
    COMPLETE_RESPONSE: ("complete response", "réponse complète"),
    RESPONSE: ("response", "réponse"),
    NO_RESPONSE: ("no response", "absence de réponse"),
    LOSS_OF_RESPONSE: ("loss of response", "perte de réponse"),
    NOT_EVALUABLE: ("not evaluable", "non évaluable"),
}


def _to_confirm(response: Response) -> Alert:
    shown_en, shown_fr = _STATUS_TEXT[response.pending or response.status]
    status_en, status_fr = _STATUS_TEXT[response.status]
    return Alert(
        "RESP-DELAY",
        WARNING if response.dropping else INFO,
        f"The count of {date_en(response.assessed_on)} shows {shown_en}; a single count does not "
        f"change the status ({status_en}{'' if response.confirmed else ', not confirmed'}): "
        f"re-count on or after {date_en(response.to_confirm_on)} (IWG: two counts ≥ 7 days "
        "apart).",
        f"La numération du {date_fr(response.assessed_on)} montre : {shown_fr} ; une seule "
        f"numération ne change pas le statut ({status_fr}"
        f"{'' if response.confirmed else ', non confirmé'}) : recontrôler à partir du "
        f"{date_fr(response.to_confirm_on)} (IWG : deux numérations à ≥ 7 jours).",
    )


def _loss_warning(response: Response) -> Alert:
    best_en, best_fr = _STATUS_TEXT[response.best]
    return Alert(
        "RESP-DELAY",
        WARNING,
        f"Loss of response since {date_en(response.since)} (best: {best_en}): a relapse, not "
        "the 3-month inefficacy; check the trough (adherence), interacting drugs and "
        "intercurrent events before changing the dose.",
        f"Perte de réponse depuis le {date_fr(response.since)} (meilleure réponse : {best_fr}) : "
        "une rechute, pas l'inefficacité à 3 mois ; vérifier le résiduel (observance), les "
        "interactions et un événement intercurrent avant de modifier la dose.",
    )


def _held_dose(f: _Facts, current: Decimal) -> Decimal | None:
    """In a descent (the current dose a decrease from a positive dose, not a restart after a
    suspension), the last dose above the current one at which the response held."""
    history, response = f.history, f.response
    run_start = history.constant_since(f.today)
    before = history.entry_at(run_start - timedelta(days=1))
    if before is None or before.mg_per_day <= current:
        return None
    held = history.dose_at(response.held_until) if response.held_until else ZERO
    return held if held > current else before.mg_per_day


def _loss_in_descent(f: _Facts, decision: _Decision) -> bool:
    """TAPER-LOWEST-DOSE "tant que la réponse thérapeutique est maintenue": a loss of response
    during the descent halts it; back to the last dose at which the response held."""
    response, bsa = f.response, f.bsa
    current, form = decision.dose.mg_per_day, decision.dose.form
    held = _held_dose(f, current)
    if held is None:
        return False
    basis = (
        f"last dose at which the response held, {num_en(held)} mg/day",
        f"dernière dose à laquelle la réponse se maintenait, {num_fr(held)} mg/j",
    )
    dose = chosen(
        "increase", held, form, _limit(f), bsa, ("TAPER-LOWEST-DOSE", "FORM-PRESENTATIONS"), basis
    )
    if dose is None or dose.mg_per_day <= current:
        return False
    decision.dose = dose
    decision.planned.append(
        monitoring.trough_item(
            f.today + timedelta(days=7), "T0 J7 reprise", "TAPER-LOWEST-DOSE", reason=Reason.RESTART
        )
    )
    capped = dose.mg_per_day < held
    decision.alerts.append(
        Alert(
            "TAPER-LOWEST-DOSE",
            WARNING,
            f"Loss of response since {date_en(response.since)} during the dose reduction: the "
            f"descent stops; back to {num_en(dose.mg_per_day)} mg/day, the last dose at which "
            "the response held"
            + (" (capped below a dose that gave a toxic trough)" if capped else "")
            + "; trough 7 days later.",
            f"Perte de réponse depuis le {date_fr(response.since)} pendant la baisse de dose : "
            f"la descente s'arrête ; retour à {num_fr(dose.mg_per_day)} mg/j, dernière dose à "
            "laquelle la réponse se maintenait"
            + (" (plafonnée sous une dose ayant donné un résiduel toxique)" if capped else "")
            + " ; résiduel 7 jours plus tard.",
        )
    )
    return True


def _increase_proposal(f: _Facts, current: Decimal, form: str) -> Proposal | None:
    """DOSE-INCREASE to 2.5 mg/m²/day (4 mg at most, below any dose that gave a toxic trough),
    in the current presentation, else in the other one (flagged); None when neither gives more
    than the current dose."""
    bsa = f.bsa
    raw = MAX_MG_PER_M2 * bsa.m2
    limit = _limit(f)
    rules = ("DOSE-INCREASE", "DOSE-RANGE", "FORM-PRESENTATIONS")
    rules += ("DOSE-CAP",) if raw > MAX_MG_PER_DAY else ()
    basis = (
        f"{num_en(MAX_MG_PER_M2)} mg/m²/day × {num_en(bsa.m2)} m²",
        f"{num_fr(MAX_MG_PER_M2)} mg/m²/j × {num_fr(bsa.m2)} m²",
    )
    for only in (form, other(form)):
        dose = chosen("increase", raw, form, limit, bsa, rules, basis, MAX_MG_PER_M2, only)
        if dose is not None and dose.mg_per_day > current:
            return dose
    return None


def _increase(f: _Facts, decision: _Decision, trough: TroughReading, days: int) -> None:
    start = f.history.start
    if days < NO_EARLY_INCREASE_DAYS:
        allowed = start + timedelta(days=NO_EARLY_INCREASE_DAYS)
        decision.alerts.append(
            Alert(
                "DOSE-NO-EARLY-INCREASE",
                INFO,
                f"Trough {show_en(trough.ng_ml)} ng/ml without response, but day {days}: no "
                f"increase during the first 3 weeks (possible from {date_en(allowed)}, day 21).",
                f"Résiduel {show_fr(trough.ng_ml)} ng/ml sans réponse, mais J{days} : pas "
                "d'augmentation pendant les 3 premières semaines (possible à partir du "
                f"{date_fr(allowed)}, J21).",
            )
        )
        return
    current, form = decision.dose.mg_per_day, decision.dose.form
    option = _increase_proposal(f, current, form)
    if option is None:
        return
    decision.options.append(option)
    if option.working.presentation_change:
        decision.alerts.append(_presentation_alert(option, form))
    decision.conditional.append(
        monitoring.trough_item(
            f.today + timedelta(days=7),
            "T0 J7 augmentation",
            "DOSE-INCREASE",
            reason=Reason.INCREASE,
            condition="if the increase is prescribed today",
        )
    )
    cap = _toxic_cap(f)
    below_en = (
        f"; capped below {num_en(cap[0])} mg/day, which gave a toxic trough on "
        f"{date_en(cap[1].date)}"
        if cap and option.working.cap_applied
        else ""
    )
    below_fr = (
        f" ; plafonnée sous {num_fr(cap[0])} mg/j, dose du résiduel toxique du "
        f"{date_fr(cap[1].date)}"
        if cap and option.working.cap_applied
        else ""
    )
    decision.alerts.append(
        Alert(
            "DOSE-INCREASE",
            INFO,
            f"No response and every steady-state trough on this dose < 4 ng/ml (latest "
            f"{show_en(trough.ng_ml)}): the dose may be raised to 2.5 mg/m²/day, "
            f"{num_en(option.mg_per_day)} mg/day (4 mg at most){below_en}, with a trough 7 days "
            "after the increase.",
            f"Pas de réponse et tous les résiduels à l'équilibre à cette dose < 4 ng/ml (dernier "
            f"{show_fr(trough.ng_ml)}) : augmentation possible à 2,5 mg/m²/j, soit "
            f"{num_fr(option.mg_per_day)} mg/j (4 mg au plus){below_fr}, résiduel 7 jours après "
            "l'augmentation.",
        )
    )


# --- Tapers -----------------------------------------------------------------------------------


def _taper(f: _Facts, decision: _Decision) -> None:
    """TAPER-AFTER-CR (precedence), TAPER-LOWEST-DOSE, TAPER-AFTER-PR: options, never the
    primary dose ("il est licite", "tenter"). A count below the response awaiting its re-count
    halts any descent."""
    response, history, today = f.response, f.history, f.today
    if not response.confirmed:
        return
    if response.dropping:
        decision.alerts.append(
            Alert(
                "TAPER-LOWEST-DOSE",
                INFO,
                "No dose reduction while the last count awaits its re-count.",
                "Pas de baisse de dose tant que la dernière numération n'est pas recontrôlée.",
            )
        )
        return
    held_from = add_months(response.since, TAPER_AFTER_MONTHS)
    if response.status == COMPLETE_RESPONSE and held_from <= today:
        if (today - history.constant_since(today)).days >= 7 or _taper_start(f, held_from):
            _planned_taper(f, decision, "TAPER-AFTER-CR", held_from)
    elif response.status == COMPLETE_RESPONSE:
        if today >= add_months(history.start, LOWEST_DOSE_AFTER_MONTHS):
            _lowest_dose(f, decision)
    elif response.status == RESPONSE and held_from <= today:
        _planned_taper(f, decision, "TAPER-AFTER-PR", held_from)


def _taper_start(f: _Facts, held_from: date) -> tuple[date, Decimal, str] | None:
    """The plan's first step in the dose history: the first decrease from a positive dose on or
    after the 12 months of response; with the dose and presentation it started from."""
    previous = None
    for entry in f.history.entries:
        if (
            previous is not None
            and entry.start >= held_from
            and 0 < entry.mg_per_day < previous.mg_per_day
        ):
            return entry.start, previous.mg_per_day, previous.form or _form_now(f)
        previous = entry if entry.mg_per_day > 0 else None
    return None


def _planned_taper(f: _Facts, decision: _Decision, rule_id: str, held_from: date) -> None:
    history, today, bsa, response = f.history, f.today, f.bsa, f.response
    current, form = decision.dose.mg_per_day, decision.dose.form
    found = _taper_start(f, held_from)
    started, from_mg, from_form = found or (today, current, form)
    if rule_id == "TAPER-AFTER-CR":
        months = TOTAL_TREATMENT_MONTHS - whole_months(history.start, started)
        months = min(max(months, CR_TAPER_MONTHS[0]), CR_TAPER_MONTHS[1])
        en = (
            f"Complete response for 12 months or more (since {date_en(response.since)}): "
            f"taper over {months} months from {date_en(started)} to the stop on "
            "{ends}, for about 2 years of treatment in all."
        )
        fr = (
            f"RC depuis 12 mois ou plus (depuis le {date_fr(response.since)}) : diminution "
            f"progressive sur {months} mois à partir du {date_fr(started)} jusqu'à l'arrêt le "
            "{ends_fr}, pour une durée totale d'environ 2 ans."
        )
    else:
        months = PR_TAPER_MONTHS
        en = (
            "Partial response for 12 months or more: if the response seems maximal despite "
            f"PK-guided dosing, taper from {date_en(started)} and stop on {{ends}} (3 months)."
        )
        fr = (
            "RP depuis 12 mois ou plus : si la réponse semble maximale malgré l'ajustement sur "
            f"la PK, baisse progressive à partir du {date_fr(started)} avec arrêt le {{ends_fr}} "
            "(3 mois)."
        )
    taper = to_stop(rule_id, from_mg, from_form, started, months, bsa.m2)
    decision.taper = taper
    en = en.format(ends=date_en(taper.ends))
    fr = fr.format(ends_fr=date_fr(taper.ends))
    decision.alerts.append(Alert(rule_id, INFO, en, fr))
    due = taper.due(today)
    if current > due:
        _taper_option(f, decision, taper, due, from_form)
        if found and current > taper.due(today - timedelta(days=7)):
            decision.alerts.append(_departure(current, due, "behind"))
    elif current < due:
        decision.alerts.append(_departure(current, due, "ahead"))
    else:
        step = taper.next_step(today)
        if step is not None:
            decision.alerts.append(_next_step(rule_id, step))


def _departure(current: Decimal, due: Decimal, way: str) -> Alert:
    en, fr = {
        "behind": ("above", "au-dessus de"),
        "ahead": ("below", "en dessous de"),
    }[way]
    return Alert(
        "TAPER-AFTER-CR",
        WARNING,
        f"The dose history departs from the taper plan: {num_en(current)} mg/day is {en} the "
        f"plan's {num_en(due)} mg/day for today; the plan keeps its start and its end.",
        f"L'historique des doses s'écarte du plan de décroissance : {num_fr(current)} mg/j est "
        f"{fr} la dose du plan pour ce jour ({num_fr(due)} mg/j) ; le plan garde son début et "
        "sa fin.",
    )


def _next_step(rule_id: str, step) -> Alert:
    return Alert(
        rule_id,
        INFO,
        f"Next step of the plan on {date_en(step.start)}: {num_en(step.mg_per_day)} mg/day.",
        f"Prochain palier du plan le {date_fr(step.start)} : {num_fr(step.mg_per_day)} mg/j.",
    )


def _taper_option(f: _Facts, decision: _Decision, taper, mg: Decimal, form: str) -> None:
    bsa = f.bsa
    rules = (taper.rule, "FORM-PRESENTATIONS")
    if mg == 0:
        decision.options.append(nothing("stop", form, bsa, cite(*rules)))
        return
    basis = (
        f"taper step of {date_en(taper.due_since(f.today))}",
        f"palier du {date_fr(taper.due_since(f.today))}",
    )
    option = chosen("decrease", mg, form, _limit(f), bsa, rules, basis, only=form)
    if option is not None:
        decision.options.append(replace(option, plan_step=True))


def _lowest_dose(f: _Facts, decision: _Decision) -> None:
    """TAPER-LOWEST-DOSE: −0.5 mg a step, each 3 weeks after the last dose change, while the
    complete response holds; the search ends at the smallest dose of the chain."""
    history, today, bsa = f.history, f.today, f.bsa
    current, form = decision.dose.mg_per_day, decision.dose.form
    run_start = history.constant_since(today)
    first = run_start + LOWEST_DOSE_EVERY
    taper = lowest_dose(current, form, first, bsa.m2)
    if taper is None:
        decision.alerts.append(
            Alert(
                "TAPER-LOWEST-DOSE",
                INFO,
                f"{num_en(current)} mg/day is the smallest dose of the search (−0.5 mg would be "
                "0): keep it while the complete response holds; stopping belongs to the taper "
                "after 12 months of complete response.",
                f"{num_fr(current)} mg/j est la plus petite dose de la recherche (−0,5 mg "
                "donnerait 0) : la garder tant que la RC se maintient ; l'arrêt relève de la "
                "décroissance après 12 mois de RC.",
            )
        )
        return
    decision.taper = taper
    decision.alerts.append(
        Alert(
            "TAPER-LOWEST-DOSE",
            INFO,
            "Complete response persisting at 2 months: the lowest effective dose may be sought, "
            f"−0.5 mg every 3 weeks after the last dose change (next step on {date_en(first)}) "
            "while the response holds (even if the trough becomes sub-therapeutic); the search "
            f"ends at {num_en(taper.steps[-1].mg_per_day)} mg/day, the smallest dose of the "
            "chain.",
            "RC persistante à 2 mois : recherche possible de la plus petite dose efficace, "
            f"−0,5 mg par paliers de 3 semaines après le dernier changement de dose (prochain "
            f"palier le {date_fr(first)}) tant que la réponse se maintient (même si le résiduel "
            f"devient infra-thérapeutique) ; la recherche s'arrête à "
            f"{num_fr(taper.steps[-1].mg_per_day)} mg/j, la plus petite dose de la série.",
        )
    )
    if first <= today:
        _taper_option(f, decision, taper, taper.steps[0].mg_per_day, form)
