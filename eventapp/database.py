"""Engine and session set-up, and the one place that knows how to serialise a write.

SQLite: WAL journal, foreign keys on, a busy timeout, and we issue BEGIN ourselves (the pysqlite
driver's own transaction handling is switched off, as SQLAlchemy's docs recommend). Requests
that may write (anything but GET/HEAD/OPTIONS) and code inside `write_transaction()` start with
BEGIN IMMEDIATE: it takes SQLite's single write lock up front, so two registrations can never
read the same seat count. Everything else (page reads, tests' own queries) uses a deferred BEGIN
and never blocks a writer.

PostgreSQL: lock_event_row() issues SELECT ... FOR UPDATE on the event row.

Sessions are scoped to the request when there is one (else to the app context), so a request
never shares a session with code that pushed an app context around it (tests, CLI).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import globals as flask_globals
from flask import has_request_context, request
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent: ContextVar[bool] = ContextVar("eventapp_write_intent", default=False)


def session_scope() -> int:
    """Scope function for Flask-SQLAlchemy's scoped session."""
    request_ctx = flask_globals._cv_request.get(None)
    if request_ctx is not None:
        return id(request_ctx)
    return id(flask_globals._cv_app.get(None))


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = _write_intent.get() or (
            has_request_context() and request.method not in SAFE_METHODS
        )
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        conn.info["sqlite_immediate"] = immediate


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a unit of work that changes seats outside a request (CLI, tests, scripts): ends any
    open transaction, starts one that holds the write lock (SQLite), commits on success and
    rolls back on error, then sends the e-mail it queued (like a request does). Requests do
    not need it: POSTs are write transactions already."""
    from flask import current_app

    from eventapp.extensions import db
    from eventapp.services import mail as mail_service

    if db.session().in_transaction():
        db.session.commit()
    token = _write_intent.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _write_intent.reset(token)
    if current_app.config.get("MAIL_SEND_ON_COMMIT"):
        mail_service.send_ready()


def is_sqlite() -> bool:
    from eventapp.extensions import db

    return db.engine.dialect.name == "sqlite"


def lock_event_row(event_id: int) -> None:
    """Serialise writers on one event until the end of the current transaction.

    PostgreSQL: row lock on the event. SQLite: the transaction must already hold the database
    write lock (BEGIN IMMEDIATE); a deferred transaction here is a bug and is refused.
    """
    from eventapp.extensions import db
    from eventapp.models import Event

    db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    if is_sqlite() and not db.session.connection().info.get("sqlite_immediate"):
        raise RuntimeError(
            "Seat-changing writes on SQLite need a write transaction: run them in a POST "
            "request or inside eventapp.database.write_transaction()."
        )
