"""Whole-database backup and restore, the same on SQLite and PostgreSQL.

A backup holds every row of every table (except what `migrate` rebuilds and the
short-lived sessions), read in one consistent snapshot, with the migration state it belongs
to, as gzip-compressed JSON. That content is encrypted with age to the hospital's backup
public key (BACKUP_AGE_RECIPIENT; the private key never on the server), then signed with
HMAC-SHA256 (BACKUP_HMAC_KEY): age alone authenticates nothing, since anyone holding the
public key can encrypt a forged database. Restoring checks the signature over the whole file
before decrypting or parsing any of it, then loads it into an empty database migrated to
the same state, in one transaction: all of it or nothing. The content does not depend on the
engine, so a SQLite backup restores into PostgreSQL and back.

File layout (docs/operations.md): one text line `SIROLIMUS-PTI-BACKUP 2`, one line
`hmac-sha256 key=<key id> length=<bytes> mac=<hex>`, then the age ciphertext. The MAC covers
the first line, the key id, the length and the ciphertext.

Users, patients and every clinical row keep their ids: audit lines refer to them by id.
"""

import gzip
import hashlib
import hmac
import json
import os
import re
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
from pyrage import DecryptError, IdentityError, RecipientError, decrypt, encrypt, x25519

from sirolimus_app.signals import account_audit_paused

FORMAT = "sirolimus-pti-backup"
FORMAT_VERSION = 1  # of the JSON content
MAGIC = b"SIROLIMUS-PTI-BACKUP 2\n"  # the signed, encrypted envelope
SIGNATURE_LINE = re.compile(rb"hmac-sha256 key=([0-9a-f]{16}) length=([0-9]{1,15}) "
                            rb"mac=([0-9a-f]{64})\n")
MIN_HMAC_KEY_LENGTH = 32
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
    return Path(settings.BACKUP_DIR) / f"{stamp}.sirolimus-backup"


# --- keys ------------------------------------------------------------------------------

def hmac_key() -> bytes:
    key = settings.BACKUP_HMAC_KEY
    if not key:
        raise BackupError("BACKUP_HMAC_KEY manquant : la clé de signature des sauvegardes "
                          "doit être dans l'environnement (voir docs/operations.md).")
    if len(key) < MIN_HMAC_KEY_LENGTH:
        raise BackupError(f"BACKUP_HMAC_KEY trop courte ({len(key)} caractères, "
                          f"{MIN_HMAC_KEY_LENGTH} au moins).")
    return key.encode()


def key_id(key: bytes) -> str:
    """Names a signing key in the file and in messages without revealing it."""
    return hashlib.sha256(b"sirolimus-backup-key-id:" + key).hexdigest()[:16]


def recipient():
    value = settings.BACKUP_AGE_RECIPIENT
    if not value:
        raise BackupError("BACKUP_AGE_RECIPIENT manquant : la clé publique age des "
                          "sauvegardes doit être dans l'environnement (docs/operations.md).")
    try:
        return x25519.Recipient.from_str(value)
    except RecipientError as exc:
        raise BackupError(f"BACKUP_AGE_RECIPIENT n'est pas une clé publique age : {exc}") from exc


def load_identity(path) -> list:
    """The age private key(s) of an identity file (age-keygen's format: `#` comments)."""
    if not path:
        raise BackupError("Donnez le fichier de la clé privée age (--identity) : elle n'est "
                          "jamais conservée sur le serveur.")
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"Fichier de clé privée illisible ({path}) : {exc}") from exc
    try:
        identities = [x25519.Identity.from_str(line.strip()) for line in lines
                      if line.strip() and not line.startswith("#")]
    except IdentityError as exc:
        raise BackupError(f"{path} ne contient pas une clé privée age valide : {exc}") from exc
    if not identities:
        raise BackupError(f"{path} ne contient aucune clé privée age.")
    return identities


# --- the signed, encrypted envelope ----------------------------------------------------

def _mac(key: bytes, kid: str, ciphertext: bytes) -> str:
    signed = MAGIC + f"{kid} {len(ciphertext)}\n".encode() + ciphertext
    return hmac.new(key, signed, hashlib.sha256).hexdigest()


def seal(content: bytes, *, key: bytes, to) -> bytes:
    """Encrypt `content` to the age recipient `to`, then sign the result with `key`."""
    ciphertext = encrypt(content, [to])
    kid = key_id(key)
    header = f"hmac-sha256 key={kid} length={len(ciphertext)} mac={_mac(key, kid, ciphertext)}\n"
    return MAGIC + header.encode() + ciphertext


def unseal(data: bytes, *, key: bytes, identities: list, name: str = "") -> bytes:
    """The decrypted content, only once the signature over the whole file has been checked;
    otherwise a BackupError naming why (unsigned, truncated, altered, other key)."""
    where = f" ({name})" if name else ""
    if not data.startswith(MAGIC):
        if data.startswith(b"\x1f\x8b"):
            raise BackupError(f"Sauvegarde non signée ni chiffrée (ancien format gzip){where} : "
                              "refusée, on ne peut pas savoir si elle a été modifiée.")
        raise BackupError(f"Fichier non signé{where} : ce n'est pas une sauvegarde signée de "
                          "cette application, refusé.")
    end = data.find(b"\n", len(MAGIC)) + 1
    match = SIGNATURE_LINE.fullmatch(data[len(MAGIC):end]) if end else None
    if not match:
        raise BackupError(f"Signature absente ou illisible{where} : fichier refusé.")
    kid, length, mac = match[1].decode(), int(match[2]), match[3].decode()
    ciphertext = data[end:]
    if len(ciphertext) < length:
        raise BackupError(f"Sauvegarde tronquée{where} : {len(ciphertext)} octets sur les "
                          f"{length} signés. Fichier refusé.")
    if len(ciphertext) > length:
        raise BackupError(f"Sauvegarde allongée{where} : {len(ciphertext) - length} octets "
                          "ajoutés après la partie signée. Fichier refusé.")
    if kid != key_id(key):
        raise BackupError(f"Sauvegarde signée avec une autre clé{where} (identifiant {kid}, "
                          f"clé actuelle {key_id(key)}) : donnez la clé de signature en "
                          "vigueur à sa date (BACKUP_HMAC_KEY, voir la rotation des clés).")
    if not hmac.compare_digest(mac, _mac(key, kid, ciphertext)):
        raise BackupError(f"Signature invalide{where} : le fichier a été modifié depuis la "
                          "sauvegarde. Fichier refusé, rien n'a été lu.")
    try:
        return decrypt(ciphertext, identities)
    except DecryptError as exc:
        raise BackupError(f"Déchiffrement impossible{where} : la clé privée donnée ne "
                          f"correspond pas à celle de la sauvegarde ({exc}).") from exc


def encode(payload: dict) -> bytes:
    return gzip.compress(json.dumps(payload, cls=_ExactEncoder, ensure_ascii=False)
                         .encode("utf-8"), mtime=0)


def decode(content: bytes, name: str = "") -> dict:
    try:
        payload = json.loads(gzip.decompress(content).decode("utf-8"))
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"Sauvegarde illisible ({name}) : {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BackupError(f"{name} n'est pas une sauvegarde de cette application.")
    if payload.get("version") != FORMAT_VERSION:
        raise BackupError(f"Version de sauvegarde {payload.get('version')!r} non prise en "
                          f"charge (attendue : {FORMAT_VERSION}).")
    return payload


def write_backup(path: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> tuple[Path, dict]:
    """Write the encrypted, signed backup file (owner-only, like any file of health data)."""
    key, to = hmac_key(), recipient()  # before reading anything: a clear error first
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dump(using)
    sealed = seal(encode(payload), key=key, to=to)
    # Written beside the target then renamed, so a crash never leaves a half backup.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".backup-", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path, payload["counts"]


def read_backup(path: Path, identity) -> dict:
    """The backup's content: signature checked, then decrypted with the identity file."""
    key = hmac_key()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise BackupError(f"Fichier de sauvegarde introuvable : {path}") from exc
    except OSError as exc:
        raise BackupError(f"Fichier de sauvegarde illisible ({path}) : {exc}") from exc
    content = unseal(data, key=key, identities=load_identity(identity), name=str(path))
    return decode(content, str(path))


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


def restore(path: Path, identity, using: str = DEFAULT_DB_ALIAS, *,
            replace: bool = False) -> dict:
    """Load a backup into this (migrated) database; with `replace`, empty it first."""
    payload = read_backup(path, identity)
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
    with connection.constraint_checks_disabled(), account_audit_paused():
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
