"""Charts drawn on the server as SVG, for the patient page and the summary PDF.

No JavaScript and no `style=` (the Content-Security-Policy forbids inline styles): only SVG
presentation attributes. Each chart has a <title> and a <desc>, and the same short text
description is shown under it, so a screen reader or a black-and-white print loses nothing;
the patient page adds a table of the values (`Chart.points`, `Chart.steps`).
Thresholds are drawn dashed or solid and labelled, never told apart by colour alone.
The drawing is narrow with large text so that it stays readable on a phone (390 px): the
axis carries dates, the points and the dose steps carry their values.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

# The protocol's lines (TDM-NO-TARGET, TOX-SUSPEND) and the IWG response thresholds.
from protocol.dosing import MAX_MG_PER_DAY
from protocol.response import CR_G_L, R_G_L
from protocol.troughs import ALPS_RANGE_NG_ML, TOXIC_ABOVE_NG_ML
from sirolimus_app.models import LabResult
from sirolimus_app.models.clinical import valid
from sirolimus_app.services.engine import local_date

# Geometry of every chart (SVG user units): a main panel, the dose steps underneath, the axis.
# 480 units wide at 13-unit text: on a 390 px phone the text is still about 10 px high.
WIDTH = 480
FONT, SMALL = 13, 12
LEFT, RIGHT = 38, 86  # room for the y labels and for the threshold labels on the right
TOP, MAIN_H, GAP, DOSE_H, AXIS_H = 18, 180, 22, 56, 28
MAX_TICKS = 5  # dates of 8 characters side by side under a 356-unit plot
LABEL_GAP = 30  # the least distance between two value labels
HEIGHT = TOP + MAIN_H + GAP + DOSE_H + AXIS_H
PLOT_W = WIDTH - LEFT - RIGHT
DOSE_TOP = TOP + MAIN_H + GAP

# Text colours reach 4.5:1 on white and on the band (RGAA 3.2).
INK, GRID, MUTED = "#212529", "#dee2e6", "#495057"
POINT, ALERT = "#0a58ca", "#b02a37"
BAND_FILL, DOSE_FILL = "#d1e7dd", "#e9ecef"

RESPONSE_LINE = "#146c43"
DOSE_AXIS_MG = int(MAX_MG_PER_DAY)  # the dose panel always shows the DOSE-CAP ceiling


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    alert: bool = False  # drawn in red and as a square (toxic trough, count with bleeding)


@dataclass(frozen=True)
class Line:
    value: float
    label: str
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class Step:
    start: date
    mg_per_day: float


@dataclass(frozen=True)
class Chart:
    key: str  # unique in a page: prefixes the ids the <svg> refers to
    title: str
    description: str
    svg: SafeString  # empty when there is nothing to draw
    unit: str = ""
    flag: str = ""  # what a red square means, for the table of values
    points: tuple[Point, ...] = ()
    steps: tuple[Step, ...] = ()


class _Scale:
    """Linear map from [low, high] to [out_low, out_high] (SVG y grows downwards)."""

    def __init__(self, low: float, high: float, out_low: float, out_high: float):
        self.low, self.span = low, (high - low) or 1
        self.out_low, self.out_span = out_low, out_high - out_low

    def __call__(self, value: float) -> float:
        return round(self.out_low + (value - self.low) / self.span * self.out_span, 1)


def _time_scale(first: date, last: date) -> _Scale:
    return _Scale(first.toordinal(), last.toordinal(), LEFT, LEFT + PLOT_W)


def _time_ticks(first: date, last: date) -> list[date]:
    """Dates for the axis, at most MAX_TICKS: every 1, 2, 7 or 14 days over a short span,
    else the first days of months every 1, 2, 3, 4, 6, 12 or 24 months."""
    days = (last - first).days
    every_days = next((n for n in (1, 2, 7, 14) if days / n < MAX_TICKS), None)
    if every_days:
        return [first + timedelta(days=n) for n in range(0, days + 1, every_days)]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    every = next((n for n in (1, 2, 3, 4, 6, 12) if months / n <= MAX_TICKS), 24)
    ticks = []
    index = first.year * 12 + first.month - 1
    while True:
        tick = date(index // 12, index % 12 + 1, 1)
        if tick > last:
            return ticks
        if tick >= first and (index % 12) % every == 0:
            ticks.append(tick)
        index += 1


def _value_ticks(top: float) -> tuple[float, list[float]]:
    """A round axis maximum ≥ top and its ticks, at most 6 of them."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
                if top / s <= 5)
    ceiling = -(-top // step) * step
    return ceiling, [i * step for i in range(int(ceiling // step) + 1)]


def _escape(value):
    # Numbers are written as they are; text (titles, labels, descriptions) is escaped.
    return value if isinstance(value, int | float) else conditional_escape(value)


def _svg(template: str, *args, **kwargs) -> SafeString:
    """format_html for SVG markup, without its cost for the hundreds of numbers of a chart."""
    return mark_safe(template.format(  # noqa: S308 (every value escaped unless a number)
        *map(_escape, args), **{key: _escape(value) for key, value in kwargs.items()}))


def _svg_join(template: str, rows) -> SafeString:
    return mark_safe("".join(  # noqa: S308 (built by _svg)
        _svg(template, **row) if isinstance(row, dict) else _svg(template, *row)
        for row in rows))


def _num(value: float) -> str:
    return formats.number_format(round(value, 1) if value % 1 else int(value))


def _grid(y: _Scale, ticks: list[float], x_from: float, x_to: float) -> SafeString:
    return _svg_join(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
        ((x_from, y(t), x_to, y(t), GRID, x_from - 5, y(t) + 4, MUTED, _num(t)) for t in ticks),
    )


def _lines(y: _Scale, lines: list[Line]) -> SafeString:
    right = LEFT + PLOT_W
    return _svg_join(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"{}/>'
            '<text x="{}" y="{}" fill="{}">{}</text>',
        ((LEFT, y(line.value), right, y(line.value), line.colour,
          mark_safe(' stroke-dasharray="6 4"') if line.dashed else "",  # noqa: S308 (constant)
          right + 4, y(line.value) + 4, line.colour, line.label) for line in lines),
    )


def _labelled(xs: list[float], keep: list[bool]) -> list[bool]:
    """Which of the points at xs get their value written: the last one, the flagged ones,
    and others as long as they stay LABEL_GAP apart (from the last, going backwards)."""
    chosen = [False] * len(xs)
    previous = None
    for index in range(len(xs) - 1, -1, -1):
        if keep[index] or previous is None or previous - xs[index] >= LABEL_GAP:
            chosen[index] = True
            previous = xs[index]
    return chosen


def _points(x: _Scale, y: _Scale, points: list[Point]) -> SafeString:
    if not points:
        return SafeString()
    at = [(x(p.day.toordinal()), y(p.value), p.alert) for p in points]
    path = " ".join(f"{cx},{cy}" for cx, cy, _alert in at)
    marks = mark_safe("".join(  # noqa: S308 (built by _svg)
        _svg('<rect x="{}" y="{}" width="8" height="8" fill="{}"/>',
             round(cx - 4, 1), round(cy - 4, 1), ALERT) if alert else
        _svg('<circle cx="{}" cy="{}" r="3.5" fill="{}"/>', cx, cy, POINT)
        for cx, cy, alert in at))
    labelled = _labelled([cx for cx, _cy, _alert in at], [p.alert for p in points])
    # The value above its point, or under it when the point is at the top of the panel.
    values = _svg_join(
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
        ((cx, cy - 8 if cy - 8 > TOP + SMALL else cy + 8 + SMALL, SMALL,
          ALERT if alert else INK, _num(point.value))
         for (cx, cy, alert), point, shown in zip(at, points, labelled, strict=True) if shown))
    return _svg('<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>{}{}',
                path, POINT, marks, values)


def _dose_panel(x: _Scale, steps: list[Step], last: date) -> SafeString:
    top = max([DOSE_AXIS_MG, *(s.mg_per_day for s in steps)])
    y = _Scale(0, top, DOSE_TOP + DOSE_H, DOSE_TOP)
    frame = _svg(
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{c}" stroke-width="1"/>'
        '<line x1="{l}" y1="{t}" x2="{r}" y2="{t}" stroke="{g}" stroke-width="1"/>'
        '<text x="{lx}" y="{by}" text-anchor="end" fill="{m}">0</text>'
        '<text x="{lx}" y="{ty}" text-anchor="end" fill="{m}">{top}</text>'
        '<text x="{rx}" y="{my}" fill="{m}">{label}</text>',
        l=LEFT, r=LEFT + PLOT_W, b=DOSE_TOP + DOSE_H, t=y(top), c=INK, g=GRID, m=MUTED,
        lx=LEFT - 5, by=DOSE_TOP + DOSE_H + 4, ty=y(top) + 4, top=_num(top),
        rx=LEFT + PLOT_W + 4, my=DOSE_TOP + DOSE_H / 2 + 4, label=_("dose (mg/j)"),
    )
    if not steps:
        return frame
    corners = []
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        end = following.start if following else last
        corners += [(x(step.start.toordinal()), y(step.mg_per_day)),
                    (x(end.toordinal()), y(step.mg_per_day))]
    base = y(0)
    outline = " ".join(f"{cx},{cy}" for cx, cy in corners)
    area = f"{corners[0][0]},{base} {outline} {corners[-1][0]},{base}"
    # Each step's dose written over its start (thinned like the points' values).
    starts = [x(step.start.toordinal()) for step in steps]
    shown = _labelled(starts, [False] * len(steps))
    values = _svg_join(
        '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
        ((min(sx + 2, LEFT + PLOT_W - 2 * SMALL), y(step.mg_per_day) - 3, SMALL, INK,
          _num(step.mg_per_day)) for sx, step, show in zip(starts, steps, shown, strict=True)
         if show))
    return _svg('{}<polygon points="{}" fill="{}"/>'
                       '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>{}',
                       frame, area, DOSE_FILL, outline, INK, values)


def _time_axis(x: _Scale, first: date, last: date) -> SafeString:
    bottom = DOSE_TOP + DOSE_H
    return _svg_join(
        '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{g}" stroke-width="1"/>'
            '<text x="{x}" y="{ty}" text-anchor="middle" fill="{m}">{label}</text>',
        ({"x": x(tick.toordinal()), "t": TOP, "b": bottom + 4, "g": GRID, "m": MUTED,
          "ty": bottom + 20, "label": f"{tick:%d/%m/%y}"} for tick in _time_ticks(first, last)),
    )


def draw(key: str, title: str, description: str, unit: str, points: list[Point],
         lines: list[Line], steps: list[Step], first: date, last: date,
         band: tuple[float, float, str] | None = None, floor: float = 0) -> SafeString:
    """One chart: values over time with their reference lines, the dose steps underneath."""
    if last <= first:
        first, last = first - timedelta(days=15), first + timedelta(days=15)
    x = _time_scale(first, last)
    top, ticks = _value_ticks(max([floor, *(p.value for p in points)]) * 1.05)
    y = _Scale(0, top, TOP + MAIN_H, TOP)
    band_markup = SafeString()
    if band:
        low, high, label = band
        # Labelled in the right margin, where no data point can hide it.
        band_markup = _svg(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
            '<text x="{}" y="{}" fill="{}">{}</text>',
            LEFT, y(high), PLOT_W, round(y(low) - y(high), 1), BAND_FILL,
            LEFT + PLOT_W + 4, round((y(low) + y(high)) / 2 + 4, 1), MUTED, label)
    return _svg(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-labelledby="{k}-title {k}-desc" '
        'font-family="DejaVu Sans, sans-serif" font-size="{font}">'
        '<title id="{k}-title">{title}</title><desc id="{k}-desc">{desc}</desc>'
        '{band}{axis}{grid}'
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{ink}" stroke-width="1"/>'
        '<text x="{ux}" y="{uy}" fill="{m}">{unit}</text>'
        '{lines}{points}{dose}</svg>',
        w=WIDTH, h=HEIGHT, font=FONT, k=key, title=title, desc=description, band=band_markup,
        axis=_time_axis(x, first, last), grid=_grid(y, ticks, LEFT, LEFT + PLOT_W),
        l=LEFT, r=LEFT + PLOT_W, b=TOP + MAIN_H, ink=INK, m=MUTED,
        ux=LEFT + PLOT_W + 4, uy=TOP + 10, unit=unit, lines=_lines(y, lines),
        points=_points(x, y, points), dose=_dose_panel(x, steps, last),
    )


def _short(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _description(points: list[Point], steps: list[Step], empty: str, count: str, unit: str,
                 alerts: str, legend: str) -> str:
    """The chart in words: how many values over which period, the last one, the flagged
    ones, what the lines mean, and the dose underneath."""
    if points:
        parts = [_("%(count)s du %(first)s au %(last)s ; dernière valeur %(value)s %(unit)s le "
                   "%(day)s.") % {"count": count, "first": _short(points[0].day),
                                  "last": _short(points[-1].day),
                                  "value": _num(points[-1].value), "unit": unit,
                                  "day": _short(points[-1].day)}]
    else:
        parts = [empty]
    if alerts:
        parts.append(alerts)
    parts.append(legend)
    parts.append(_("En dessous : paliers de dose de sirolimus (mg/j), dose actuelle "
                   "%(dose)s mg/j.") % {"dose": _num(steps[-1].mg_per_day)} if steps
                 else _("Sirolimus non débuté."))
    return " ".join(parts)


@dataclass(frozen=True)
class Series:
    """What one chart shows and how it says it (texts translated when drawn)."""

    title: str
    unit: str
    empty: str
    count: str  # plural form keyed by 'n'
    flagged: str  # plural form keyed by 'n': the values drawn as red squares
    legend: str
    flag: str  # a red square in the table of values
    lines: tuple[Line, ...]
    band: tuple[float, float, str] | None
    floor: float  # the value axis reaches at least this


TROUGHS = Series(
    title=gettext_lazy("Taux résiduels de sirolimus (ng/ml)"), unit="ng/ml",
    empty=gettext_lazy("Aucun taux résiduel enregistré."),
    count=ngettext_lazy("%(n)d taux résiduel", "%(n)d taux résiduels", "n"),
    flagged=ngettext_lazy("%(n)d au-dessus de 15 ng/ml (carré rouge).",
                          "%(n)d au-dessus de 15 ng/ml (carrés rouges).", "n"),
    legend=gettext_lazy("Bande verte : fourchette indicative ALPS 4–14 ng/ml (TDM-NO-TARGET) ; "
                        "ligne pointillée : seuil de toxicité 15 ng/ml (TOX-SUSPEND)."),
    flag=gettext_lazy("au-dessus de 15 ng/ml"),
    lines=(Line(TOXIC_ABOVE_NG_ML, "15 ng/ml", ALERT, dashed=True),),
    band=(*ALPS_RANGE_NG_ML, gettext_lazy("4–14 ALPS")), floor=20,
)
PLATELETS = Series(
    title=gettext_lazy("Plaquettes (G/L)"), unit="G/L",
    empty=gettext_lazy("Aucune numération plaquettaire enregistrée."),
    count=ngettext_lazy("%(n)d numération", "%(n)d numérations", "n"),
    flagged=ngettext_lazy("%(n)d avec saignement (carré rouge).",
                          "%(n)d avec saignement (carrés rouges).", "n"),
    legend=gettext_lazy("Lignes : 30 G/L (seuil de réponse) et 100 G/L (réponse complète)."),
    flag=gettext_lazy("saignement"),
    lines=(Line(R_G_L, "30 G/L", MUTED, dashed=True), Line(CR_G_L, "100 G/L", RESPONSE_LINE)),
    band=None, floor=150,
)


def series_chart(series: Series, key: str, points: list[Point], steps: list[Step],
                 first: date, last: date) -> Chart:
    flagged = sum(p.alert for p in points)
    text = _description(points, steps, str(series.empty), series.count % {"n": len(points)},
                        series.unit, series.flagged % {"n": flagged} if flagged else "",
                        str(series.legend))
    band = (*series.band[:2], str(series.band[2])) if series.band else None
    svg = draw(key, str(series.title), text, series.unit, points, list(series.lines), steps,
               first, last, band=band, floor=series.floor)
    return Chart(key, str(series.title), text, svg if points or steps else SafeString(),
                 unit=series.unit, flag=str(series.flag), points=tuple(points),
                 steps=tuple(steps))


def dose_steps(doses) -> list[Step]:
    """The engine's dose history entries (`services.engine.dose_history`) as steps."""
    return [Step(d.start, float(d.mg_per_day)) for d in doses]


def patient_charts(patient, doses, today: date) -> list[Chart]:
    """The trough and platelet charts of a patient fetched with `prefetch_clinical` (no query).

    Both share one time axis, from the first dose or measurement to today, so the dose steps
    line up under both.
    """
    troughs = sorted(valid(patient.troughs.all()), key=lambda t: t.sampled_at)
    trough_points = [Point(local_date(t.sampled_at), float(t.value_ng_ml),
                           alert=t.value_ng_ml > TOXIC_ABOVE_NG_ML) for t in troughs]
    counts = sorted((lab for lab in valid(patient.lab_results.all())
                     if lab.kind == LabResult.Kind.PLATELETS), key=lambda lab: lab.sampled_at)
    platelet_points = [Point(local_date(c.sampled_at), float(c.value_canonical),
                             alert=c.bleeding) for c in counts]
    steps = dose_steps(doses)
    days = [p.day for p in trough_points + platelet_points] + [s.start for s in steps]
    first = min(days, default=today)
    last = max([today, *days])
    return [
        series_chart(TROUGHS, f"chart-troughs-{patient.pk}", trough_points, steps, first, last),
        series_chart(PLATELETS, f"chart-platelets-{patient.pk}", platelet_points, steps, first,
                     last),
    ]
