"""Implausible platelets, troughs, lipids and blood pressures refused at entry with the likely
slip named next to the field, nothing saved; decimals read with a comma or a point, from text
inputs (a number input in an English browser reads "6,5" as 65)."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sirolimus_app.demo import Demo
from sirolimus_app.models import LabResult, TroughLevel, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(haematologist, nurse, pharmacist):
    demo = Demo(doctor=haematologist, nurse=nurse, pharmacist=pharmacist,
                today=timezone.localdate())
    return demo.patient("IPP-1", "Dupont", "Alice", age_days=9 * 365, sex="F",
                        diagnosed_days_ago=500)


def _moment():
    return (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT08:00")


def _post(client, user, name, patient, data):
    client.force_login(user)
    response = client.post(reverse(name, args=[patient.pk]), data)
    return response, html.unescape(response.content.decode())


def _field_error(page: str, field: str) -> str:
    """The error shown under one field (crispy-bootstrap5's invalid-feedback)."""
    marker = f'id="error_1_id_{field}"'
    assert marker in page, f"no error next to {field}"
    return page.split(marker)[1].split("</")[0]


@pytest.mark.parametrize(("kind", "value", "unit", "expected"), [
    ("platelets", "15", "/mm³", "15 /mm³ = 0,015 G/L : vouliez-vous dire 15 G/L"),
    ("platelets", "150000", "G/L", "vouliez-vous dire 150000 /mm³ (= 150 G/L)"),
    ("cholesterol", "180", "mmol/L", "vouliez-vous dire 180 mg/dL (= 4,65 mmol/L)"),
    ("cholesterol", "0,8", "mmol/L", "vouliez-vous dire 0,8 g/L (= 2,07 mmol/L)"),
    ("triglycerides", "150", "g/L", "vouliez-vous dire 150 mg/dL"),
])
def test_implausible_lab_values_name_the_slip(client, haematologist, patient, kind, value,
                                              unit, expected):
    response, page = _post(client, haematologist, "lab_add", patient, {
        "kind": kind, "sampled_at": _moment(), "value": value, "unit": unit})
    assert response.status_code == 200
    assert expected in _field_error(page, "value")
    assert not LabResult.objects.exists()


def test_a_plausible_count_in_mm3_is_saved_in_g_per_l(client, haematologist, patient):
    response, _ = _post(client, haematologist, "lab_add", patient, {
        "kind": "platelets", "sampled_at": _moment(), "value": "15000", "unit": "/mm³"})
    assert response.status_code == 302
    assert LabResult.objects.get().value_canonical == 15


def test_a_trough_with_a_lost_decimal_separator_names_it(client, nurse, patient):
    response, page = _post(client, nurse, "trough_add", patient, {
        "sampled_at": _moment(), "value": "650", "unit": "ng/ml", "assay": "LC-MS/MS"})
    assert response.status_code == 200
    assert "vouliez-vous dire 6,5 ng/ml (virgule oubliée)" in _field_error(page, "value")
    assert not TroughLevel.objects.exists()


@pytest.mark.parametrize("typed", ["6,5", "6.5", " 6,5 "])
def test_a_trough_reads_the_comma_and_the_point_alike(client, nurse, patient, typed):
    response, _ = _post(client, nurse, "trough_add", patient, {
        "sampled_at": _moment(), "value": typed, "unit": "ng/ml", "assay": "LC-MS/MS"})
    assert response.status_code == 302
    assert str(TroughLevel.objects.get().value_ng_ml) == "6.50"


def test_a_blood_pressure_in_cmhg_names_the_slip(client, haematologist, patient):
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response, page = _post(client, haematologist, "visit_add", patient, {
        "label": "PRE", "done_date": day, "systolic_bp": "12", "diastolic_bp": "8"})
    assert response.status_code == 200
    assert "vouliez-vous dire 12 cmHg, soit 120 mmHg" in _field_error(page, "systolic_bp")
    assert "soit 80 mmHg" in _field_error(page, "diastolic_bp")
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("name", "field"), [
    ("trough_add", "value"), ("lab_add", "value"), ("measurement_add", "weight_kg"),
    ("measurement_add", "height_cm")])
def test_decimal_fields_are_text_inputs_with_a_decimal_keypad(client, haematologist, patient,
                                                              name, field):
    client.force_login(haematologist)
    page = client.get(reverse(name, args=[patient.pk])).content.decode()
    tag = page.split(f'id="id_{field}"')[0].rsplit("<input", 1)[1] + page.split(
        f'id="id_{field}"')[1].split(">")[0]
    assert 'type="text"' in tag and 'inputmode="decimal"' in tag
