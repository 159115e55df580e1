"""The CEREVANCE 2021 sirolimus protocol for paediatric ITP, as pure Python (no Django).

from protocol import parse_course, advise, CourseError, RULES
advice = advise(parse_course(data))   # CourseError lists every problem of `data`
check_course(course)                  # the same problems, for a course built as typed values
advice.to_dict()                      # the JSON of docs/advise-contract.md
"""

from .advise import Advice, advise
from .course import Course, CourseError, Problem, check_course, parse_course
from .rules import RULES, Rule, rule

__all__ = [
    "RULES",
    "Advice",
    "Course",
    "CourseError",
    "Problem",
    "Rule",
    "advise",
    "check_course",
    "parse_course",
    "rule",
]
