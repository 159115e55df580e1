"""Bounded load test on loopback: `make loadtest` (not part of `make test`: it takes a minute).

Starts --servers app servers the way production does (deploy/start.sh: production settings,
migrations, collectstatic, gunicorn), each on its own free port of 127.0.0.1 with its own
static directory, against one throwaway database (SQLite by default, or a new database on
the PostgreSQL server given by --database) filled with the demo data; logs in virtual
nurses, haematologists and pharmacists who read pages and record trough levels and platelet
counts through the real forms for --seconds, each request sent to any of the servers (a
load balancer without sticky sessions: a session opened on one server is used on the
other); stops by itself; then checks that no request failed, that every write it made is in
the database (with its audit line), and prints requests, errors, p50 and p95 per time
segment so that one can see whether the response time stays flat.

    uv run python tests/load/loadtest.py --users 8 --seconds 60
    uv run python tests/load/loadtest.py --servers 2 \
        --database postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import http.cookiejar
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
ROLES = ("nurse", "haematologist", "pharmacist")

# Run inside Django (child processes), so this script itself needs nothing but the stdlib.
SETUP = r"""
import io, json, sys, django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
call_command("load_demo", stdout=io.StringIO())
from django.contrib.auth.models import Group, User
from sirolimus_app.models import Patient
for name, role in json.loads(sys.argv[1]):
    user = User.objects.create_user(name, password=sys.argv[2], last_name="Charge")
    user.groups.add(Group.objects.get(name=role))
print(json.dumps(list(Patient.objects.values_list("pk", flat=True))))
"""

VERIFY = r"""
import json, sys, django
django.setup()
from django.utils import timezone
from sirolimus_app.models import AuditEvent, LabResult, TroughLevel
names = json.loads(sys.argv[1])
rows = []
for kind, model in (("trough", TroughLevel), ("lab", LabResult)):
    for row in model.objects.filter(recorded_by__username__in=names).select_related(
            "recorded_by"):
        rows.append([row.recorded_by.username, kind, row.patient_id, f"{row.value:.2f}",
                     timezone.localtime(row.sampled_at).strftime("%Y-%m-%dT%H:%M")])
audited = AuditEvent.objects.filter(
    user__username__in=names, action__in=["troughlevel.create", "labresult.create"]).count()
print(json.dumps({"rows": rows, "audited": audited}))
"""


@dataclass
class Sample:
    at: float  # time.monotonic() when the request was sent
    seconds: float
    label: str
    ok: bool
    detail: str = ""


@dataclass
class Results:
    seconds: int
    start: float = 0.0  # set once every user has logged in: the load phase begins
    samples: list = field(default_factory=list)
    writes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, write=None):
        with self.lock:
            self.samples.append(sample)
            if write:
                self.writes.append(write)


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to check, not something to follow


class VirtualUser(threading.Thread):
    def __init__(self, bases, name, role, password, patients, barrier, results, seed):
        super().__init__(name=name, daemon=True)
        self.bases, self.username, self.role, self.password = bases, name, role, password
        self.patients, self.barrier, self.results = patients, barrier, results
        self.random = random.Random(seed)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _KeepRedirects())

    def request(self, label, path, data=None, expect=200, write=None):
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self._csrf()}
            body = urllib.parse.urlencode(data).encode()
        started = time.monotonic()
        status, content, detail = None, "", ""
        try:
            # Cookies ignore the port: the session follows the user from server to server.
            base = self.random.choice(self.bases)
            with self.opener.open(base + path, data=body, timeout=30) as response:
                status, content = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read().decode(errors="replace")
        except OSError as error:  # refused, reset, timed out
            detail = f"{type(error).__name__}: {error}"
        elapsed = time.monotonic() - started
        ok = status == expect
        if not ok and not detail:
            detail = f"{status} on {path}" + (" (form refused)" if status == 200 else "")
        self.results.add(Sample(started, elapsed, label, ok, detail),
                         write if ok else None)
        return ok, content

    def _csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def think(self):
        time.sleep(self.random.uniform(0.1, 0.6))

    def run(self):
        self.request("login form", "/compte/connexion/")
        ok, _ = self.request("login", "/compte/connexion/", {
            "username": self.username, "password": self.password}, expect=302)
        # Logins (a deliberately slow password hash) happen before the clock starts.
        self.barrier.wait(timeout=300)
        deadline = self.results.start + self.results.seconds
        step = 0
        while ok and time.monotonic() < deadline:
            step += 1
            getattr(self, self.role)(self.random.choice(self.patients), step)
            self.think()

    def _sampled_at(self):
        moment = datetime.now(PARIS) - timedelta(minutes=self.random.randint(5, 3000))
        return moment.strftime("%Y-%m-%dT%H:%M")

    def nurse(self, patient, step):
        self.request("nurse worklist", "/soins/")
        self.think()
        self.request("patient page", f"/patients/{patient}/")
        self.think()
        self.request("trough form", f"/patients/{patient}/residuels/nouveau/")
        value = f"{self.random.uniform(2, 25):.2f}"
        sampled_at = self._sampled_at()
        self.request("trough save", f"/patients/{patient}/residuels/nouveau/", {
            "sampled_at": sampled_at, "value": value, "unit": "ng/ml", "assay": "LC-MS/MS"},
            expect=302, write=[self.username, "trough", patient, value, sampled_at])

    def haematologist(self, patient, step):
        self.request("patient list", "/patients/")
        self.think()
        self.request("patient page", f"/patients/{patient}/")
        self.think()
        self.request("lab form", f"/patients/{patient}/biologie/nouveau/")
        value = f"{self.random.uniform(5, 400):.2f}"
        sampled_at = self._sampled_at()
        self.request("lab save", f"/patients/{patient}/biologie/nouveau/", {
            "kind": "platelets", "sampled_at": sampled_at, "value": value, "unit": "G/L"},
            expect=302, write=[self.username, "lab", patient, value, sampled_at])

    def pharmacist(self, patient, step):
        self.request("pharmacy worklist", "/pharmacie/")
        self.think()
        self.request("home", "/")
        self.think()
        self.request("patient page", f"/patients/{patient}/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django(env, script, *args, timeout=600) -> str:
    result = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        sys.exit(f"Django child process failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


class Database:
    """A throwaway database: a SQLite file in the run's directory, or a new PostgreSQL
    database on the given server, dropped at the end."""

    def __init__(self, server_url: str | None, workdir: Path):
        self.server_url, self.name = server_url, None
        if not server_url:
            self.url = f"sqlite:///{workdir / 'load.sqlite3'}"
            return
        parts = urllib.parse.urlsplit(server_url)
        self.name = f"loadtest_{secrets.token_hex(4)}"
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))
        self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, sql):
        import psycopg

        parts = urllib.parse.urlsplit(self.server_url)
        with psycopg.connect(host=parts.hostname, port=parts.port or 5432,
                             user=parts.username, password=parts.password,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(sql)

    def drop(self):
        if self.name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def percentile(values, q):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _line(name: str, samples: list, seconds: float) -> str:
    times = [s.seconds * 1000 for s in samples]
    return (f"{name:>11} {len(times):>9} {sum(not s.ok for s in samples):>7} "
            f"{len(times) / seconds:>6.1f} {percentile(times, 50):>8.0f} "
            f"{percentile(times, 95):>8.0f}")


def report(results: Results, segment: int) -> None:
    seconds = results.seconds
    load = [s for s in results.samples if s.at >= results.start]
    logins = [s for s in results.samples if s.at < results.start]
    print(f"\n{'segment':>11} {'requests':>9} {'errors':>7} {'req/s':>6} {'p50 ms':>8} "
          f"{'p95 ms':>8}")
    for start in range(0, seconds, segment):
        last = start + segment >= seconds  # also holds the journeys finishing after the end
        chunk = [s for s in load if start <= s.at - results.start
                 and (last or s.at - results.start < start + segment)]
        print(_line(f"{start}–{start + segment} s", chunk, segment))
    print(_line(f"0–{seconds} s", load, seconds))
    print(_line("logins", logins, max(results.start - min(s.at for s in logins), 1e-3))
          if logins else "")
    print(f"\n{'page':<18} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for label in sorted({s.label for s in results.samples}):
        times = [s.seconds * 1000 for s in results.samples if s.label == label]
        print(f"{label:<18} {len(times):>9} {percentile(times, 50):>8.0f} "
              f"{percentile(times, 95):>8.0f}")


def start_server(env, workdir: Path, number: int, workers: int, threads: int):
    """deploy/start.sh, as the systemd unit runs it, on a free port; its own static files."""
    port = free_port()
    log = open(workdir / f"server{number}.log", "w+")  # noqa: SIM115 (read back at the end)
    server = subprocess.Popen(
        [str(ROOT / "deploy/start.sh")], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env=dict(env, PYTHON=sys.executable, HOST="127.0.0.1", PORT=str(port),
                 WEB_WORKERS=str(workers), WEB_THREADS=str(threads),
                 STATIC_ROOT=str(workdir / f"static{number}")),
        start_new_session=True)
    return server, f"http://127.0.0.1:{port}"


def wait_until_up(server, base, log: Path) -> None:
    for _ in range(600):
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{base} did not start:\n" + log.read_text()[-4000:])


def stop(server) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def run(args, database: Database, workdir: Path):
    password = "Charge-" + secrets.token_urlsafe(12)
    users = [(f"charge{n:02d}", ROLES[n % len(ROLES)]) for n in range(args.users)]
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECURE_HTTPS", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=database.url, DJANGO_SETTINGS_MODULE="sirolimus_app.settings")
    dev = dict(env, DEBUG="1")
    prod = dict(env, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
                SECURE_HTTPS="0", LOG_LEVEL="ERROR")
    print(f"Setting up {database.url} (migrate, demo data, {args.users} users)…")
    patients = json.loads(django(dev, SETUP, json.dumps(users), password))

    # The servers start together, as two machines rebooted at once would (the migrations
    # run under a database lock, one server after the other).
    servers = [start_server(prod, workdir, n, args.workers, args.threads)
               for n in range(args.servers)]
    try:
        for n, (server, base) in enumerate(servers):
            wait_until_up(server, base, workdir / f"server{n}.log")
        bases = [base for _server, base in servers]
        print(f"{args.users} users for {args.seconds} s on {', '.join(bases)} "
              f"(each gunicorn: {args.workers} processes × {args.threads} threads)…")
        results = Results(args.seconds)
        barrier = threading.Barrier(args.users,
                                    action=lambda: setattr(results, "start", time.monotonic()))
        threads = [VirtualUser(bases, name, role, password, patients, barrier, results, seed=n)
                   for n, (name, role) in enumerate(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 360)
    finally:
        for server, _base in servers:
            stop(server)
    saved = json.loads(django(dev, VERIFY, json.dumps([name for name, _ in users])))
    logs = "".join((workdir / f"server{n}.log").read_text() for n in range(args.servers))
    return results, saved, logs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument("--seconds", type=int, default=60, help="duration (default 60)")
    parser.add_argument("--segment", type=int, default=10, help="report segment in seconds")
    parser.add_argument("--servers", type=int, default=1,
                        help="app servers on the same database (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes each")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite file)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 50 or not 5 <= args.seconds <= 600 or not 1 <= args.servers <= 4:
        parser.error("between 1 and 50 users, 5 and 600 seconds, 1 and 4 servers")

    workdir = Path(tempfile.mkdtemp(prefix="sirolimus-load-"))
    database = None
    try:
        database = Database(args.database, workdir)
        results, saved, server_log = run(args, database, workdir)
    finally:
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)

    report(results, args.segment)
    errors = [s for s in results.samples if not s.ok]
    made = Counter(tuple(w) for w in results.writes)
    stored = Counter(tuple(r) for r in saved["rows"])
    lost, unexpected = made - stored, stored - made
    tracebacks = server_log.count("Traceback")
    print(f"\nwrites made: {sum(made.values())}, found in the database: "
          f"{sum((made & stored).values())}, lost: {sum(lost.values())}, "
          f"unexpected: {sum(unexpected.values())}, audit lines: {saved['audited']}")
    print(f"errors: {len(errors)}; server tracebacks: {tracebacks}")
    for sample in errors[:10]:
        print(f"  {sample.at - results.start:6.1f} s {sample.label}: {sample.detail}")
    if tracebacks:
        print(server_log[server_log.index("Traceback"):][:3000])
    failed = (errors or lost or unexpected or tracebacks
              or saved["audited"] != sum(stored.values()) or not made)
    print("FAILED" if failed else "OK: no error, no lost write")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
