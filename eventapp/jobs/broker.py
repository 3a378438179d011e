"""The broker, seen from the app: is it reachable (`/readyz`), and the embedded one's
housekeeping.

Production: Redis (REDIS_URL or CELERY_BROKER_URL). Embedded default: kombu's SQLAlchemy
transport on an SQLite file in instance/ (`sqla+sqlite:///…/jobs-broker.db`). Why that one and
not kombu's filesystem transport: a job is taken from SQLite in a `BEGIN IMMEDIATE`
transaction, so a worker never reads a message its publisher is still writing, and two
consumers never take the same one; the filesystem transport moves files it has not locked and
can read one before it is written. The price: no fanout, so `celery inspect`/remote control do
not work on it, and delivered messages stay in its table (marked invisible), which the sweep
deletes (`prune_embedded`).
"""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

EMBEDDED_PREFIX = "sqla+"


def is_embedded(url: str) -> bool:
    return url.startswith(EMBEDDED_PREFIX)


def describe(url: str) -> str:
    """What /readyz says the broker is (never its password)."""
    return "embedded" if is_embedded(url) else url.partition("://")[0]


def check(celery, timeout: float = 2.0) -> str | None:
    """None when the broker takes a connection and answers on the default queue, else the
    name of the error."""
    try:
        with celery.connection_for_write(connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=0, timeout=timeout)
            with connection.channel() as channel:
                channel.queue_declare(queue=celery.conf.task_default_queue)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return type(error).__name__
    return None


@cache
def _engine(url: str):
    return create_engine(url.removeprefix(EMBEDDED_PREFIX))


def prune_embedded(celery) -> int:
    """Delete the embedded broker's delivered messages (kombu keeps them, invisible). Returns
    how many; 0 for any other broker."""
    url = celery.conf.broker_url or ""
    if not is_embedded(url) or celery.conf.task_always_eager:
        return 0
    try:
        with _engine(url).begin() as connection:
            result = connection.execute(text("DELETE FROM kombu_message WHERE visible = 0"))
    except SQLAlchemyError as error:  # no table yet, or the file is busy: next sweep
        log.info("embedded broker not pruned (%s)", type(error).__name__)
        return 0
    return result.rowcount or 0
