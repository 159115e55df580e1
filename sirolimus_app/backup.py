"""Whole-database backup and restore, the same on SQLite and PostgreSQL.

A backup is one gzip-compressed JSON file: every row of every table (except what `migrate`
rebuilds and the short-lived sessions), read in one consistent snapshot, with the migration
state it belongs to. Restoring loads it into an empty database migrated to that same state,
in one transaction: all of it or nothing. The file format does not depend on the engine, so
a SQLite backup restores into PostgreSQL and back.

Users, patients and every clinical row keep their ids: audit lines refer to them by id.
"""

import gzip
import json
import os
import tempfile
from datetime import datetime, time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "sirolimus-pti-backup"
FORMAT_VERSION = 1
# Rebuilt by `migrate` in every database (rows refer to them by natural key), or short-lived.
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Rows `migrate` itself creates (the role groups): matched by name, not by id.
MATCHED_BY_NAME = {"auth.group"}


class BackupError(Exception):
    """A backup that cannot be written or restored; the message (French) says why."""


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder rounds times to the millisecond; a backup keeps every digit."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def backed_up_models() -> list:
    """Every concrete table, parents before the rows that point at them."""
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True)
    return [model for model in ordered
            if model._meta.managed and not model._meta.proxy
            and model._meta.label_lower not in SKIPPED]


def _applied_migrations(connection) -> list[list[str]]:
    return sorted([app, name] for app, name in
                  MigrationRecorder(connection).applied_migrations())


def dump(using: str = DEFAULT_DB_ALIAS) -> dict:
    """Read the whole database in one snapshot (writes may go on meanwhile)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            # Every table read at the same instant, and nothing written by the backup.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        objects, counts = [], {}
        for model in backed_up_models():
            label = model._meta.label_lower
            rows = serializers.serialize(
                "python", model._base_manager.using(using).order_by("pk").iterator(),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=label in MATCHED_BY_NAME)
            objects.extend(rows)
            counts[label] = len(rows)
        migrations = _applied_migrations(connection)
    return {"format": FORMAT, "version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(), "engine": connection.vendor,
            "migrations": migrations, "counts": counts, "objects": objects}


def default_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"{stamp}.json.gz"


def write_backup(path: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> tuple[Path, dict]:
    """Write the backup file (readable by its owner only: it holds health data)."""
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dump(using)
    # Written beside the target then renamed, so a crash never leaves a half backup.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".backup-", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as out:
            json.dump(payload, out, cls=_ExactEncoder, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path, payload["counts"]


def read_backup(path: Path) -> dict:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            payload = json.load(source)
    except FileNotFoundError as exc:
        raise BackupError(f"Fichier de sauvegarde introuvable : {path}") from exc
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"Fichier de sauvegarde illisible ou tronqué ({path}) : {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BackupError(f"{path} n'est pas une sauvegarde de cette application.")
    if payload.get("version") != FORMAT_VERSION:
        raise BackupError(f"Version de sauvegarde {payload.get('version')!r} non prise en "
                          f"charge (attendue : {FORMAT_VERSION}).")
    return payload


def _check_migrations(payload: dict, connection) -> None:
    saved = {tuple(item) for item in payload["migrations"]}
    here = {tuple(item) for item in _applied_migrations(connection)}
    if saved != here:
        missing = ", ".join(f"{a}.{n}" for a, n in sorted(saved - here)) or "aucune"
        extra = ", ".join(f"{a}.{n}" for a, n in sorted(here - saved)) or "aucune"
        # The application's own latest migration names the version that made the backup.
        ours = max((n for a, n in saved if a == "sirolimus_app"), default="aucune")
        raise BackupError(
            "La base cible n'est pas au même état de migration que la sauvegarde. "
            f"Migrations de la sauvegarde absentes ici : {missing}. "
            f"Migrations appliquées ici mais pas dans la sauvegarde : {extra}. "
            "Restaurez dans une base neuve avec la version de l'application qui a fait la "
            f"sauvegarde (dernière migration : sirolimus_app.{ours}), puis passez à la "
            "version actuelle et lancez `manage.py migrate` (voir docs/operations.md).")


def _non_empty_tables(models, using: str) -> list[str]:
    return [model._meta.label for model in models
            if model._meta.label_lower not in MATCHED_BY_NAME
            and model._base_manager.using(using).exists()]


def restore(path: Path, using: str = DEFAULT_DB_ALIAS, *, replace: bool = False) -> dict:
    """Load a backup into this (migrated) database; with `replace`, empty it first."""
    payload = read_backup(path)
    connection = connections[using]
    _check_migrations(payload, connection)
    models = backed_up_models()
    with transaction.atomic(using=using):
        if replace:
            _flush(connection, using)
        else:
            filled = _non_empty_tables(models, using)
            if filled:
                raise BackupError(
                    "La base cible n'est pas vide (" + ", ".join(filled) + ") : restaurez "
                    "dans une base neuve et migrée, ou remplacez son contenu (--replace).")
        try:
            _load(payload["objects"], models, connection, using)
        except (DatabaseError, DeserializationError, ValidationError) as exc:
            raise BackupError("La sauvegarde contient des données incohérentes, rien n'a "
                              f"été modifié : {exc}") from exc
        counts = {model._meta.label_lower: model._base_manager.using(using).count()
                  for model in models}
        if counts != payload["counts"]:
            differing = sorted(label for label in counts
                               if counts[label] != payload["counts"].get(label))
            raise BackupError("Restauration incomplète, rien n'a été modifié : nombre de "
                              "lignes différent pour " + ", ".join(differing) + ".")
    return counts


def _flush(connection, using: str) -> None:
    """Empty every table: TRUNCATE on PostgreSQL, DELETE on SQLite, neither refused by the
    audit trigger; `flush` then recreates the role groups."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # TRUNCATE refuses tables with deferred checks pending (when called inside a
        # transaction that already wrote): run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, database=using, verbosity=0)
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _load(objects: list, models: list, connection, using: str) -> None:
    """What `loaddata` does: raw saves (no timestamps rewritten), forward references
    resolved at the end, constraints checked, id sequences moved past the loaded ids."""
    deferred = []
    with connection.constraint_checks_disabled():
        for obj in serializers.deserialize("python", objects, using=using,
                                           handle_forward_references=True):
            obj.save(using=using)
            if obj.deferred_fields:
                deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields(using=using)
    connection.check_constraints(table_names=[m._meta.db_table for m in models])
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
