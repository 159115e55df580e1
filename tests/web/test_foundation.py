"""The ground every page stands on: settings, login, roles, headers, local assets."""

import os
import re
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from sirolimus_app import env
from sirolimus_app.roles import ROLE_PERMISSIONS, Role

ROOT = Path(__file__).resolve().parents[2]


# --- settings helpers -----------------------------------------------------------------

@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("0", False),
                                          ("off", False), ("", False)])
def test_env_bool_reads_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG", not expected) is expected


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_env_required_value_missing_fails(monkeypatch):
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET is required"):
        env.env_str("X_SECRET", required=True)


def test_env_list_rejects_empty_items(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="X_HOSTS"):
        env.env_list("X_HOSTS", [])


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("X_AGE", "thirty")
    with pytest.raises(ImproperlyConfigured, match="X_AGE must be an integer"):
        env.env_int("X_AGE", 1)


@pytest.mark.parametrize("raw", ["8h30", "8:30", "24:00", "08:60", "08:30:00", "matin"])
def test_env_time_refuses_anything_but_hh_mm(monkeypatch, raw):
    monkeypatch.setenv("X_TIME", raw)
    with pytest.raises(ImproperlyConfigured, match="X_TIME must be a time of day HH:MM"):
        env.env_time("X_TIME")


def test_env_time_reads_hh_mm_and_empty_means_none(monkeypatch):
    monkeypatch.setenv("X_TIME", " 08:30 ")
    assert env.env_time("X_TIME") == time(8, 30)
    monkeypatch.setenv("X_TIME", "")
    assert env.env_time("X_TIME") is None
    monkeypatch.delenv("X_TIME")
    assert env.env_time("X_TIME") is None


def test_a_malformed_appointment_time_stops_the_start_naming_the_setting():
    """The family calendar's time (APPOINTMENT_TIME) is read when the settings load: a typo
    stops `manage.py` (and so `make serve`, deploy/start.sh) with the variable's name."""
    result = _manage("check", DEBUG="1", APPOINTMENT_TIME="8h30")
    assert result.returncode != 0
    assert "APPOINTMENT_TIME must be a time of day HH:MM" in result.stderr
    assert _manage("check", DEBUG="1", APPOINTMENT_TIME="08:30").returncode == 0


def test_database_url_selects_postgresql_and_rejects_unknown_schemes(monkeypatch):
    monkeypatch.setenv("X_DB", "postgres://postgres@127.0.0.1:5432/test")
    assert env.env_database("X_DB", "unused")["ENGINE"] == "django.db.backends.postgresql"
    monkeypatch.setenv("X_DB", "mongodb://somewhere/db")
    with pytest.raises(ImproperlyConfigured, match="sqlite:// or postgres://"):
        env.env_database("X_DB", "unused")
    monkeypatch.delenv("X_DB")
    assert env.env_database("X_DB", "/tmp/x.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x.sqlite3"}


def _manage(*args, **extra_env):
    # A clean production-like environment: no test-only variable (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly reports).
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ.update(DJANGO_SETTINGS_MODULE="sirolimus_app.settings", **extra_env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_need_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="sirolimus.chu.example")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_check_deploy_prints_no_warning_with_debug_off():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                     SECRET_KEY="k" * 20 + "-Zq8!x7#pL2$vN5^mR9&tY3*wB6(eH1)uJ4",
                     ALLOWED_HOSTS="sirolimus.chu.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- login and roles ------------------------------------------------------------------

def test_login_page_is_in_french(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "Connexion" in content and "Mot de passe" in content


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_demo_loader_creates_each_role_once_and_they_log_in(client, db, capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    for username in ("hematologue", "infirmiere", "pharmacien"):
        assert username in out
        assert User.objects.filter(username=username).count() == 1
        response = client.post(reverse("login"), {"username": username, "password": "demo"})
        assert response.status_code == 302, f"{username} could not log in"
        client.post(reverse("logout"))


def test_demo_loader_refuses_production(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not User.objects.filter(username="hematologue").exists()


@pytest.mark.parametrize("role,perm,allowed", [
    (Role.HAEMATOLOGIST, "propose_prescription", True),
    (Role.HAEMATOLOGIST, "validate_prescription", False),
    (Role.NURSE, "record_vitals", True),
    (Role.NURSE, "print_documents", True),
    (Role.NURSE, "propose_prescription", False),
    (Role.NURSE, "validate_prescription", False),
    (Role.PHARMACIST, "validate_prescription", True),
    (Role.PHARMACIST, "propose_prescription", False),
    (Role.PHARMACIST, "add_troughlevel", False),
])
def test_each_group_reaches_what_it_should(cast, role, perm, allowed):
    user = {Role.HAEMATOLOGIST: cast["haematologist"], Role.NURSE: cast["nurse"],
            Role.PHARMACIST: cast["pharmacist"]}[role]
    assert user.has_perm(f"sirolimus_app.{perm}") is allowed


def test_user_without_role_has_no_clinical_permission_and_sees_no_data(client, outsider):
    assert not any(outsider.has_perm(f"sirolimus_app.{p}")
                   for perms in ROLE_PERMISSIONS.values() for p in perms)
    client.force_login(outsider)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Aucun rôle clinique" in response.content.decode()


def test_logout_is_post_only(client, haematologist):
    client.force_login(haematologist)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_english_switch(client, haematologist):
    client.force_login(haematologist)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


# --- headers and assets ---------------------------------------------------------------

def test_content_security_policy_forbids_inline_code(client, db):
    csp = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_templates_use_no_cdn_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", text), template
        assert " style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert "<style" not in text or "pdf/" in str(template), template


def test_bootstrap_is_served_locally(client, haematologist):
    client.force_login(haematologist)
    html = client.get(reverse("home")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert (ROOT / "static/vendor/bootstrap/bootstrap.min.css").stat().st_size > 100_000
