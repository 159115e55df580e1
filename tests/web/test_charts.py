"""The SVG charts: well-formed, accessible, no inline style, the protocol's lines where the
values say, and the include templates of the patient page."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.template.loader import render_to_string

from sirolimus_app.documents import charts
from sirolimus_app.documents.charts import Point, Step
from tests.web.test_documents_factories import fetch, two_year_history

SVG = "{http://www.w3.org/2000/svg}"
START = date(2025, 1, 6)


def parse(svg: str) -> ET.Element:
    assert " style=" not in svg and "<script" not in svg
    return ET.fromstring(svg)  # noqa: S314 (our own markup, not untrusted input)


def trough_chart(points, steps=None):
    steps = steps if steps is not None else [Step(START, 2.1)]
    return charts.series_chart(charts.TROUGHS, "t", points, steps, START,
                               START + timedelta(days=200))


def y_of(chart: charts.Chart, value: float) -> float:
    """The y coordinate the chart's scale gives a value, read from its labelled grid."""
    root = parse(chart.svg)
    grid = {float(t.text.replace(",", ".")): float(t.get("y")) - 4
            for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"
            and re.fullmatch(r"\d+", t.text or "") and float(t.get("y")) < charts.DOSE_TOP}
    (v0, y0), (v1, y1) = sorted(grid.items())[:2]
    return y0 + (value - v0) * (y1 - y0) / (v1 - v0)


def test_trough_chart_has_title_description_band_and_toxic_line():
    points = [Point(START + timedelta(days=7), 3.2), Point(START + timedelta(days=60), 16.2,
                                                          alert=True)]
    chart = trough_chart(points)
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG}title").text == "Taux résiduels de sirolimus (ng/ml)"
    description = root.find(f"{SVG}desc").text
    assert description == chart.description
    assert "2 taux résiduels" in description and "1 au-dessus de 15 ng/ml" in description
    # The 4–14 ng/ml band (TDM-NO-TARGET) and the dashed 15 ng/ml line (TOX-SUSPEND).
    band = next(r for r in root.iter(f"{SVG}rect") if r.get("fill") == charts.BAND_FILL)
    assert float(band.get("y")) == pytest.approx(y_of(chart, 14), abs=0.2)
    assert float(band.get("y")) + float(band.get("height")) == pytest.approx(
        y_of(chart, 4), abs=0.2)
    toxic = next(line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")
                 and line.get("stroke") == charts.ALERT)
    assert float(toxic.get("y1")) == pytest.approx(y_of(chart, 15), abs=0.2)
    assert any(t.text == "15 ng/ml" for t in root.iter(f"{SVG}text"))
    # The toxic trough is a red square, the other a blue dot.
    assert [r.get("fill") for r in root.iter(f"{SVG}rect")].count(charts.ALERT) == 1
    assert len(list(root.iter(f"{SVG}circle"))) == 1


def test_platelet_chart_draws_the_30_and_100_lines_and_scales_to_the_highest_count():
    points = [Point(START, 12, alert=True), Point(START + timedelta(days=30), 420)]
    chart = charts.series_chart(charts.PLATELETS, "p", points, [Step(START, 2.1)], START,
                                START + timedelta(days=90))
    root = parse(chart.svg)
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"30 G/L", "100 G/L"} <= labels
    lines = [float(line.get("y1")) for line in root.iter(f"{SVG}line")
             if line.get("stroke") in (charts.MUTED, charts.RESPONSE_LINE)]
    for value in (30, 100):
        assert any(y == pytest.approx(y_of(chart, value), abs=0.2) for y in lines), value
    assert max(float(t.text) for t in root.iter(f"{SVG}text")
               if re.fullmatch(r"\d+", t.text or "")) >= 420
    assert "1 avec saignement" in chart.description


def test_dose_steps_are_drawn_underneath_as_a_staircase():
    steps = [Step(START, 2.1), Step(START + timedelta(days=22), 2.6),
             Step(START + timedelta(days=90), 0), Step(START + timedelta(days=93), 1.3)]
    root = parse(trough_chart([Point(START + timedelta(days=7), 3.2)], steps).svg)
    staircase = [p for p in root.iter(f"{SVG}polyline") if p.get("stroke") == charts.INK][0]
    corners = [tuple(map(float, pair.split(","))) for pair in staircase.get("points").split()]
    assert len(corners) == 2 * len(steps)
    heights = [y for _x, y in corners[::2]]
    # 2.6 mg is higher (smaller y) than 2.1 mg, the suspension sits on the baseline.
    assert heights[1] < heights[0] < heights[3] < heights[2]
    assert heights[2] == max(heights)
    assert all(y > charts.DOSE_TOP for _x, y in corners)


def axis_dates(chart: charts.Chart) -> list[date]:
    return [date(2000 + int(t.text[6:]), int(t.text[3:5]), int(t.text[:2]))
            for t in parse(chart.svg).iter(f"{SVG}text")
            if re.fullmatch(r"\d\d/\d\d/\d\d", t.text or "")]


def test_time_axis_is_dated_with_at_most_five_ticks():
    chart = charts.series_chart(charts.TROUGHS, "t", [Point(START, 5)], [], START,
                                START + timedelta(days=760))
    ticks = axis_dates(chart)
    assert 3 <= len(ticks) <= charts.MAX_TICKS
    assert ticks == sorted(ticks) and all(tick.day == 1 for tick in ticks)
    # A first month of treatment: days, not one label for the whole month.
    short = charts.series_chart(charts.TROUGHS, "t", [Point(START, 5)], [], START,
                                START + timedelta(days=30))
    ticks = axis_dates(short)
    assert ticks[0] == START and len(ticks) >= 3
    assert {(b - a).days for a, b in zip(ticks, ticks[1:], strict=False)} == {7}


def test_points_and_dose_steps_carry_their_values():
    points = [Point(START + timedelta(days=7), 3.2), Point(START + timedelta(days=60), 16.2,
                                                          alert=True),
              Point(START + timedelta(days=62), 9.5)]
    steps = [Step(START, 2.1), Step(START + timedelta(days=60), 0),
             Step(START + timedelta(days=120), 1.3)]
    chart = trough_chart(points, steps)
    texts = [t.text for t in parse(chart.svg).iter(f"{SVG}text")]
    # Every value is written except where two points are too close: the later and the
    # flagged ones win.
    assert {"3,2", "16,2", "9,5"} <= set(texts)
    assert {"2,1", "1,3"} <= set(texts)
    close = trough_chart([Point(START + timedelta(days=60), 8.1),
                          Point(START + timedelta(days=61), 9.5)], steps)
    texts = [t.text for t in parse(close.svg).iter(f"{SVG}text")]
    assert "9,5" in texts and "8,1" not in texts
    # The values for the table next to the chart.
    assert chart.points == tuple(points) and chart.steps == tuple(steps)
    assert chart.flag == "au-dessus de 15 ng/ml"


def test_no_data_gives_a_text_and_no_drawing():
    chart = trough_chart([], steps=[])
    assert chart.svg == ""
    assert chart.description.startswith("Aucun taux résiduel enregistré.")
    assert "Sirolimus non débuté." in chart.description


def test_text_in_a_chart_is_escaped():
    svg = charts.draw("k", "<b>titre</b> & co", "desc <script>", "ng/ml", [], [], [], START,
                      START + timedelta(days=10))
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<b>titre</b> & co"
    assert "<script>" not in svg


@pytest.fixture
def history(haematologist, nurse, pharmacist):
    return two_year_history(haematologist, nurse, pharmacist)


def test_patient_page_include_draws_both_charts_without_a_query(
        history, nurse, django_assert_num_queries):
    patient = fetch(history.patient)
    with django_assert_num_queries(0):
        html = render_to_string("documents/patient_charts.html",
                                {"patient": patient, "advice": None})
    assert " style=" not in html
    assert html.count("<svg") == 2
    assert "Taux résiduels de sirolimus (ng/ml)" in html and "Plaquettes (G/L)" in html
    assert f'aria-labelledby="chart-troughs-{patient.pk}-title chart-troughs-{patient.pk}-desc"' \
        in html
    assert "9 taux résiduels" in html and "26 numérations" in html
    # The dose panel's current dose is the one taken now.
    assert "dose actuelle 1,3 mg/j" in html
    # Each chart has its values as a table with headers, for a screen reader.
    assert html.count("<table") == 4 and html.count('scope="col"') == 8


def test_patient_page_links_to_the_documents_for_clinical_roles_only(history, nurse, outsider):
    patient = fetch(history.patient)
    html = render_to_string("documents/patient_links.html",
                            {"patient": patient, "perms": PermWrapper(nurse)})
    for url in (f"/documents/patients/{patient.pk}/calendrier.pdf",
                f"/documents/patients/{patient.pk}/calendrier.ics",
                f"/documents/patients/{patient.pk}/synthese.pdf",
                f"/patients/{patient.pk}/historique/"):  # where the dose sheets are
        assert f'href="{url}"' in html, url
    assert render_to_string("documents/patient_links.html",
                            {"patient": patient, "perms": PermWrapper(outsider)}).strip() == ""


def test_history_links_each_prescription_to_its_dose_sheet(history, nurse, outsider):
    prescriptions = history.patient.prescriptions.order_by("-proposed_at")
    html = render_to_string("patients/_dose_history.html",
                            {"prescriptions": prescriptions, "perms": PermWrapper(nurse)})
    for prescription in prescriptions:
        assert f'href="/documents/prescriptions/{prescription.pk}/fiche.pdf"' in html
    assert "1,3 mg/j" in html and "En cours" in html
    assert "fiche.pdf" not in render_to_string(
        "patients/_dose_history.html",
        {"prescriptions": prescriptions, "perms": PermWrapper(outsider)})
