"""Response headers and cookies as production sends them (DEBUG off, HTTPS assumed).

The test suite runs with DEBUG on, so the production configuration is exercised in a child
process: the real settings module, a throwaway SQLite database, Django's test client.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
User.objects.create_user("probe", password="Un-mot-de-passe-solide-42")
host = {"HTTP_HOST": "sirolimus.chu.example"}
plain = Client().get("/healthz", **host)
page = Client().get("/healthz", secure=True, **host)
signed_in = Client()
login = signed_in.post("/compte/connexion/", {"username": "probe",
                       "password": "Un-mot-de-passe-solide-42"}, secure=True, **host)
language = signed_in.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True,
                          **host)
def cookie(morsel):
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"], "expires": morsel["expires"],
            "max_age": morsel["max-age"]}
print(json.dumps({
    "plain": {"status": plain.status_code, "location": plain.get("Location")},
    "headers": dict(page.headers),
    "login_status": login.status_code,
    "cookies": {name: cookie(m) for name, m in login.cookies.items()},
    "signed_in_headers": dict(language.headers),
    "language_cookie": cookie(language.cookies["django_language"]),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    database = tmp_path_factory.mktemp("prod") / "db.sqlite3"
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DEBUG", "SECURE_HTTPS", "TRUST_X_FORWARDED_PROTO"}}
    environ.update(DJANGO_SETTINGS_MODULE="sirolimus_app.settings", DEBUG="0",
                   SECRET_KEY="k" * 20 + "-Zq8!x7#pL2$vN5^mR9&tY3*wB6(eH1)uJ4",
                   ALLOWED_HOSTS="sirolimus.chu.example", DATABASE_URL=f"sqlite:///{database}")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(production):
    assert production["plain"]["status"] == 301
    assert production["plain"]["location"] == "https://sirolimus.chu.example/healthz"


def test_csp_allows_no_inline_script_or_style(production):
    csp = production["headers"]["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_hsts_for_a_year_with_subdomains(production):
    hsts = production["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


@pytest.mark.parametrize("header,value", [
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
])
def test_protective_headers(production, header, value):
    assert production["headers"][header] == value


def test_session_and_csrf_cookies_are_secure(production):
    assert production["login_status"] == 302
    session = production["cookies"]["sessionid"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax", "expires": "",
                       "max_age": ""}
    csrf = production["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"


def test_pages_for_a_signed_in_user_are_never_stored(production):
    cache = production["signed_in_headers"]["Cache-Control"]
    assert "no-store" in cache and "private" in cache


def test_the_language_cookie_is_secure_under_https(production):
    language = production["language_cookie"]
    assert language["secure"] is True and language["httponly"] is True
    assert language["samesite"] == "Lax"


def test_the_app_sends_no_server_header(production):
    assert "Server" not in production["headers"]
    assert "Server" not in production["signed_in_headers"]
