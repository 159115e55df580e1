"""The health probe: open without login, says "ok" when the database answers, 503 when it
does not, and never anything about patients; the production start names what is missing."""

import subprocess
import sys
from pathlib import Path

from django.db import DatabaseError
from django.urls import reverse

from sirolimus_app.preflight import missing_variables

ROOT = Path(__file__).resolve().parents[2]


def test_health_answers_ok_without_login(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):  # the SELECT 1, nothing else (no session, no user)
        response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.text == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_database_fails(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("sirolimus_app.views.health.connection", Unreachable())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.text == "base de données injoignable"


def test_production_start_names_every_missing_variable():
    assert missing_variables({"SECRET_KEY": "x", "ALLOWED_HOSTS": " "}) == [
        "ALLOWED_HOSTS", "DATABASE_URL"]
    result = subprocess.run([sys.executable, "-m", "sirolimus_app.preflight"], cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "k" * 50},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "ALLOWED_HOSTS, DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_the_favicon_browsers_ask_for_is_the_static_one(client, db):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    assert answer["Location"].endswith(".svg")
    assert client.get(answer["Location"]).status_code == 200


def test_production_start_refuses_a_malformed_appointment_time(tmp_path):
    """The family calendar's time is checked before anything runs (no migration)."""
    environ = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "x.example",
               "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
               "APPOINTMENT_TIME": "8 h 30"}
    result = subprocess.run([sys.executable, "-m", "sirolimus_app.preflight"], cwd=ROOT,
                            env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Configuration de production invalide : APPOINTMENT_TIME must be a time of day " \
        "HH:MM" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()
