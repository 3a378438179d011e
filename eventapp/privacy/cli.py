"""`flask --app eventapp privacy purge --older-than 24months`: the retention run (cron it)."""

import click
from flask.cli import AppGroup

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.services import privacy as privacy_service

privacy_cli = AppGroup("privacy", help="Personal data: retention purge.")


def _age(_ctx, _param, value):
    if value is None:
        return privacy_service.Age(months=privacy_service.retention_months())
    try:
        return privacy_service.parse_age(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


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
    now = utcnow()
    cutoff = older_than.before(now)
    events = [(e.id, e.slug) for e in privacy_service.events_to_purge(older_than, now)]
    db.session.commit()  # end the read; each batch below is its own write transaction
    if not events:
        click.echo(f"Nothing to anonymise (events ended before {cutoff:%Y-%m-%d}).")
        return
    if dry_run:
        for _event_id, slug in events:
            click.echo(f"would purge {slug}")
        click.echo(f"{len(events)} events ended before {cutoff:%Y-%m-%d} hold personal data.")
        return
    grand_total = 0
    for event_id, slug in events:
        total = 0
        while True:
            with write_transaction():
                done = privacy_service.anonymise_batch([event_id], batch_size)
            if not done:
                break
            total += done
        with write_transaction():
            privacy_service.finish_event_purge(
                event_id, total, actor="cli", older_than=str(older_than)
            )
        grand_total += total
        click.echo(f"{slug}: {total} registrations anonymised")
    click.echo(
        f"{grand_total} registrations anonymised in {len(events)} events "
        f"(ended before {cutoff:%Y-%m-%d})."
    )
