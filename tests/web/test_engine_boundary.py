"""The app's typed course: what parse_course would read from the same course as a document
(the CLI's), the same problems when it is invalid, and doses that stay Decimals."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from protocol import CourseError, check_course, parse_course
from protocol.course import course_document
from sirolimus_app.models import Patient
from sirolimus_app.services import records
from sirolimus_app.services.engine import advise_patient, build_course, prefetch_clinical
from tests.web.test_workflow_data import eligible_patient, on_treatment, trough

pytestmark = pytest.mark.django_db


def fetch(patient: Patient) -> Patient:
    return prefetch_clinical(Patient.objects.filter(pk=patient.pk)).get()


def _as_the_cli_reads_it(course):
    return parse_course(json.loads(json.dumps(course_document(course))))


def test_a_course_on_treatment_is_the_one_the_cli_reads(haematologist, pharmacist, nurse):
    today = timezone.localdate()
    patient = eligible_patient(haematologist, "IPP-B1", since=today - timedelta(days=40))
    on_treatment(haematologist, pharmacist, patient, today - timedelta(days=30))
    trough(nurse, patient, today - timedelta(days=23), "6.4")
    course = build_course(fetch(patient))
    assert check_course(course) == []
    assert _as_the_cli_reads_it(course) == course
    advice = advise_patient(fetch(patient)).advice
    assert isinstance(advice.dose.mg_per_day, Decimal)
    assert isinstance(course.doses[0].mg_per_day, Decimal)
    assert [t.ng_ml for t in course.troughs] == [6.4]


def test_a_record_without_measurement_lists_the_cli_problems(haematologist):
    patient = records.create_patient(haematologist, Patient(
        hospital_number="IPP-B2", last_name="Sans", first_name="Poids",
        birth_date=timezone.localdate() - timedelta(days=9 * 365), sex=Patient.Sex.MALE,
        diagnosis_date=timezone.localdate() - timedelta(days=500)))
    result = advise_patient(fetch(patient))
    assert result.advice is None
    assert [p.field for p in result.problems] == ["patient.weight_kg", "patient.height_cm"]
    with pytest.raises(CourseError) as caught:
        _as_the_cli_reads_it(result.course)
    assert list(caught.value.problems) == result.problems
