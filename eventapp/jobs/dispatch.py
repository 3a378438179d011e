"""When a job is handed to the broker: never before the commit of the change it follows, never
while a participant waits for a page.

`after_commit(name, *args)` is what an after-commit hook calls (the mail outbox's, today). The
job is published once the unit of work is over:

- in a web request, when the response has been sent: `AfterResponse`, the WSGI middleware,
  keeps the request's jobs in its environ and publishes them once the server has taken the
  body's last chunk (gunicorn and Werkzeug write each chunk as they get it), or from the
  response's `close()` if the server stopped before;
- elsewhere (`write_transaction()`, a job running in a worker, a CLI command), at `flush()`:
  `write_transaction()` calls it after its commit, and every app context calls it when it ends.

`enqueue(name, *args)` publishes at once, for work that is committed already (the outbox sweep).

Publishing goes through the app's Celery app (eventapp/jobs/celery_app.py): to the broker, or,
with JOBS_EAGER (tests), by running the job in this process right there, which is why a request's
jobs wait for the end of its response. The Flask test client never closes a response: the test
suite's client puts a list of its own under ENVIRON_KEY in each request's environ and publishes
it (`publish`) when the request has returned.

A job that cannot be published (the broker is down) is logged and dropped: the outbox row it was
for is still pending, and the sweep sends it (see eventapp/jobs/tasks.py).

This module imports nothing from the project: the infrastructure (`database.py`) uses it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context, request

log = logging.getLogger(__name__)

ENVIRON_KEY = "eventapp.jobs.after_response"
_G_KEY = "_jobs_after_commit"
# Jobs queued by requests and not published yet (tests wait for them: `wait_until_published`).
_waiting = 0
_waiting_changed = threading.Condition()


@dataclass
class Job:
    celery: Any  # the Celery app of the Flask app that queued it
    name: str
    args: tuple
    raise_errors: bool  # tests: a job that cannot be published fails the test (not a log line)
    counted: bool = False  # in _waiting

    def publish(self) -> None:
        self.celery.tasks[self.name].apply_async(args=self.args)


def _job(name: str, args: tuple) -> Job:
    app = current_app._get_current_object()
    return Job(app.extensions["celery"], name, args, bool(app.config.get("TESTING")))


def publish(jobs: list[Job]) -> None:
    """Publish these jobs (emptying the list: publishing twice is harmless)."""
    while jobs:
        job = jobs.pop(0)
        try:
            job.publish()
        except Exception:
            if job.raise_errors:
                raise
            log.exception("job %s not enqueued (broker unreachable?): the sweep retries", job.name)
        finally:
            if job.counted:
                _count(-1)


def _count(delta: int) -> None:
    global _waiting
    with _waiting_changed:
        _waiting += delta
        _waiting_changed.notify_all()


def wait_until_published(timeout: float) -> bool:
    """Wait until every job queued by a request has been published (with JOBS_EAGER: has run),
    for at most `timeout` seconds. For tests: a server's requests publish after their
    responses, so their jobs may still run when the test that made them ends."""
    with _waiting_changed:
        return _waiting_changed.wait_for(lambda: _waiting <= 0, timeout)


def enqueue(name: str, *args) -> None:
    """Publish a job now (its data is committed already)."""
    publish([_job(name, args)])


def after_commit(name: str, *args) -> None:
    """Publish a job once this unit of work is over (see the module docstring). Call it from
    an after-commit hook: a rolled-back change queues nothing."""
    job = _job(name, args)
    if has_request_context():
        pending = request.environ.get(ENVIRON_KEY)
        if pending is not None:
            job.counted = True
            _count(1)
            pending.append(job)
            return
        # A request that did not come through AfterResponse (a bare app.wsgi_app call): the
        # job waits for the end of its app context like any other.
    g.setdefault(_G_KEY, []).append(job)


def flush() -> None:
    """Publish the jobs this app context queued (not a request's: those wait for its
    response)."""
    pending = g.pop(_G_KEY, None)
    if pending:
        publish(pending)


class AfterResponse:
    """WSGI middleware: a request's jobs are published when its response is closed."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        # A client cannot put a Python list in the environ: only the test client's own list
        # can be here already (see the module docstring).
        pending = environ.setdefault(ENVIRON_KEY, [])
        try:
            iterable = self.wsgi_app(environ, start_response)
        except BaseException:
            # Only tests propagate exceptions this far; what was committed still goes out.
            publish(pending)
            raise
        return _ThenPublish(iterable, pending)


class _ThenPublish:
    """The response's body, then its jobs: published once the server has taken the last chunk
    (it writes each one as it gets it), or when it closes the response if it stopped before
    (client gone). Not only at close(): Werkzeug's server may call close() only when the
    client ends a keep-alive connection, minutes later for a browser."""

    def __init__(self, iterable, pending: list[Job]):
        self._iterable = iterable
        self._pending = pending

    def __iter__(self):
        yield from self._iterable
        publish(self._pending)

    def close(self) -> None:
        try:
            close = getattr(self._iterable, "close", None)
            if close is not None:
                close()
        finally:
            publish(self._pending)


def init_app(app) -> None:
    app.wsgi_app = AfterResponse(app.wsgi_app)
    app.teardown_appcontext(lambda _exc: flush())
