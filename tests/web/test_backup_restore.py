"""Backups: a database full of demo data survives backup → restore record for record, on
the engine the suite runs on (SQLite, and PostgreSQL in the CI's second pass); restoring is
all or nothing; migrations apply to an empty database from zero, and back."""

import gzip
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sirolimus_app import backup
from sirolimus_app.models import AuditEvent, Patient, Prescription
from sirolimus_app.services import prescriptions
from tests.web.test_security_factories import (
    CLINICAL_MODELS,
    TODAY,
    proposed_prescription,
    rich_patient,
)

ROOT = Path(__file__).resolve().parents[2]
NATURAL = (ContentType, Permission, Group)


def database_contents() -> dict:
    """Every row of every table (sessions aside), read straight from the database. Rows of
    the tables `migrate` fills itself are named by natural key, since their ids may differ."""
    names = {model: {obj.pk: obj.natural_key() for obj in model.objects.all()}
             for model in NATURAL}
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower == "sessions.session":
            continue
        # Those rows and many-to-many links are rebuilt with new ids: compared by content.
        keyed_by_content = model in NATURAL or model._meta.auto_created
        rows = []
        for row in model._base_manager.order_by("pk").values():
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in NATURAL:
                    row[field.attname] = names[field.related_model].get(row[field.attname])
            if keyed_by_content:
                row.pop("id")
            rows.append(row)
        contents[model._meta.label_lower] = sorted(rows, key=repr) if keyed_by_content else rows
    return contents


@pytest.fixture
def full_database(client, settings, haematologist, haematologist2, nurse, pharmacist):
    """The demo, plus patients with every kind of record and a prescription history, plus a
    failed login (axes) and an admin log line: something in every table that can hold it."""
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for number, name in (("IPP-1001", "Lefèvre"), ("IPP-1002", "O'Brien <i>"),
                         ("IPP-1003", "Ørsted-Ünal")):
        patient = rich_patient(haematologist, nurse, number, name)
    first = Prescription.objects.get(patient=patient)
    prescriptions.validate(pharmacist, first.pk, 1, today=TODAY)
    second = proposed_prescription(patient, haematologist2, mg="1.60")
    prescriptions.validate(pharmacist, second.pk, 1, today=TODAY)
    prescriptions.suspend(haematologist, patient.pk, "Aphtes grade 3", today=TODAY)
    client.post(reverse("login"), {"username": nurse.username, "password": "faux"})
    from django.contrib.admin.models import CHANGE, LogEntry

    LogEntry.objects.log_actions(user_id=haematologist.pk, queryset=[patient],
                                 action_flag=CHANGE, change_message="demo", single_object=True)
    for model in CLINICAL_MODELS:
        assert model.objects.count() >= 3, model
    return database_contents()


def test_backup_then_restore_gives_back_every_record(full_database, tmp_path):
    path, counts = backup.write_backup(tmp_path / "b.json.gz")
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # health data: owner only
    assert counts["sirolimus_app.auditevent"] == AuditEvent.objects.count() > 30

    backup.restore(path, replace=True)

    assert database_contents() == full_database
    # The restored trail is still append-only, and new ids follow the restored ones.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE sirolimus_app_auditevent SET action = 'x'")
    last = Patient.objects.order_by("-pk").first().pk
    assert Patient.objects.create(hospital_number="IPP-NEW", last_name="N", first_name="N",
                                  birth_date=TODAY, sex="F", diagnosis_date=TODAY).pk > last


def test_restore_refuses_a_database_that_is_not_empty(full_database, tmp_path):
    path, _counts = backup.write_backup(tmp_path / "b.json.gz")
    with pytest.raises(backup.BackupError, match="pas vide"):
        backup.restore(path)
    assert database_contents() == full_database


def _rewrite(path: Path, change) -> Path:
    payload = backup.read_backup(path)
    change(payload)
    target = path.with_name("changed.json.gz")
    with gzip.open(target, "wt", encoding="utf-8") as out:
        json.dump(payload, out)
    return target


def test_restore_is_all_or_nothing(full_database, tmp_path):
    path, _counts = backup.write_backup(tmp_path / "b.json.gz")

    def orphan_a_trough(payload):
        trough = next(o for o in payload["objects"] if o["model"] == "sirolimus_app.troughlevel")
        trough["fields"]["patient"] = 999_999

    broken = _rewrite(path, orphan_a_trough)
    with pytest.raises(backup.BackupError, match="incohérent"):
        backup.restore(broken, replace=True)
    assert database_contents() == full_database


def test_restore_refuses_another_migration_state(full_database, tmp_path):
    path, _counts = backup.write_backup(tmp_path / "b.json.gz")
    newer = _rewrite(path, lambda p: p["migrations"].append(["sirolimus_app", "9999_future"]))
    with pytest.raises(backup.BackupError, match="9999_future"):
        backup.restore(newer, replace=True)
    assert database_contents() == full_database


@pytest.mark.parametrize("content,message", [
    (b"not gzip at all", "illisible"),
    (gzip.compress(b'{"format": "other"}'), "pas une sauvegarde"),
    (gzip.compress(b'{"format": "sirolimus-pti-backup", "version": 1, "obj')[:-8],
     "illisible"),
])
def test_unreadable_files_are_refused_with_a_clear_message(db, tmp_path, content, message):
    path = tmp_path / "bad.json.gz"
    path.write_bytes(content)
    with pytest.raises(backup.BackupError, match=message):
        backup.restore(path, replace=True)


# --- a fresh database, in a separate process -------------------------------------------

@pytest.fixture
def fresh_database_url(db, tmp_path):
    """An empty database on the engine the suite runs on, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    conf = connection.settings_dict
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    server = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"],
              "password": conf["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{conf['PASSWORD']}" if conf["PASSWORD"] else ""
        yield f"postgres://{conf['USER']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(url: str, *commands: list[str]) -> str:
    """Run management commands one after the other in one process (Django starts once)."""
    script = ("import json, sys, django; from django.core.management import call_command; "
              "django.setup(); [call_command(*c) for c in json.loads(sys.argv[1])]")
    environ = dict(os.environ, DJANGO_SETTINGS_MODULE="sirolimus_app.settings", DEBUG="1",
                   DATABASE_URL=url)
    result = subprocess.run([sys.executable, "-c", script, json.dumps(commands)],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_migrations_apply_from_zero_and_back(fresh_database_url):
    plan = _manage(fresh_database_url, ["migrate", "--noinput", "-v0"],
                   ["migrate", "sirolimus_app", "zero", "--noinput", "-v0"],
                   ["migrate", "--noinput", "-v0"], ["showmigrations", "--plan"])
    assert "[ ]" not in plan and "[X]  sirolimus_app.0002_audit_append_only" in plan


def test_backup_restores_into_a_fresh_migrated_database(full_database, fresh_database_url,
                                                        tmp_path):
    original, _counts = backup.write_backup(tmp_path / "original.json.gz")
    again = tmp_path / "again.json.gz"
    out = _manage(fresh_database_url, ["migrate", "--noinput", "-v0"],
                  ["restore", str(original)], ["backup", "--output", str(again)])
    assert "Sauvegarde restaurée" in out

    first, second = backup.read_backup(original), backup.read_backup(again)
    assert second["counts"] == first["counts"]
    assert second["objects"] == first["objects"]
