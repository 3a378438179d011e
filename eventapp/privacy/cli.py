"""`flask --app eventapp privacy purge --older-than 24months`: the retention run (the beat runs
it every night too: eventapp/jobs/schedule.py)."""

import click
from flask.cli import AppGroup

from eventapp.privacy.retention import purge_expired
from eventapp.services import privacy as privacy_service

privacy_cli = AppGroup("privacy", help="Personal data: retention purge.")


def _age(_ctx, _param, value):
    if value is None:
        return privacy_service.Age(months=privacy_service.retention_months())
    try:
        return privacy_service.parse_age(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


def _echo_event(slug: str, total: int | None) -> None:
    if total is None:
        click.echo(f"would purge {slug}")
    else:
        click.echo(f"{slug}: {total} registrations anonymised")


@privacy_cli.command("purge")
@click.option(
    "--older-than",
    callback=_age,
    help="Anonymise registrations of events that ended longer ago than this: 24months, "
    "18months, 2years, 30days (default: PRIVACY_RETENTION_MONTHS, 24 months).",
)
@click.option("--batch-size", default=privacy_service.DEFAULT_BATCH_SIZE, show_default=True)
@click.option("--dry-run", is_flag=True, help="Only say what would be anonymised.")
def purge(older_than: privacy_service.Age, batch_size: int, dry_run: bool) -> None:
    """Anonymise the registrations of events that ended before the retention period, in
    batches (one transaction each). Safe to run again: anonymised ones are skipped."""
    if batch_size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch-size")
    report = purge_expired(
        older_than, batch_size=batch_size, actor="cli", dry_run=dry_run, on_event=_echo_event
    )
    cutoff = f"{report.cutoff:%Y-%m-%d}"
    if not report.events:
        click.echo(f"Nothing to anonymise (events ended before {cutoff}).")
    elif dry_run:
        click.echo(f"{len(report.events)} events ended before {cutoff} hold personal data.")
    else:
        click.echo(
            f"{report.total} registrations anonymised in {len(report.events)} events "
            f"(ended before {cutoff})."
        )
