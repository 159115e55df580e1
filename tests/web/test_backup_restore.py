"""Backups: a database full of demo data survives backup → restore record for record, on
the engine the suite runs on (SQLite, and PostgreSQL in the CI's second pass), and from
PostgreSQL to SQLite and back; the file is encrypted and signed, and an unsigned, altered,
truncated or foreign file is refused before anything in it is read; restoring is all or
nothing; migrations apply to an empty database from zero, and back."""

import gzip
import json
import os
import secrets
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
from pyrage import x25519

from sirolimus_app import backup
from sirolimus_app.models import AuditEvent, Patient, Prescription
from sirolimus_app.services import prescriptions
from tests.web.test_security_factories import (
    CLINICAL_MODELS,
    TODAY,
    proposed_prescription,
    rich_patient,
)

# Proposals built by hand, validated without the engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("hand_made_proposals")

ROOT = Path(__file__).resolve().parents[2]
NATURAL = (ContentType, Permission, Group)


@pytest.fixture(autouse=True)
def keys(settings, tmp_path):
    """The hospital's backup keys: the age public key and the HMAC key on the server, the
    age private key in a file brought for the restore."""
    identity = x25519.Identity.generate()
    path = tmp_path / "backup-identity.txt"
    path.write_text(f"# created: test\n# public key: {identity.to_public()}\n{identity}\n")
    settings.BACKUP_AGE_RECIPIENT = str(identity.to_public())
    settings.BACKUP_HMAC_KEY = secrets.token_hex(32)
    return {"identity": path, "environ": {"BACKUP_AGE_RECIPIENT": settings.BACKUP_AGE_RECIPIENT,
                                          "BACKUP_HMAC_KEY": settings.BACKUP_HMAC_KEY}}


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


def test_backup_then_restore_gives_back_every_record(full_database, tmp_path, keys):
    path, counts = backup.write_backup(tmp_path / "b.sirolimus-backup")
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # health data: owner only
    assert counts["sirolimus_app.auditevent"] == AuditEvent.objects.count() > 30
    # Encrypted: neither a name, an IPP nor a password hash can be read in the file.
    data = path.read_bytes()
    assert b"IPP-1001" not in data and "Lefèvre".encode() not in data
    assert b"md5$" not in data and b"sirolimus_app" not in data

    backup.restore(path, keys["identity"], replace=True)

    assert database_contents() == full_database
    # The restored trail is still append-only, and new ids follow the restored ones.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE sirolimus_app_auditevent SET action = 'x'")
    last = Patient.objects.order_by("-pk").first().pk
    assert Patient.objects.create(hospital_number="IPP-NEW", last_name="N", first_name="N",
                                  birth_date=TODAY, sex="F", diagnosis_date=TODAY).pk > last


def test_restore_refuses_a_database_that_is_not_empty(full_database, tmp_path, keys):
    path, _counts = backup.write_backup(tmp_path / "b.sirolimus-backup")
    with pytest.raises(backup.BackupError, match="pas vide"):
        backup.restore(path, keys["identity"])
    assert database_contents() == full_database


def _sealed(content: bytes) -> bytes:
    """Content encrypted and signed with the current keys, as a real backup would be."""
    from django.conf import settings

    return backup.seal(content, key=backup.hmac_key(),
                       to=x25519.Recipient.from_str(settings.BACKUP_AGE_RECIPIENT))


def _rewrite(path: Path, keys, change) -> Path:
    """A backup whose content was changed by someone holding the signing key: what the
    checks after the signature must still catch."""
    payload = backup.read_backup(path, keys["identity"])
    change(payload)
    target = path.with_name("changed.sirolimus-backup")
    target.write_bytes(_sealed(backup.encode(payload)))
    return target


def test_restore_is_all_or_nothing(full_database, tmp_path, keys):
    path, _counts = backup.write_backup(tmp_path / "b.sirolimus-backup")

    def orphan_a_trough(payload):
        trough = next(o for o in payload["objects"] if o["model"] == "sirolimus_app.troughlevel")
        trough["fields"]["patient"] = 999_999

    broken = _rewrite(path, keys, orphan_a_trough)
    with pytest.raises(backup.BackupError, match="incohérent"):
        backup.restore(broken, keys["identity"], replace=True)
    assert database_contents() == full_database


def test_restore_refuses_another_migration_state(full_database, tmp_path, keys):
    path, _counts = backup.write_backup(tmp_path / "b.sirolimus-backup")
    newer = _rewrite(path, keys,
                     lambda p: p["migrations"].append(["sirolimus_app", "9999_future"]))
    with pytest.raises(backup.BackupError, match="9999_future"):
        backup.restore(newer, keys["identity"], replace=True)
    assert database_contents() == full_database


@pytest.mark.parametrize("content,message", [
    (b"not gzip at all", "illisible"),
    (gzip.compress(b'{"format": "other"}'), "pas une sauvegarde"),
    (gzip.compress(b'{"format": "sirolimus-pti-backup", "version": 1, "obj')[:-8],
     "illisible"),
])
def test_unreadable_content_is_refused_with_a_clear_message(db, tmp_path, keys, content,
                                                            message):
    path = tmp_path / "bad.sirolimus-backup"
    path.write_bytes(_sealed(content))
    with pytest.raises(backup.BackupError, match=message):
        backup.restore(path, keys["identity"], replace=True)


# --- signature: checked over the whole file before a byte of it is decrypted or parsed --

@pytest.fixture
def signed_backup(db, haematologist, tmp_path):
    path, _counts = backup.write_backup(tmp_path / "b.sirolimus-backup")
    return path


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _header_end(data: bytes) -> int:
    return data.index(b"\n", len(backup.MAGIC)) + 1


def _other_last_mac_digit(data: bytes) -> bytes:
    at = _header_end(data) - 2  # the MAC's last hex digit, before the newline
    return data[:at] + (b"1" if data[at:at + 1] == b"0" else b"0") + data[at + 1:]


@pytest.mark.parametrize("tamper,message", [
    (lambda d: _flip(d, len(d) // 2), "Signature invalide"),  # one bit of the ciphertext
    (lambda d: _flip(d, len(d) - 1), "Signature invalide"),
    (lambda d: d[:-100], "tronquée .*: [0-9]+ octets sur les [0-9]+ signés"),
    (lambda d: d + b"\0", "allongée"),
    (lambda d: _other_last_mac_digit(d), "Signature invalide"),
    (lambda d: d[len(backup.MAGIC):], "non signé"),  # the signed envelope removed
    (lambda d: d[_header_end(d):], "non signé"),  # the bare age file
    (lambda d: backup.MAGIC + d[_header_end(d):], "Signature absente ou illisible"),
], ids=["ciphertext-bit", "last-byte", "truncated", "extended", "mac-changed",
        "no-magic", "bare-age", "no-signature-line"])
def test_a_tampered_truncated_or_unsigned_file_is_refused_before_decrypting(
        signed_backup, keys, monkeypatch, tamper, message):
    def never(*args):
        raise AssertionError("decrypted before the signature was checked")

    tampered = signed_backup.with_name("tampered.sirolimus-backup")
    tampered.write_bytes(tamper(signed_backup.read_bytes()))
    monkeypatch.setattr(backup, "decrypt", never)
    monkeypatch.setattr(backup, "decode", never)
    with pytest.raises(backup.BackupError, match=message):
        backup.restore(tampered, keys["identity"], replace=True)


def test_an_old_plain_gzip_backup_is_refused_as_unsigned(db, tmp_path, keys):
    path = tmp_path / "old.json.gz"
    path.write_bytes(gzip.compress(json.dumps(backup.dump()).encode()))
    with pytest.raises(backup.BackupError, match="non signée ni chiffrée"):
        backup.restore(path, keys["identity"], replace=True)


def test_another_signing_key_or_private_key_is_named(signed_backup, keys, settings, tmp_path):
    before = backup.key_id(settings.BACKUP_HMAC_KEY.encode())
    settings.BACKUP_HMAC_KEY = secrets.token_hex(32)  # rotated since
    with pytest.raises(backup.BackupError, match=f"autre clé.*{before}"):
        backup.restore(signed_backup, keys["identity"], replace=True)
    settings.BACKUP_HMAC_KEY = keys["environ"]["BACKUP_HMAC_KEY"]
    other = tmp_path / "other-identity.txt"
    other.write_text(str(x25519.Identity.generate()))
    with pytest.raises(backup.BackupError, match="Déchiffrement impossible"):
        backup.restore(signed_backup, other, replace=True)
    with pytest.raises(backup.BackupError, match="clé privée age"):
        backup.restore(signed_backup, None, replace=True)


@pytest.mark.parametrize("setting,value,message", [
    ("BACKUP_HMAC_KEY", None, "BACKUP_HMAC_KEY manquant"),
    ("BACKUP_HMAC_KEY", "court", "trop courte"),
    ("BACKUP_AGE_RECIPIENT", None, "BACKUP_AGE_RECIPIENT manquant"),
    ("BACKUP_AGE_RECIPIENT", "age1pasunecle", "pas une clé publique age"),
])
def test_backup_without_its_keys_names_what_is_missing(db, tmp_path, settings, setting,
                                                       value, message):
    setattr(settings, setting, value)
    with pytest.raises(backup.BackupError, match=message):
        backup.write_backup(tmp_path / "b.sirolimus-backup")
    assert not list(tmp_path.glob("*.sirolimus-backup")) + list(tmp_path.glob(".backup-*"))


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


def _manage(url: str, *commands: list[str], environ=None) -> str:
    """Run management commands one after the other in one process (Django starts once)."""
    script = ("import json, sys, django; from django.core.management import call_command; "
              "django.setup(); [call_command(*c) for c in json.loads(sys.argv[1])]")
    environ = dict(os.environ, DJANGO_SETTINGS_MODULE="sirolimus_app.settings", DEBUG="1",
                   DATABASE_URL=url, **(environ or {}))
    result = subprocess.run([sys.executable, "-c", script, json.dumps(commands)],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_migrations_apply_from_zero_and_back(fresh_database_url):
    plan = _manage(fresh_database_url, ["migrate", "--noinput", "-v0"],
                   ["migrate", "sirolimus_app", "zero", "--noinput", "-v0"],
                   ["migrate", "--noinput", "-v0"], ["showmigrations", "--plan"])
    assert "[ ]" not in plan and "[X]  sirolimus_app.0002_audit_append_only" in plan


def _restore_then_backup(url: str, source: Path, target: Path, keys) -> None:
    out = _manage(url, ["migrate", "--noinput", "-v0"],
                  ["restore", str(source), "--identity", str(keys["identity"])],
                  ["backup", "--output", str(target)], environ=keys["environ"])
    assert "Sauvegarde restaurée" in out


def test_backup_restores_into_a_fresh_migrated_database(full_database, fresh_database_url,
                                                        tmp_path, keys):
    original, _counts = backup.write_backup(tmp_path / "original.sirolimus-backup")
    again = tmp_path / "again.sirolimus-backup"
    _restore_then_backup(fresh_database_url, original, again, keys)

    first = backup.read_backup(original, keys["identity"])
    second = backup.read_backup(again, keys["identity"])
    assert second["counts"] == first["counts"]
    assert second["objects"] == first["objects"]


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_sqlite_and_back(full_database, fresh_database_url,
                                                           tmp_path, keys):
    """The CI's PostgreSQL pass: PostgreSQL → SQLite → a fresh PostgreSQL database, every
    row the same at each step (the way to move a hospital from one engine to the other)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    original, _counts = backup.write_backup(tmp_path / "postgresql.sirolimus-backup")
    from_sqlite = tmp_path / "sqlite.sirolimus-backup"
    _restore_then_backup(f"sqlite:///{tmp_path / 'moved.sqlite3'}", original, from_sqlite, keys)
    back = tmp_path / "back.sirolimus-backup"
    _restore_then_backup(fresh_database_url, from_sqlite, back, keys)

    first = backup.read_backup(original, keys["identity"])
    for step in (from_sqlite, back):
        copy = backup.read_backup(step, keys["identity"])
        assert copy["engine"] != first["engine"] or step == back
        assert copy["counts"] == first["counts"]
        assert copy["objects"] == first["objects"]
