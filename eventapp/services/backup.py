"""Backups. SQLite: a consistent copy taken with SQLite's online backup API while the app keeps
running (writers are not stopped; the copy is one snapshot). PostgreSQL: pg_dump, which we
explain rather than wrap (README.md, "Backups")."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    path: Path
    size: int
    registrations: int


def sqlite_file(url: URL) -> Path | None:
    """The database file of an SQLite URL; None for another database; error for :memory:."""
    if url.get_backend_name() != "sqlite":
        return None
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database).resolve()


def default_output(instance_path: str, now: datetime) -> Path:
    return Path(instance_path) / "backups" / f"eventapp-{now:%Y%m%d-%H%M%S}.db"


def backup_sqlite(source: Path, output: Path, busy_timeout_ms: int = 15000) -> BackupResult:
    """Copy the live database `source` to `output` in one consistent snapshot.

    The whole database is copied in a single backup step, inside one read transaction: with
    the WAL journal, writers go on meanwhile and none of their later commits leak into the
    copy. The copy is written next to `output`, checked (PRAGMA integrity_check), switched to
    a self-contained rollback journal, then renamed into place, so `output` is never a
    half-written file.
    """
    if not source.exists():
        raise BackupError(f"no database file at {source}")
    output = output.resolve()
    if output == source:
        raise BackupError("the backup cannot overwrite the database itself")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=busy_timeout_ms / 1000)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")
        (check,) = dst.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
        (registrations,) = dst.execute("SELECT count(*) FROM registration").fetchone()
    except BaseException:
        dst.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    os.replace(partial, output)
    return BackupResult(output, output.stat().st_size, registrations)


def pg_dump_help(url: URL, now: datetime) -> str:
    """What to run on PostgreSQL (password never printed)."""
    plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
    dump = f"eventapp-{now:%Y%m%d-%H%M%S}.dump"
    return (
        "This database is PostgreSQL: back it up with pg_dump, which takes a consistent "
        "snapshot while the app runs:\n"
        f"  pg_dump --format=custom --no-owner --file {dump} '{plain}'\n"
        "Restore into a new, empty database, then check the schema version:\n"
        f"  pg_restore --no-owner --dbname '<new database URL>' {dump}\n"
        "  DATABASE_URL=<new database URL> flask --app eventapp db current\n"
        '(give the password with PGPASSWORD or ~/.pgpass; see README.md, "Backups").'
    )
