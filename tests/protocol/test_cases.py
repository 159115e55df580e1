"""Hand-written clinical cases (cases/*.json) run through `python -m protocol advise`.

Each file: title, rules (those the case exercises), course, expect. `expect` holds the key
facts only: `dose`, `options[i]`, `taper`, `response` are compared on the keys given; `alerts`
and `next` must contain the items given; `absent_alerts` must not appear.

A whole course is a `timeline` instead of `expect`: each step sets fields of `course` (the day,
the records so far) and has its own `expect`, run in order through the CLI.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from protocol import RULES

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
ROOT = Path(__file__).resolve().parents[2]


def subset(actual: dict, expected: dict) -> bool:
    return all(actual.get(k) == v for k, v in expected.items())


def steps(case: dict) -> list[tuple[dict, dict]]:
    """(course, expect) of a case: one, or each step of its timeline."""
    if "timeline" not in case:
        return [(case["course"], case["expect"])]
    return [({**case["course"], **step["set"]}, step["expect"]) for step in case["timeline"]]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_clinical_case(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    assert set(case["rules"]) <= set(RULES)
    for course, expect in steps(case):
        check(course, expect)


def check(course: dict, expect: dict) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "protocol", "advise", "-"],
        input=json.dumps(course),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    advice = json.loads(result.stdout)
    for key in ("bsa_m2", "eligible", "schedule"):
        if key in expect:
            assert advice[key] == expect[key], key
    assert subset(advice["dose"], expect.get("dose", {})), (course["today"], advice["dose"])
    assert subset(advice["response"], expect.get("response", {})), advice["response"]
    if "options" in expect:
        assert len(advice["options"]) == len(expect["options"]), advice["options"]
        for actual, wanted in zip(advice["options"], expect["options"], strict=True):
            assert subset(actual, wanted), actual
    for wanted in expect.get("alerts", []):
        assert any(subset(a, wanted) for a in advice["alerts"]), wanted
    present = {a["rule"] for a in advice["alerts"]}
    assert not present & set(expect.get("absent_alerts", []))
    for wanted in expect.get("next", []):
        assert any(subset(i, wanted) for i in advice["next"]), (wanted, advice["next"])
    if "taper" in expect:
        if expect["taper"] is None:
            assert advice["taper"] is None
        else:
            assert subset(advice["taper"], expect["taper"]), advice["taper"]
    if "taper_last_mg" in expect:
        assert advice["taper"]["steps"][-1]["mg_per_day"] == expect["taper_last_mg"]
