"""One holder at a time for jobs that several app servers may start together (the nightly
refresh, the migrations at start-up), whatever the server they run on.

PostgreSQL: a session-level advisory lock, held by the database itself for the connection
that took it (released at the end, or by PostgreSQL if the process dies). SQLite, which
only one machine can share: an exclusive `flock` on a file beside the database, released by
the kernel if the process dies. A lock is kept across the job's own transactions (the
refresh commits chunk by chunk) without holding SQLite's write lock for the whole job.
"""

import fcntl
import zlib
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections


class LockBusy(Exception):
    """Another process holds the lock and the caller chose not to wait."""


def _key(name: str) -> int:
    # A stable signed 64-bit key per job name (advisory locks are numbered).
    return zlib.crc32(f"sirolimus_app:{name}".encode())


@contextmanager
def exclusive(name: str, *, wait: bool = True, using: str = DEFAULT_DB_ALIAS):
    """Hold the lock `name` for the block; without `wait`, raise LockBusy if it is taken."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = _key(name)
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                if not cursor.fetchone()[0]:
                    raise LockBusy(name)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    database = str(connection.settings_dict["NAME"])
    if database == ":memory:" or database.startswith("file:"):
        path = Path("/tmp") / f"sirolimus-{_key(database)}-{name}.lock"  # noqa: S108
    else:
        path = Path(f"{database}.{name}.lock")
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise LockBusy(name) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
