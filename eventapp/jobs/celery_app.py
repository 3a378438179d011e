"""The Celery app of a Flask app: `init_app(app)` builds it, bound to that app (every job runs
inside its own app context, so with its own database session), and keeps it in
`app.extensions["celery"]`.

Queues: `mail` (slow mail servers never hold up anything else), `webhooks` and `exports` (their
jobs come with later issues), `default` (the sweep, the purge, everything not routed). A job goes
to a queue by its name (`ROUTES`); a worker consumes all four unless told `-Q`.

Jobs are sent as JSON and their results are not kept: a job's outcome is in the worker's log,
and what matters (a message sent) is in the database.
"""

from __future__ import annotations

import logging

from celery import Celery, Task, signals
from flask.logging import default_handler
from kombu import Queue

from eventapp.jobs import dispatch, schedule, tasks

log = logging.getLogger(__name__)

QUEUES = ("mail", "webhooks", "exports", "default")
DEFAULT_QUEUE = "default"
# By job name (glob): mail.send -> mail; outbox.sweep, privacy.purge -> default.
ROUTES = {
    "mail.*": {"queue": "mail"},
    "webhooks.*": {"queue": "webhooks"},
    "exports.*": {"queue": "exports"},
}
# The worker stops a send job this long after MAIL_SEND_TIME_LIMIT (its soft limit) by killing it.
HARD_LIMIT_MARGIN = 5


def _check_timeouts(config) -> None:
    hard = config["MAIL_SEND_TIME_LIMIT"] + HARD_LIMIT_MARGIN
    if config["MAIL_STALE_SENDING_SECONDS"] <= hard:
        # A message claimed by a job still alive could be claimed again: sent twice.
        raise RuntimeError(
            f"MAIL_STALE_SENDING_SECONDS ({config['MAIL_STALE_SENDING_SECONDS']}) must exceed "
            f"MAIL_SEND_TIME_LIMIT + {HARD_LIMIT_MARGIN} ({hard})."
        )


def celery_config(config) -> dict:
    broker_url = config["CELERY_BROKER_URL"]
    limit = config["MAIL_SEND_TIME_LIMIT"]
    settings = {
        "broker_url": broker_url,
        "broker_connection_retry_on_startup": True,
        # A web process publishing to a broker that is down gives up within a second: the
        # response is already sent, and the sweep enqueues the job again.
        "broker_connection_timeout": 2,
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_default_queue": DEFAULT_QUEUE,
        "task_queues": [Queue(name, routing_key=name) for name in QUEUES],
        "task_routes": ROUTES,
        "task_annotations": {
            tasks.SEND_MAIL: {"soft_time_limit": limit, "time_limit": limit + HARD_LIMIT_MARGIN}
        },
        "task_always_eager": bool(config["JOBS_EAGER"]),
        # As in a worker, a job that fails is logged, not raised at the code that queued it
        # (a request long answered, by then).
        "task_eager_propagates": False,
        # One job reserved per worker process at a time: a slow mail server does not leave
        # reserved jobs waiting behind it while another worker is idle.
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": True,
        # The console mail backend (development) prints to the terminal, as it does without a
        # worker, instead of through the log (which masks the links it exists to show).
        "worker_redirect_stdouts": False,
        "timezone": config["BABEL_DEFAULT_TIMEZONE"],
        "enable_utc": True,
        "beat_schedule": schedule.beat_schedule(config),
        "beat_schedule_filename": config["CELERY_BEAT_SCHEDULE_FILE"],
    }
    if broker_url.startswith(("redis://", "rediss://")) and config.get("CELERY_KEY_PREFIX"):
        settings["broker_transport_options"] = {"global_keyprefix": config["CELERY_KEY_PREFIX"]}
    return settings


def make_celery(app) -> Celery:
    class FlaskTask(Task):
        """Runs the job inside an app context of `app`; what it queued (after a commit) is
        published when that context ends (eventapp/jobs/dispatch.py)."""

        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(celery_config(app.config))
    return celery


def init_app(app) -> None:
    _check_timeouts(app.config)
    app.extensions["celery"] = make_celery(app)
    dispatch.init_app(app)


def prepare_worker(app) -> None:
    """In a worker process: Celery's log handler is the only one (Flask's own would print each
    line of the app's loggers a second time), and each forked worker process opens its own
    database connections (none is shared with the parent)."""
    app.logger.removeHandler(default_handler)

    @signals.worker_process_init.connect(weak=False)
    def _fresh_connections(**_kwargs):
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose(close=False)
