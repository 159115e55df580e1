"""The measurements behind `make bench` (see __main__.py)."""

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import protocol
from protocol.calendar import next_working_day
from protocol.course import course_document
from sirolimus_app.bench.imports import import_seconds
from sirolimus_app.bench.registry import HISTORY_PATIENT, seed_registry
from sirolimus_app.documents.daysheet import day_sheet
from sirolimus_app.documents.papers import PRINTABLE
from sirolimus_app.models import Dispensing, Patient, PatientStatus, Prescription
from sirolimus_app.roles import Role
from sirolimus_app.services.engine import build_course, prefetch_clinical

FLOOR = "floor"
HTML_TARGET_RATIO = 4
TARGETS = {"pdf_schedule_s": 0.6, "pdf_summary_s": 1.5, "pdf_prescription_s": 0.6,
           "pdf_label_s": 0.6, "pdf_day_sheet_s": 0.6, "advise_ms": 5, "cli_cold_s": 1,
           "import_1000_s": 10, "refresh_10000_s": 30}
PDFS = ("schedule", "summary", "prescription", "label", "day_sheet")


def _users() -> dict[str, User]:
    users = {}
    for role in Role:
        user, _ = User.objects.get_or_create(username=f"bench.{role.value}")
        user.groups.add(Group.objects.get(name=role.value))
        users[role.value] = user
    return users


def sheet_day(today: date) -> date:
    """The nurse's day sheet measured: the next working day's, as printed the day before
    (today's would also list every overdue item of the whole synthetic registry, where
    nothing is ever ticked: nearly every child)."""
    return next_working_day(today + timedelta(days=1))


def measured_pages(history: Patient, day: date) -> dict[str, tuple[str, str]]:
    """page name → (role, url). The papers of the two-year patient's current prescription
    (printable: validated or active) and of its dispensing (seeded by the registry)."""
    pk = history.pk
    prescription = Prescription.objects.filter(patient=history, status__in=PRINTABLE).latest(
        "start_date", "pk")
    dispensing = Dispensing.objects.filter(prescription=prescription).latest("pk")
    return {
        FLOOR: (Role.HAEMATOLOGIST, reverse("password_change_done")),
        "home_haematologist": (Role.HAEMATOLOGIST, reverse("home")),
        "home_nurse": (Role.NURSE, reverse("home")),
        "home_pharmacist": (Role.PHARMACIST, reverse("home")),
        "patient_list": (Role.HAEMATOLOGIST, reverse("patient_list")),
        "patient_search": (Role.HAEMATOLOGIST, reverse("patient_list") + "?q=Martin"),
        "patient_detail": (Role.HAEMATOLOGIST, reverse("patient_detail", args=[pk])),
        "dose_proposal": (Role.HAEMATOLOGIST, reverse("patient_proposal", args=[pk])),
        "pharmacy_worklist": (Role.PHARMACIST, reverse("pharmacy_worklist")),
        "nurse_worklist": (Role.NURSE, reverse("nurse_worklist")),
        "pdf_schedule": (Role.NURSE, reverse("documents_schedule_pdf", args=[pk])),
        "pdf_summary": (Role.HAEMATOLOGIST, reverse("documents_summary_pdf", args=[pk])),
        "pdf_prescription": (Role.HAEMATOLOGIST,
                             reverse("documents_prescription_pdf", args=[prescription.pk])),
        "pdf_label": (Role.PHARMACIST,
                      reverse("documents_bottle_label_pdf", args=[dispensing.pk])),
        "pdf_day_sheet": (Role.NURSE, reverse("nurse_day_sheet_pdf") + "?"
                          + urlencode({"jour": day.isoformat()})),
    }


def _get(client, name: str, url: str):
    """The page, or the bench stops: a figure for an error page would be meaningless."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{name}: {url} answered {response.status_code}")
    return response


def _measure_pages(pages, clients, repeat: int) -> dict[str, dict]:
    """Each page's query count and `repeat` timings, taken in rounds (every page once per
    round) so that a slower spell of a shared machine weighs on every page alike."""
    results = {}
    for name, (role, url) in pages.items():
        client = clients[role]
        for _ in range(2):  # warm caches (templates, engine, fonts)
            _get(client, name, url)
        # Django empties the query log when a request starts: begin from an empty log so the
        # capture's starting index stays valid.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            _get(client, name, url)
        results[name] = {"queries": len(queries.captured_queries), "times": []}
    for _ in range(repeat):
        for name, (role, url) in pages.items():
            started = time.perf_counter()
            _get(clients[role], name, url)
            results[name]["times"].append(time.perf_counter() - started)
    floor = results[FLOOR]["times"]
    for result in results.values():
        result["ms"] = round(statistics.median(result["times"]) * 1000, 2)
        # The median of each round's ratio to that round's floor.
        result["ratio"] = round(statistics.median(
            t / f for t, f in zip(result["times"], floor, strict=True)), 2)
    return results


def _advise_ms(history: Patient, runs: int = 200) -> tuple[float, dict]:
    patient = prefetch_clinical(Patient.objects.filter(pk=history.pk)).get()
    course = course_document(build_course(patient))  # what the CLI and parse_course read
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        protocol.advise(protocol.parse_course(course))
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 3), course


def _cli_cold_s(course: dict, workdir: str, runs: int = 5) -> float:
    path = Path(workdir) / "course.json"
    path.write_text(json.dumps(course), encoding="utf-8")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "protocol", "advise", str(path)],  # noqa: S603
                       check=True, capture_output=True, cwd=settings.BASE_DIR)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def _refresh_s() -> float:
    """The nightly job on the whole registry: `manage.py refresh_schedules` (every patient's
    calendar and status, then the database statistics), as cron runs it."""
    started = time.perf_counter()
    call_command("refresh_schedules", stdout=io.StringIO())
    seconds = time.perf_counter() - started
    today = timezone.localdate()
    stale = PatientStatus.objects.exclude(computed_for=today).count()
    missing = Patient.objects.filter(schedule_status__isnull=True).count()
    if stale or missing:
        raise RuntimeError(f"refresh_schedules left {stale} statuses not for {today} "
                           f"and {missing} patients without one")
    return round(seconds, 2)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{connection.vendor} database, {platform.system()} {platform.release()}")


def run(*, sizes: tuple[int, int], repeat: int, output: str, workdir: str) -> int:
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    users = _users()
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    small, large = sizes
    started = time.perf_counter()
    seed_registry(small, today)
    history = Patient.objects.get(hospital_number=HISTORY_PATIENT)
    sheet_on = sheet_day(today)
    pages = measured_pages(history, sheet_on)
    at_small = _measure_pages(pages, clients, repeat=3)
    children_small = _sheet_children(sheet_on, users[Role.NURSE])
    seed_registry(large - small, today, first=small)
    at_large = _measure_pages(pages, clients, repeat=repeat)
    sheet_children = _sheet_children(sheet_on, users[Role.NURSE])
    refresh_s = _refresh_s()
    advise_ms, course = _advise_ms(history)
    cli_cold_s = _cli_cold_s(course, workdir)
    import_1000_s = import_seconds(1000)  # last: it adds troughs to the registry
    seconds = time.perf_counter() - started

    figures = {
        "pages": {
            name: {"ms": at_large[name]["ms"],
                   "ratio": at_large[name]["ratio"],
                   "queries_1k": at_small[name]["queries"],
                   "queries_10k": at_large[name]["queries"]}
            for name in pages
        },
        **{f"pdf_{pdf}_s": round(at_large[f"pdf_{pdf}"]["ms"] / 1000, 3) for pdf in PDFS
           if pdf != "day_sheet"},
        # The day sheet is a unit's day, not a patient's document: its target is for the day
        # of a unit's registry (the small one); at the large one it grows with the children.
        "pdf_day_sheet_s": round(at_small["pdf_day_sheet"]["ms"] / 1000, 3),
        "pdf_day_sheet_ms_per_child": round(at_large["pdf_day_sheet"]["ms"] / sheet_children, 1)
        if sheet_children else None,
        "advise_ms": advise_ms,
        "cli_cold_s": cli_cold_s,
        "import_1000_s": import_1000_s,
        "refresh_10000_s": refresh_s,
        "day_sheet": {"day": sheet_on.isoformat(), "children_1k": children_small,
                      "children_10k": sheet_children},
    }
    table = _table(figures, sizes)
    print(table)
    Path(output).write_text(_report(table, figures, sizes, seconds, today), encoding="utf-8")
    print(json.dumps(figures, sort_keys=False))
    return 0


def _sheet_children(day: date, nurse) -> int:
    """The children on that day's sheet, as the sheet itself lists them."""
    return len(day_sheet(day, timezone.localdate(), nurse).rows)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _table(figures: dict, sizes: tuple[int, int]) -> str:
    small, large = sizes
    lines = [f"{'page':<20} {'ms':>9} {'× floor':>8} {f'queries {small}':>14} "
             f"{f'queries {large}':>14}  target"]
    for name, page in figures["pages"].items():
        if name.startswith("pdf_"):
            target = "see below"
        elif name == FLOOR:
            target = "(floor)"
        else:
            flat = page["queries_1k"] == page["queries_10k"]
            target = (f"≤{HTML_TARGET_RATIO}× {_verdict(page['ratio'] <= HTML_TARGET_RATIO)}, "
                      f"flat queries {_verdict(flat)}")
        lines.append(f"{name:<20} {page['ms']:>9.2f} {page['ratio']:>8.2f} "
                     f"{page['queries_1k']:>14} {page['queries_10k']:>14}  {target}")
    lines.append("")
    for key, limit in TARGETS.items():
        lines.append(f"{key:<20} {figures[key]:>9} (target < {limit}) "
                     f"{_verdict(figures[key] < limit)}")
    per_child = figures["pdf_day_sheet_ms_per_child"]
    lines.append(f"{'day sheet per child':<20} {'—' if per_child is None else per_child:>9} ms "
                 f"at {large} patients (no target)")
    return "\n".join(lines)


def _report(table: str, figures: dict, sizes, seconds: float, today: date) -> str:
    return (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {today:%Y-%m-%d}; machine: {_machine()}.\n"
        f"Registry: {sizes[0]} then {sizes[1]} synthetic patients with up to two years of "
        "history (one patient with exactly two years: the patient page, proposal and PDFs, "
        "the off-label prescription of its current prescription and the bottle label of its "
        "dispensing). The nurse's day sheet is the next working day's "
        f"({figures['day_sheet']['day']}), which lists every child with something booked "
        f"that day: {figures['day_sheet']['children_1k']} children at {sizes[0]} patients "
        "(a unit's day: `pdf_day_sheet_s`, its target), "
        f"{figures['day_sheet']['children_10k']} at {sizes[1]} (the table's line, and "
        "`pdf_day_sheet_ms_per_child`: WeasyPrint lays out about five children a page). "
        "`refresh_10000_s`: `manage.py refresh_schedules` (the "
        f"nightly job: every calendar and status, then ANALYZE) over the {sizes[1]} patients. "
        "Times are medians of in-process requests (Django test client, full middleware, "
        "DEBUG=1 for static files), taken in rounds that request every page once; the floor "
        "is the smallest authenticated page, and a page's ratio is the median of its ratio "
        "to the floor of the same round. "
        f"Whole run: {seconds:.0f} s.\n\n"
        f"```\n{table}\n```\n\n"
        f"```json\n{json.dumps(figures, indent=1)}\n```\n"
    )
