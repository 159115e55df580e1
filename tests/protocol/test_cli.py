"""`python -m protocol advise` as pharmacists and other hospital systems call it."""

import json
import subprocess
import sys
from pathlib import Path

from .support import EXAMPLE, build

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "protocol", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write(tmp_path: Path, data, name: str = "course.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_DOSE_START_contract_example_through_the_cli(tmp_path):
    result = cli("advise", write(tmp_path, EXAMPLE))
    assert result.returncode == 0, result.stderr
    advice = json.loads(result.stdout)
    assert advice["bsa_m2"] == 1.0408 and advice["bsa_formula"] == "mosteller"
    assert advice["dose"]["mg_per_day"] == 2.1 and advice["dose"]["volume_ml"] == 2.1
    assert advice["dose"]["mg_per_m2_per_day"] == 2.02
    assert set(advice) >= {"eligible", "dose", "options", "alerts", "next", "schedule", "taper"}


def test_DOSE_START_not_started_example_proposes_the_start(tmp_path):
    result = cli("advise", write(tmp_path, build(doses=[], troughs=[])))
    dose = json.loads(result.stdout)["dose"]
    assert (dose["action"], dose["mg_per_day"], dose["volume_ml"]) == ("start", 2.1, 2.1)
    assert dose["rules"][:1] == ["DOSE-START"]


def test_DOSE_START_weight_zero_exits_2_with_one_line(tmp_path):
    result = cli("advise", write(tmp_path, build({"weight_kg": 0})))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "patient.weight_kg: must be > 0 kg, got 0\n"


def test_DOSE_START_one_line_per_problem(tmp_path):
    result = cli("advise", write(tmp_path, build({"weight_kg": 0, "height_cm": -1})))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "patient.weight_kg: must be > 0 kg, got 0",
        "patient.height_cm: must be > 0 cm, got -1",
    ]


def test_DOSE_START_bad_json_exits_2_without_traceback(tmp_path):
    for text in ("{not json", '{"today": NaN}', ""):
        result = cli("advise", write(tmp_path, text))
        assert result.returncode == 2, text
        assert (
            result.stderr.startswith("course: not valid JSON") and "Traceback" not in result.stderr
        )


def test_DOSE_START_missing_file_exits_2(tmp_path):
    result = cli("advise", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert result.stderr.startswith("course: cannot read") and "Traceback" not in result.stderr


def test_DOSE_START_reads_standard_input():
    result = cli("advise", "-", stdin=json.dumps(EXAMPLE))
    assert result.returncode == 0
    assert json.loads(result.stdout)["dose"]["volume_ml"] == 2.1


def test_DOSE_START_help_describes_the_command():
    result = cli("advise", "--help")
    assert result.returncode == 0 and "standard input" in result.stdout


def test_FORM_PRESENTATIONS_french_text_survives_the_cli(tmp_path):
    data = build(doses=[], troughs=[], form="tablets")
    data["patient"] |= {"weight_kg": 4.5, "height_cm": 72}
    advice = json.loads(cli("advise", write(tmp_path, data)).stdout)
    alert = next(a for a in advice["alerts"] if a["rule"] == "FORM-PRESENTATIONS")
    assert "écrasés" in alert["message_fr"]


def test_REG_OFF_LABEL_traceability_command_prints_the_table():
    result = cli("traceability")
    assert result.returncode == 0 and "| REG-OFF-LABEL |" in result.stdout
