"""The nurse's day sheet (issue 19): one row per child due that day with the sample, its tube
and preparation, the dose time, the weight and the parents' phone; printable page and PDF."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from protocol.calendar import is_working_day
from sirolimus_app.models import Patient, ScheduleItem
from tests.conftest import client_for
from tests.web.test_documents_pdf import flat, read
from tests.web.test_workflow_data import eligible_patient, on_treatment


def _trough_day() -> datetime.date:
    """Today, or the last working day before it: the day-7 trough of children started a week
    before is booked that day, so on today's sheet (due today, or overdue and still open)."""
    day = timezone.localdate()
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _children(haematologist, pharmacist, n: int, first: int = 0) -> list[Patient]:
    started = _trough_day() - timedelta(days=7)
    children = []
    for i in range(first, first + n):
        patient = eligible_patient(haematologist, f"IPP-DAY-{i}", last_name=f"Enfant{i}",
                                   first_name="Alix", since=started - timedelta(days=3),
                                   parents_phone=f"06 00 00 00 0{i}",
                                   dose_time=datetime.time(8, 30))
        on_treatment(haematologist, pharmacist, patient, started)
        children.append(patient)
    return children


@pytest.fixture
def three(haematologist, pharmacist):
    return _children(haematologist, pharmacist, 3)


def test_day_sheet_has_one_row_per_child_with_tube_time_and_phone(client, nurse, three):
    due = ScheduleItem.objects.filter(appointment=_trough_day(), kind="trough")
    assert {row.patient_id for row in due} == {p.pk for p in three}
    page = client_for(client, nurse).get(reverse("nurse_day_sheet"))
    assert page.status_code == 200
    body = page.content.decode()
    for child in three:
        assert f'data-testid="day-row-{child.pk}"' in body
        assert child.parents_phone in body
    assert body.count("tube EDTA, juste avant la prise du matin") == 3
    assert body.count("prise à 08:30") == 3

    pages, _reader = read(client.get(reverse("nurse_day_sheet_pdf")))
    text = flat(pages)
    assert "3 enfants à voir" in text
    for child in three:
        assert child.last_name.upper() in text and child.hospital_number in text
    assert "30 kg" in text


def test_a_weight_voided_as_an_entry_error_is_not_on_the_day_sheet(client, nurse,
                                                                   haematologist, three):
    from decimal import Decimal

    from sirolimus_app.models import BodyMeasurement
    from sirolimus_app.services import records
    wrong = records.add_measurement(haematologist, BodyMeasurement(
        patient=three[0], measured_on=timezone.localdate(), weight_kg=Decimal("300"),
        height_cm=Decimal("135")))
    records.void_record(haematologist, wrong, "virgule oubliée")
    body = client_for(client, nurse).get(reverse("nurse_day_sheet")).content.decode()
    assert "300 kg" not in body
    assert body.count("30 kg le") == 3


def test_day_sheet_of_another_day(client, nurse, three):
    # The day the visit is booked on (its protocol date may be a weekend or a holiday).
    visit_day = (ScheduleItem.objects.filter(kind="visit", appointment__gt=timezone.localdate())
                 .order_by("appointment").values_list("appointment", flat=True).first())
    page = client_for(client, nurse).get(reverse("nurse_day_sheet"),
                                         {"jour": visit_day.isoformat()})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="day-row-') == 3  # the three started the same day
    assert "Poids, taille, tension artérielle" in body
    assert visit_day.strftime("%d/%m/%Y") in body


@pytest.mark.parametrize("value", ["2026-13-40", "demain", "1900-01-01"])
def test_day_sheet_bad_day_is_said_next_to_the_field(client, nurse, three, value):
    page = client_for(client, nurse).get(reverse("nurse_day_sheet"), {"jour": value})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="id_jour_error"' in body
    assert 'aria-invalid="true"' in body


@pytest.mark.parametrize("role", ["pharmacist", "outsider"])
def test_day_sheet_refused_to_other_roles(client, cast, role):
    for name in ("nurse_day_sheet", "nurse_day_sheet_pdf"):
        assert client_for(client, cast[role]).get(reverse(name)).status_code == 403


def test_day_sheet_costs_the_same_queries_for_three_or_six_children(
        client, nurse, haematologist, pharmacist, three, django_assert_num_queries):
    client_for(client, nurse)
    # session, user, two permission reads, the items with their patients, the measurements,
    # the current prescriptions, the roles for the menu, the access-log line, the session
    # saved (3): 12, however many children are due.
    with django_assert_num_queries(12):
        client.get(reverse("nurse_day_sheet"))
    _children(haematologist, pharmacist, 3, first=3)
    with django_assert_num_queries(12):
        page = client.get(reverse("nurse_day_sheet"))
    assert page.content.decode().count('data-testid="day-row-') == 6


def test_worklist_links_to_the_day_sheet(client, nurse):
    page = client_for(client, nurse).get(reverse("nurse_worklist"))
    assert reverse("nurse_day_sheet") in page.content.decode()
