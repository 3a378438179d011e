"""`flask --app eventapp backup [--output PATH]`."""

import sqlite3
from pathlib import Path

import click
from flask import current_app

from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.services import backup as backup_service


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the copy (default: instance/backups/eventapp-<date-time>.db).",
)
def backup_command(output: Path | None) -> None:
    """Write a consistent copy of the SQLite database while the app runs (on PostgreSQL:
    explains the pg_dump command to use)."""
    now = utcnow()
    url = db.engine.url
    try:
        source = backup_service.sqlite_file(url)
    except backup_service.BackupError as error:
        raise click.ClickException(str(error)) from error
    if source is None:
        if url.get_backend_name() == "postgresql":
            click.echo(backup_service.pg_dump_help(url, now), err=True)
            raise click.ClickException("no backup written: use pg_dump (above)")
        raise click.ClickException(f"cannot back up a {url.get_backend_name()} database")
    output = output or backup_service.default_output(current_app.instance_path, now)
    try:
        result = backup_service.backup_sqlite(
            source, output, current_app.config["SQLITE_BUSY_TIMEOUT_MS"]
        )
    except (backup_service.BackupError, OSError, sqlite3.Error) as error:
        raise click.ClickException(f"backup failed: {error}") from error
    click.echo(
        f"Backup written to {result.path} ({result.size:,} bytes, "
        f"{result.registrations} registrations)."
    )
