"""Production smoke test (the end of `.ci/run`): `make serve` — the very script the systemd
unit runs — on a free loopback port against a fresh PostgreSQL database, then what a user
needs answers 200 with the production headers: the health probe, the login page, a signed-in
patient page, a PDF, a hashed static file. Then it stops the server and drops the database.

Bounded: 120 s for the start, 30 s per request, loopback only. Requests carry
`X-Forwarded-Proto: https` as the nginx site (deploy/nginx-sirolimus.conf) sends it.

    uv run python tests/smoke/serve.py [--server postgres://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120

# Demo patients and one haematologist with a strong password, written in the fresh database
# by a separate process (load_demo refuses to run without DEBUG, so it gets DEBUG for itself).
SETUP = r"""
import io, json, sys, django
from django.core.management import call_command
django.setup()
call_command("load_demo", stdout=io.StringIO())
from django.contrib.auth.models import Group, User
from sirolimus_app.models import Patient
user = User.objects.create_user("smoke", password=sys.argv[1], last_name="Smoke")
user.groups.add(Group.objects.get(name="haematologist"))
print(json.dumps(list(Patient.objects.order_by("pk").values_list("pk", flat=True))))
"""

# What every production answer carries (settings.py, security block, behind HTTPS).
HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept by hand: they are `Secure` (HTTPS at the proxy) and this client talks
    plain HTTP to gunicorn on loopback, as nginx does."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(_NoRedirect())

    def get(self, path, data=None):
        headers = {"X-Forwarded-Proto": "https", "Host": urllib.parse.urlsplit(self.base).netloc}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(
                {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}).encode()
            origin = "https://" + headers["Host"]
            headers.update(Origin=origin, Referer=origin + path)
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            content = response.read()
        for raw in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(raw)
            for name, morsel in cookie.items():
                if not morsel["secure"]:
                    raise AssertionError(f"cookie {name} without Secure")
                self.cookies[name] = morsel.value
        return response.status, response.headers, content


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"  ok  {what}")


def production_headers(headers, what):
    for name, value in HEADERS.items():
        check(headers.get(name) == value, f"{what}: {name}: {value}")
    check("default-src 'self'" in (headers.get("Content-Security-Policy") or ""),
          f"{what}: Content-Security-Policy")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin(server_url, sql):
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                         password=parts.password, dbname="postgres",
                         autocommit=True) as connection:
        connection.execute(sql)


def journey(base, environ, password):
    browser = Browser(base)
    status, headers, body = browser.get("/healthz")
    check(status == 200 and body == b"ok", "GET /healthz → 200 ok (database reached)")
    production_headers(headers, "/healthz")

    status, headers, body = browser.get("/compte/connexion/")
    check(status == 200, "GET login page → 200")
    production_headers(headers, "login page")
    statics = re.findall(r'/static/[^"]+\.[0-9a-f]{12}\.(?:css|js)', body.decode())
    check(statics, "login page links hashed static files (manifest)")

    status, headers, _ = browser.get(statics[0])
    check(status == 200, f"GET {statics[0]} → 200")
    check("immutable" in (headers.get("Cache-Control") or ""),
          "hashed static file: Cache-Control immutable")

    setup = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", SETUP, password], cwd=ROOT,
                           env=dict(environ, DEBUG="1",
                                    DJANGO_SETTINGS_MODULE="sirolimus_app.settings"),
                           capture_output=True, text=True,
                           timeout=120)
    check(setup.returncode == 0, "demo data written" + (setup.stderr[-2000:] and
                                                        f" ({setup.stderr[-2000:]})"))
    patients = json.loads(setup.stdout.strip().splitlines()[-1])
    check(patients, f"demo patients loaded ({len(patients)})")

    status, headers, _ = browser.get("/compte/connexion/",
                                     {"username": "smoke", "password": password})
    check(status == 302 and "sessionid" in browser.cookies, "sign in → 302, session cookie")
    status, headers, body = browser.get(f"/patients/{patients[0]}/")
    check(status == 200 and b"<html" in body, f"GET /patients/{patients[0]}/ → 200")
    production_headers(headers, "patient page")
    status, headers, body = browser.get(f"/documents/patients/{patients[0]}/calendrier.pdf")
    check(status == 200 and body.startswith(b"%PDF") and
          headers.get("Content-Type") == "application/pdf", "schedule PDF → 200 %PDF")
    production_headers(headers, "PDF")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server where a throwaway database is created")
    args = parser.parse_args(argv)
    name = f"smoke_{secrets.token_hex(4)}"
    parts = urllib.parse.urlsplit(args.server)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="sirolimus-smoke-"))
    password = "Smoke-" + secrets.token_urlsafe(16)
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DEBUG", "SECURE_HTTPS", "DJANGO_SETTINGS_MODULE"}}
    environ.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
                   DATABASE_URL=url, HOST="127.0.0.1", PORT=str(port),
                   TRUST_X_FORWARDED_PROTO="1", STATIC_ROOT=str(workdir / "static"),
                   WEB_WORKERS="2", WEB_THREADS="2", LOG_LEVEL="WARNING")
    admin(args.server, f'CREATE DATABASE "{name}"')
    log = open(workdir / "serve.log", "w+")  # noqa: SIM115 (read back on failure)
    server = None
    try:
        print(f"make serve on 127.0.0.1:{port}, database {name}…")
        server = subprocess.Popen(["make", "--no-print-directory", "serve"], cwd=ROOT,
                                  env=environ, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise AssertionError(f"make serve ended with {server.returncode}")
            try:
                Browser(base).get("/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"no answer on {base} in {START_TIMEOUT} s") from None
                time.sleep(0.5)
        journey(base, environ, password)
        print("SMOKE OK")
        return 0
    except (AssertionError, subprocess.SubprocessError) as exc:
        log.seek(0)
        print(f"SMOKE FAILED: {exc}\n--- make serve output ---\n{log.read()[-4000:]}")
        return 1
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        admin(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log.close()


if __name__ == "__main__":
    sys.exit(main())
