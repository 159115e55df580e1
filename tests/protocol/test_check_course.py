"""check_course: a course built as typed values (the web app's) gets exactly the problems
parse_course lists for the same course given as a document (the CLI's)."""

import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from protocol import CourseError, check_course, parse_course
from protocol.course import AdverseEvent, DoseEntry, PlateletCount, Trough, course_document

CASES = Path(__file__).parent / "cases"


def _valid_courses():
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        try:
            yield path.stem, parse_course(case.get("course", case))
        except CourseError:
            continue


VALID = list(_valid_courses())


@pytest.mark.parametrize(("name", "course"), VALID, ids=[n for n, _ in VALID])
def test_a_valid_course_has_no_problem_and_reads_back_the_same(name, course):
    assert check_course(course) == []
    assert parse_course(json.loads(json.dumps(course_document(course)))) == course


def _broken(course):
    """Typed courses an app could build from wrong records, one slip each."""
    today, p = course.today, course.patient
    later = today + timedelta(days=3)
    yield dataclasses.replace(course, patient=dataclasses.replace(p, weight_kg=None))
    yield dataclasses.replace(course, patient=dataclasses.replace(p, height_cm=0.0))
    yield dataclasses.replace(course, patient=dataclasses.replace(p, weight_kg=400.0))
    yield dataclasses.replace(course, patient=dataclasses.replace(p, diagnosis_date=later))
    yield dataclasses.replace(course, patient=dataclasses.replace(
        p, diagnosis_date=p.birth_date - timedelta(days=1)))
    yield dataclasses.replace(course, patient=dataclasses.replace(p, birth_date=later))
    yield dataclasses.replace(course, doses=(*course.doses, DoseEntry(later, Decimal("1"))))
    yield dataclasses.replace(course, doses=(
        DoseEntry(p.birth_date - timedelta(days=2), Decimal("1")),))
    yield dataclasses.replace(course, doses=(DoseEntry(today, Decimal("1"), stop=True),))
    yield dataclasses.replace(course, troughs=(Trough(today, 612.0, 612.0, "ng/ml", None),))
    yield dataclasses.replace(course, troughs=(Trough(later, 6.0, 6.0, "ng/ml", None),))
    yield dataclasses.replace(course, platelets=(PlateletCount(today, 2500.0),))
    yield dataclasses.replace(course, adverse_events=(
        AdverseEvent(today, "fever", today - timedelta(days=1)),))
    yield dataclasses.replace(course, adverse_events=(AdverseEvent(today, "fever", later),))


@pytest.mark.parametrize(("name", "course"), VALID[:6], ids=[n for n, _ in VALID[:6]])
def test_a_wrong_typed_course_gets_the_problems_of_its_document(name, course):
    for broken in _broken(course):
        found = check_course(broken)
        assert found, broken
        with pytest.raises(CourseError) as caught:
            parse_course(json.loads(json.dumps(course_document(broken))))
        assert found == list(caught.value.problems)


def test_problems_name_the_field_and_say_it_in_both_languages():
    name, course = VALID[0]
    p = course.patient
    broken = dataclasses.replace(course, patient=dataclasses.replace(p, weight_kg=None),
                                 troughs=(Trough(date(2000, 1, 1), 612.0, 612.0, "ng/ml", None),))
    fields = [problem.field for problem in check_course(broken)]
    assert "patient.weight_kg" in fields and "troughs[0].value" in fields
