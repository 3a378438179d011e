"""`flask --app eventapp worker`, `flask --app eventapp beat` (the Celery commands, with the
Flask app's Celery app; any other option goes to Celery, e.g. `worker -Q mail -c 4`), and
`flask --app eventapp run-all` (development: web server, worker and beat together, see
eventapp/jobs/supervisor.py)."""

from __future__ import annotations

import click
from flask.cli import ScriptInfo

from eventapp.jobs import supervisor
from eventapp.jobs.celery_app import prepare_worker

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}


def _app(ctx: click.Context):
    return ctx.ensure_object(ScriptInfo).load_app()


@click.command("worker", context_settings=PASS_THROUGH, add_help_option=False)
@click.pass_context
def worker_command(ctx: click.Context) -> None:
    """Run a Celery worker (all queues unless -Q; `worker --help` for Celery's options)."""
    app = _app(ctx)
    prepare_worker(app)
    app.extensions["celery"].worker_main(["worker", "--loglevel", "INFO", *ctx.args])


@click.command("beat", context_settings=PASS_THROUGH, add_help_option=False)
@click.pass_context
def beat_command(ctx: click.Context) -> None:
    """Run Celery beat, the one process that publishes the periodic jobs (run exactly one)."""
    app = _app(ctx)
    app.extensions["celery"].start(["beat", "--loglevel", "INFO", *ctx.args])


@click.command("run-all")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--concurrency", default=2, show_default=True, type=int, help="Worker processes.")
@click.option("--gunicorn", type=int, help="Serve with gunicorn and this many workers.")
@click.pass_context
def run_all_command(
    ctx: click.Context, host: str, port: int, concurrency: int, gunicorn: int | None
) -> None:
    """One machine: the web server, a worker and beat, stopped together by Ctrl+C."""
    info = ctx.ensure_object(ScriptInfo)
    app = info.app_import_path or "eventapp"
    raise SystemExit(supervisor.run(app, host, port, concurrency, gunicorn))


COMMANDS = (worker_command, beat_command, run_all_command)
