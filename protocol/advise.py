"""The decision: from a validated course to the protocol's advice for today.

Order of precedence, safest first: contraindications (nothing is given), a recorded definitive
stop, the start, toxicity (suspend / stay suspended / resume at half dose), a current dose
above the ceilings (decrease), the stop for non-response at 3 months, then the options the
protocol leaves to the prescriber (increase, tapers).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from . import alerts as al
from . import calendar, eligibility, monitoring
from .alerts import CRITICAL, INFO, WARNING, Alert
from .bsa import BodySurface, body_surface
from .cost import Cost, monthly
from .course import Course
from .dates import add_months, whole_months
from .dosing import (
    MAX_MG_PER_DAY,
    SOLUTION,
    STEP_MG,
    TABLETS,
    Proposal,
    bounded,
    increase_dose,
    is_realisable,
    limiting_rule,
    max_dose,
    nothing,
    start_dose,
)
from .eligibility import BLOCKING, Check
from .history import History
from .monitoring import Item
from .response import COMPLETE_RESPONSE, NO_RESPONSE, NOT_EVALUABLE, RESPONSE, Response, assess
from .rules import cite
from .taper import Taper, lowest_dose, to_stop
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


def advise(course: Course) -> Advice:
    p = course.patient
    bsa = body_surface(p.weight_kg, p.height_cm, p.bsa_formula)
    history = History.of(course.doses)
    start = history.start
    readings = tuple(interpret(t, history) for t in course.troughs)
    facts = _Facts(course, bsa, history, readings, assess(course.platelets, start))
    checks = eligibility.checks(course, start)
    blocking = [c for c in checks if c.status == BLOCKING]

    if blocking:
        decision = _Decision(nothing("none", course.form, bsa, cite(*(c.rule for c in blocking))))
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

    schedule = _schedule(facts, decision, proposed_start, eligible=not blocking)
    upcoming = (
        []
        if history.stopped
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
        pending_suspension=_pending_suspension(facts),
        no_response_from=None if history.stopped else _no_response_from(facts),
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
    controls = [
        e.start for e in history.changes() if e.mg_per_day == 0 and _toxic_before(f, e.start)
    ]
    end = history.current.start if history.stopped else None
    items = monitoring.on_treatment(history.start, today, changes, controls, end)
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


def _pending_suspension(f: _Facts) -> TroughReading | None:
    """The latest toxic trough of the current course with no zero dose in effect on any day from
    its date to today (a suspension begun before it and still running covers it too)."""
    start = f.history.start
    if start is None:
        return None
    toxic = [r for r in f.readings if r.zone == TOXIC and r.date >= start]
    if not toxic:
        return None
    latest = toxic[-1]
    return None if _suspended_since(f.history, latest.date) else latest


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
    on it, or no higher dose allowed in either presentation."""
    history, today, bsa = f.history, f.today, f.bsa
    run_start = history.constant_since(today)
    current = history.current.mg_per_day
    on_current = _on_current(f, run_start)
    if on_current is not None and on_current.ng_ml >= LOW_BELOW_NG_ML:
        return run_start
    if all(current >= max_dose(bsa.m2, form) for form in (SOLUTION, TABLETS)):
        return run_start
    return None


def _on_current(f: _Facts, run_start: date) -> TroughReading | None:
    """The latest steady-state trough on the current dose run."""
    return f.latest(
        r
        for r in f.readings
        if r.steady_state and f.history.constant_since(r.date - timedelta(days=1)) == run_start
    )


def _toxic_before(f: _Facts, suspension: date) -> TroughReading | None:
    """The toxic trough that motivated a suspension: the latest drawn on or before its start."""
    latest = f.latest(r for r in f.readings if r.date <= suspension)
    return latest if latest and latest.zone == TOXIC else None


def _history_alerts(f: _Facts) -> list[Alert]:
    return [
        Alert(
            "DOSE-CAP",
            WARNING,
            f"Recorded dose of {num_en(e.mg_per_day)} mg/day from {date_en(e.start)} is above "
            "the 4 mg/day maximum.",
            f"Dose enregistrée de {num_fr(e.mg_per_day)} mg/j à partir du {date_fr(e.start)} "
            "au-dessus du maximum de 4 mg/j.",
        )
        for e in f.course.doses
        if e.mg_per_day > MAX_MG_PER_DAY
    ]


# --- Start ------------------------------------------------------------------------------------


def _start(f: _Facts) -> _Decision:
    form, bsa = f.course.form, f.bsa
    started = start_dose(bsa, form)
    low, high = 2 * bsa.m2, Decimal("2.5") * bsa.m2
    span_en = f"{num_en(low, 2)}–{num_en(high, 2)} mg"
    span_fr = f"{num_fr(low, 2)}–{num_fr(high, 2)} mg"
    if started.proposal is None:
        return _Decision(
            nothing("none", form, bsa, cite("FORM-PRESENTATIONS", "DOSE-RANGE")),
            alerts=[
                Alert(
                    "FORM-PRESENTATIONS",
                    WARNING,
                    "No dose measurable in 0.1 ml steps falls within 2–2.5 mg/m²/day "
                    f"({span_en}) for {num_en(bsa.m2)} m²: ask the pharmacy for a suitable "
                    "preparation; no dose is proposed.",
                    "Aucune dose mesurable par pas de 0,1 ml n'est comprise entre 2 et 2,5 "
                    f"mg/m²/j ({span_fr}) pour {num_fr(bsa.m2)} m² : voir avec la pharmacie une "
                    "préparation adaptée ; aucune dose n'est proposée.",
                )
            ],
        )
    dose = started.proposal
    decision = _Decision(dose)
    if started.switched_to_solution:
        decision.alerts.append(
            Alert(
                "FORM-PRESENTATIONS",
                WARNING,
                "Tablets cannot give this child's dose: no multiple of 0.5 mg falls within 2–2.5 "
                f"mg/m²/day ({span_en}) and tablets must not be split or crushed. The 1 mg/ml "
                f"oral solution is proposed instead ({num_en(dose.mg_per_day)} ml).",
                "Les comprimés ne permettent pas la dose de cet enfant : aucun multiple de 0,5 "
                f"mg n'est compris entre 2 et 2,5 mg/m²/j ({span_fr}) et les comprimés ne doivent "
                "être ni coupés ni écrasés. La solution buvable à 1 mg/ml est proposée "
                f"({num_fr(dose.mg_per_day)} ml).",
            )
        )
    if dose.working.cap_applied:
        decision.alerts.append(
            Alert(
                "DOSE-CAP",
                INFO,
                f"2 mg/m²/day would be {num_en(dose.working.raw_mg)} mg: capped at 4 mg/day "
                f"({num_en(dose.mg_per_m2_per_day)} mg/m²/day).",
                f"2 mg/m²/j donneraient {num_fr(dose.working.raw_mg)} mg : plafonné à 4 mg/j "
                f"({num_fr(dose.mg_per_m2_per_day)} mg/m²/j).",
            )
        )
    return decision


# --- On treatment -----------------------------------------------------------------------------


def _on_treatment(f: _Facts) -> _Decision:
    decision, notes = _toxicity(f)
    if decision is None and f.history.suspended:
        decision = _Decision(
            nothing("suspend", f.course.form, f.bsa, cite("TDM-STEADY-STATE")),
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
    if decision is None:
        decision = _current_dose(f)
        if decision.dose.action == "continue":
            _response_rules(f, decision)
    decision.alerts += notes
    return decision


def _toxicity(f: _Facts) -> tuple[_Decision | None, list[Alert]]:
    """TOX-SUSPEND: suspend on a trough > 15 ng/ml (steady state or not), control 48 h after
    stopping, resume at half the dose once the control is ≤ 15 ng/ml. Returns the decision, if
    toxicity decides, and alerts to add to any other decision."""
    history, today = f.history, f.today
    if history.suspended:
        since = history.suspension_start()
        trigger = _toxic_before(f, since)
        if trigger is None:
            return None, []
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
            ), []
        if control.zone == TOXIC:
            return _suspended(
                f,
                CRITICAL,
                control.date,
                f"Control trough still toxic: {show_en(control.ng_ml)} ng/ml on "
                f"{date_en(control.date)}: stay suspended, new control 48 h later.",
                f"Résiduel de contrôle encore toxique : {show_fr(control.ng_ml)} ng/ml le "
                f"{date_fr(control.date)} : rester suspendu, nouveau contrôle 48 h plus tard.",
            ), []
        return _resume(f, history.dose_before(since), control), []
    latest = f.latest(f.readings)
    if latest is None or latest.zone != TOXIC:
        return None, []
    if not any(e.mg_per_day == 0 and e.start >= latest.date for e in history.entries):
        due = today + CONTROL_AFTER
        return _suspended(
            f,
            CRITICAL,
            today,
            f"Trough {show_en(latest.ng_ml)} ng/ml on {date_en(latest.date)} is above 15 ng/ml: "
            f"suspend sirolimus now, control trough 48 h after stopping ({date_en(due)} if "
            "stopped today), then restart at half the dose.",
            f"Résiduel à {show_fr(latest.ng_ml)} ng/ml le {date_fr(latest.date)}, > 15 ng/ml : "
            f"suspendre le sirolimus, contrôle à 48 h de l'arrêt (le {date_fr(due)} si arrêt ce "
            "jour), puis reprise à la moitié de la dose.",
        ), []
    # A suspension was recorded after the toxic trough and the child restarted without a
    # control on record: not suspended again (the protocol's suspension happened), but say so.
    return None, [
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
        nothing("suspend", f.course.form, f.bsa, cite("TOX-SUSPEND")),
        alerts=[Alert("TOX-SUSPEND", severity, en, fr)],
        planned=planned,
    )


def _resume(f: _Facts, before: Decimal, control: TroughReading) -> _Decision:
    """Half the pre-suspension dose, rounded down to a realisable step (never more than half),
    at least the smallest step of the 1 mg/ml solution."""
    bsa, form = f.bsa, f.course.form
    half = before / 2
    basis = (
        f"half of the pre-suspension dose {num_en(before)} mg",
        f"moitié de la dose avant suspension {num_fr(before)} mg",
    )
    working = bounded(half, bsa, form, *basis)
    alerts = []
    if working.mg_per_day == 0 and form == TABLETS:
        form = SOLUTION
        working = bounded(half, bsa, form, *basis)
        alerts.append(
            Alert(
                "FORM-PRESENTATIONS",
                WARNING,
                f"Half the dose ({num_en(half)} mg) cannot be given with whole tablets: the "
                "1 mg/ml oral solution is proposed.",
                f"La moitié de la dose ({num_fr(half)} mg) n'est pas réalisable en comprimés "
                "entiers : la solution buvable à 1 mg/ml est proposée.",
            )
        )
    if working.mg_per_day == 0:
        working = bounded(STEP_MG[SOLUTION], bsa, form, *basis)
    dose = Proposal(
        "resume",
        working.mg_per_day,
        form,
        bsa.m2,
        cite("TOX-SUSPEND", "FORM-PRESENTATIONS"),
        working,
    )
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
        f.today + timedelta(days=7), "T0 J7 reprise", "TOX-SUSPEND"
    )
    return _Decision(dose, alerts=alerts, planned=[restart_trough])


def _current_dose(f: _Facts) -> _Decision:
    """Continue the current dose if it is realisable and within the ceilings for today's BSA
    (a child who lost weight may now be above 2.5 mg/m²/day); otherwise bring it down."""
    current, form, bsa = f.history.current.mg_per_day, f.course.form, f.bsa
    basis = (f"current dose {num_en(current)} mg/day", f"dose actuelle {num_fr(current)} mg/j")
    for candidate in (form, SOLUTION):
        if is_realisable(current, candidate) and current <= max_dose(bsa.m2, candidate):
            dose = Proposal(
                "continue",
                current,
                candidate,
                bsa.m2,
                cite("DOSE-RANGE", "FORM-PRESENTATIONS"),
                bounded(current, bsa, candidate, *basis),
            )
            alerts = (
                []
                if candidate == form
                else [
                    Alert(
                        "FORM-PRESENTATIONS",
                        WARNING,
                        f"{num_en(current)} mg/day cannot be given with whole tablets: give it "
                        f"as the 1 mg/ml oral solution ({num_en(current)} ml).",
                        f"{num_fr(current)} mg/j n'est pas réalisable en comprimés entiers : la "
                        f"donner en solution buvable à 1 mg/ml ({num_fr(current)} ml).",
                    )
                ]
            )
            return _Decision(dose, alerts=alerts)
    working = bounded(current, bsa, form, *basis)
    if working.mg_per_day == 0:
        form = SOLUTION
        working = bounded(current, bsa, form, *basis)
    over = current > max_dose(bsa.m2, form)
    rules = (
        cite(limiting_rule(bsa.m2), "FORM-PRESENTATIONS") if over else cite("FORM-PRESENTATIONS")
    )
    dose = Proposal("decrease", working.mg_per_day, form, bsa.m2, rules, working)
    why = (
        (
            "above the maximum for today's body-surface area (2.5 mg/m²/day, 4 mg/day)",
            "au-dessus du maximum pour la surface corporelle actuelle (2,5 mg/m²/j, 4 mg/j)",
        )
        if over
        else (
            "not measurable with the chosen presentation",
            "non mesurable avec la présentation choisie",
        )
    )
    return _Decision(
        dose,
        alerts=[
            Alert(
                rules[0],
                WARNING,
                f"Current dose {num_en(current)} mg/day is {why[0]}: "
                f"{num_en(dose.mg_per_day)} mg/day proposed.",
                f"Dose actuelle {num_fr(current)} mg/j {why[1]} : {num_fr(dose.mg_per_day)} mg/j "
                "proposés.",
            )
        ],
    )


def _response_rules(f: _Facts, decision: _Decision) -> None:
    """RESP-DELAY, DOSE-NO-EARLY-INCREASE, DOSE-INCREASE, TDM-NO-TARGET and the tapers, for a
    child on an unchanged, acceptable dose."""
    history, response, today, bsa = f.history, f.response, f.today, f.bsa
    start = history.start
    days = (today - start).days
    current, form = decision.dose.mg_per_day, decision.dose.form
    ceiling = max_dose(bsa.m2, form)
    run_start = history.constant_since(today)
    on_current = f.latest(
        r
        for r in f.readings
        if r.steady_state and history.constant_since(r.date - timedelta(days=1)) == run_start
    )
    low = on_current is not None and on_current.ng_ml < LOW_BELOW_NG_ML
    # The increase (an option left to the prescriber) needs only the absence of a response
    # (not CR/R, so also no count yet); the stop (the primary proposal) needs a platelet count
    # that shows no response: without one it is never proposed, and a warning asks for a count.
    not_responding = not response.responding
    no_response = response.status == NO_RESPONSE
    # "Après ajustement sur la PK": the PK adjustment is done when the steady-state trough on
    # the current dose is ≥ 4 ng/ml (nothing left to adjust: DOSE-INCREASE needs < 4), or when
    # the dose is already the realisable maximum (2.5 mg/m²/day or 4 mg/day).
    adjusted = (on_current is not None and not low) or current >= ceiling

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
    at_3_months = today >= add_months(start, STOP_IF_NO_RESPONSE_MONTHS)
    if no_response and days >= RESPONSE_EXPECTED_DAYS and not at_3_months:
        decision.alerts.append(
            Alert(
                "RESP-DELAY",
                INFO,
                f"No response on day {days} (count of {date_en(response.assessed_on)}); a "
                "response is expected within 4 weeks.",
                f"Pas de réponse à J{days} (numération du {date_fr(response.assessed_on)}) ; "
                "la réponse est attendue en 4 semaines.",
            )
        )
    if no_response and at_3_months:
        if adjusted:
            how_en, how_fr = (
                (
                    f"steady-state trough {show_en(on_current.ng_ml)} ng/ml",
                    f"résiduel à l'équilibre {show_fr(on_current.ng_ml)} ng/ml",
                )
                if on_current is not None and not low
                else (
                    f"dose at the maximum {num_en(current)} mg/day",
                    f"dose au maximum, {num_fr(current)} mg/j",
                )
            )
            decision.dose = nothing("stop", form, bsa, cite("RESP-DELAY"))
            decision.alerts.append(
                Alert(
                    "RESP-DELAY",
                    CRITICAL,
                    f"No response at 3 months despite PK-guided adjustment ({how_en}): stop "
                    "sirolimus.",
                    f"Pas de réponse à 3 mois malgré l'ajustement sur la PK ({how_fr}) : arrêter "
                    "le sirolimus.",
                )
            )
            return
        decision.alerts.append(
            Alert(
                "RESP-DELAY",
                WARNING,
                "No response at 3 months, but the dose has not been adjusted on the trough yet: "
                "adjust first; stop if still ineffective after the adjustment.",
                "Pas de réponse à 3 mois mais la posologie n'a pas encore été ajustée sur le "
                "résiduel : ajuster d'abord ; arrêt si toujours inefficace après ajustement.",
            )
        )
    if not_responding and days >= NO_EARLY_INCREASE_DAYS and on_current is None:
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
    if not_responding and low and current < ceiling:
        _increase(f, decision, on_current, days)
    if response.status in (COMPLETE_RESPONSE, RESPONSE) and low:
        decision.alerts.append(
            Alert(
                "TDM-NO-TARGET",
                INFO,
                f"Responding with a trough of {show_en(on_current.ng_ml)} ng/ml (< 4): no "
                "increase needed; there is no validated target in ITP and efficacy at "
                "sub-therapeutic levels is common.",
                f"Réponse avec un résiduel à {show_fr(on_current.ng_ml)} ng/ml (< 4) : inutile "
                "d'augmenter ; pas de cible validée dans le PTI et l'efficacité à taux "
                "infra-thérapeutique est fréquente.",
            )
        )
    _taper(f, decision)


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
    working = increase_dose(f.bsa, decision.dose.form)
    rules = cite(
        "DOSE-INCREASE",
        "DOSE-RANGE",
        "FORM-PRESENTATIONS",
        *(("DOSE-CAP",) if working.cap_applied else ()),
    )
    decision.options.append(
        Proposal("increase", working.mg_per_day, decision.dose.form, f.bsa.m2, rules, working)
    )
    decision.conditional.append(
        monitoring.trough_item(
            f.today + timedelta(days=7),
            "T0 J7 augmentation",
            "DOSE-INCREASE",
            condition="if the increase is prescribed today",
        )
    )
    decision.alerts.append(
        Alert(
            "DOSE-INCREASE",
            INFO,
            f"No response and steady-state trough {show_en(trough.ng_ml)} ng/ml (< 4): the dose "
            f"may be raised to 2.5 mg/m²/day, {num_en(working.mg_per_day)} mg/day (4 mg at "
            "most), with a trough 7 days after the increase.",
            f"Pas de réponse et résiduel à l'équilibre {show_fr(trough.ng_ml)} ng/ml (< 4) : "
            f"augmentation possible à 2,5 mg/m²/j, soit {num_fr(working.mg_per_day)} mg/j (4 mg "
            "au plus), résiduel 7 jours après l'augmentation.",
        )
    )


def _taper(f: _Facts, decision: _Decision) -> None:
    """TAPER-AFTER-CR (precedence), TAPER-LOWEST-DOSE, TAPER-AFTER-PR: options, never the
    primary dose ("il est licite", "tenter")."""
    response, history, today, bsa = f.response, f.history, f.today, f.bsa
    current, form = decision.dose.mg_per_day, decision.dose.form
    if not response.confirmed:
        return
    held_12_months = add_months(response.since, TAPER_AFTER_MONTHS) <= today
    run_start = history.constant_since(today)
    taper = None
    if response.status == COMPLETE_RESPONSE:
        if held_12_months and (today - run_start).days >= 7:  # "sous traitement à l'équilibre"
            months = TOTAL_TREATMENT_MONTHS - whole_months(history.start, today)
            months = min(max(months, CR_TAPER_MONTHS[0]), CR_TAPER_MONTHS[1])
            taper = to_stop("TAPER-AFTER-CR", current, form, today, months, bsa.m2)
            en = (
                f"Complete response for 12 months or more (since {date_en(response.since)}): "
                f"taper over {months} months, for about 2 years of treatment in all."
            )
            fr = (
                f"RC depuis 12 mois ou plus (depuis le {date_fr(response.since)}) : diminution "
                f"progressive sur {months} mois, pour une durée totale d'environ 2 ans."
            )
        elif today >= add_months(history.start, LOWEST_DOSE_AFTER_MONTHS):
            first = max(today, run_start + timedelta(weeks=3))
            taper = lowest_dose(current, form, first, bsa.m2)
            en = (
                "Complete response persisting at 2 months: the lowest effective dose may be "
                "sought, −0.5 mg every 3 weeks while the response holds (even if the trough "
                "becomes sub-therapeutic)."
            )
            fr = (
                "RC persistante à 2 mois : recherche possible de la plus petite dose efficace, "
                "−0,5 mg par paliers de 3 semaines tant que la réponse se maintient (même si le "
                "résiduel devient infra-thérapeutique)."
            )
    elif response.status == RESPONSE and held_12_months:
        taper = to_stop("TAPER-AFTER-PR", current, form, today, PR_TAPER_MONTHS, bsa.m2)
        en = (
            "Partial response for 12 months or more: if the response seems maximal despite "
            "PK-guided dosing, taper and stop within 3 months."
        )
        fr = (
            "RP depuis 12 mois ou plus : si la réponse semble maximale malgré l'ajustement sur "
            "la PK, baisse progressive avec arrêt en 3 mois."
        )
    if taper is None:
        return
    first = taper.steps[0]
    working = bounded(
        first.mg_per_day,
        bsa,
        form,
        f"first taper step ({date_en(first.start)})",
        f"premier palier ({date_fr(first.start)})",
        ROUND_FLOOR,
    )
    action = "decrease" if first.mg_per_day > 0 else "stop"
    decision.options.append(
        Proposal(
            action, first.mg_per_day, form, bsa.m2, cite(taper.rule, "FORM-PRESENTATIONS"), working
        )
    )
    decision.taper = taper
    decision.alerts.append(Alert(taper.rule, INFO, en, fr))
