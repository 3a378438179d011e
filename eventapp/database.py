"""Engine and session set-up, and the one place that knows how to serialise a write.

SQLite: WAL journal, foreign keys on, a busy timeout, and we issue BEGIN ourselves (the pysqlite
driver's own transaction handling is switched off, as SQLAlchemy's docs recommend). Requests
that may write (anything but GET/HEAD/OPTIONS) and code inside `write_transaction()` start with
BEGIN IMMEDIATE: it takes SQLite's single write lock up front, so two registrations can never
read the same seat count. Everything else (page reads, tests' own queries) uses a deferred BEGIN
and never blocks a writer.

A view marked `@read_first` (the public registration form) reads and validates without the
lock: its POST starts with a deferred BEGIN, and lock_event_row() ends that read-only
transaction and starts a BEGIN IMMEDIATE one. SQLite has one write lock for the whole
database, so holding it only for the seat check and the writes (not for parsing, validating and
rendering) is what lets a registration rush use both workers. A read-first view that writes
anything before lock_event_row() is a bug and is refused.

PostgreSQL: lock_event_row() issues SELECT ... FOR UPDATE on the event row.

Sessions are scoped to the request when there is one (else to the app context), so a request
never shares a session with code that pushed an app context around it (tests, CLI).

Transactions: the request owns its transaction (Indico's rule). `finish_request()` (called by
eventapp.webapp.EventApp once the view has returned) commits once if the answer is not an error
(status < 400) and rolls back otherwise; an exception rolls back (`rollback_request()`, before
any error handler runs). Views and services never commit: services flush. The units of work
that must commit on their own say so with `own_transaction()` (the mail sender's claim and each
send's outcome, a failed-login counter, a CLI batch); `write_transaction()`
is the same for CLI commands and tests that may have an open transaction to commit first.
Once the request's transaction is over, what the request still does (render an error page,
stream an export) only reads: on SQLite its transactions begin deferred.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.engine import Engine

from eventapp.jobs import dispatch

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent: ContextVar[bool] = ContextVar("eventapp_write_intent", default=False)
_read_intent: ContextVar[bool] = ContextVar("eventapp_read_intent", default=False)
_READ_FIRST = "_sqlite_read_first"
_READ_ONLY_PREFIXES = ("SELECT", "BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK")
# request.environ key: the request's own transaction has ended (committed or rolled back).
_REQUEST_DONE = "eventapp.transaction_done"
# How far the request's commit went ("started", "done"): the error page says honestly whether
# what was sent is saved (errors.outage_message).
_COMMIT = "eventapp.commit"
# session.info key: the current transaction has written (flushed or run an ORM UPDATE/DELETE).
_WROTE = "eventapp_wrote"


def read_first(view: Callable) -> Callable:
    """Mark a view that reads and validates before it changes seats: on SQLite its POST holds
    the write lock only from lock_event_row() to the commit (see the module docstring). Put it
    right under the route decorator."""
    setattr(view, _READ_FIRST, True)
    return view


def _read_first_request() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, _READ_FIRST, False)


def _wants_write_lock() -> bool:
    if _write_intent.get():
        return True
    if _read_intent.get():
        return False
    if not has_request_context() or request.method in SAFE_METHODS:
        return False
    if request.environ.get(_REQUEST_DONE):
        return False
    return not _read_first_request() or g.get("sqlite_write_lock", False)


def session_scope() -> int:
    """Scope function for Flask-SQLAlchemy's scoped session: the request (its Request object,
    which lives as long as the request), else the app context (its `g`, one per context).
    `_get_current_object()` is the public API of Werkzeug's context proxies."""
    if has_request_context():
        return id(request._get_current_object())
    if has_app_context():
        return id(g._get_current_object())
    return 0


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    sa_event.listen(engine, "commit", _on_commit_sent)
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

    # One writer at a time per process (gthread workers): threads queue on a lock here and
    # only one of them polls SQLite's lock (see _begin_immediate). Released when the
    # transaction ends (or, at worst, when the connection goes back to the pool).
    writers = threading.Lock()

    def _release(info) -> None:
        if info.pop("sqlite_writer", None):
            writers.release()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = _wants_write_lock()
        if immediate:
            if writers.acquire(timeout=busy_timeout_ms / 1000):
                conn.info["sqlite_writer"] = True
            try:
                _begin_immediate(conn, busy_timeout_ms)
            except BaseException:
                _release(conn.info)
                raise
        else:
            conn.exec_driver_sql("BEGIN")
        conn.info["sqlite_immediate"] = immediate
        conn.info["sqlite_wrote"] = False

    @sa_event.listens_for(engine, "commit")
    @sa_event.listens_for(engine, "rollback")
    def _on_end(conn):
        _release(conn.info)

    @sa_event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        _release(record.info)

    @sa_event.listens_for(engine, "before_cursor_execute")
    def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany):
        # A deferred transaction that writes cannot be traded for a locked one (see
        # _take_write_lock): remember that it did.
        if not conn.info.get("sqlite_immediate") and not statement.lstrip()[:9].upper().startswith(
            _READ_ONLY_PREFIXES
        ):
            conn.info["sqlite_wrote"] = True


def _on_commit_sent(_conn) -> None:
    """The request's COMMIT goes to the database only now: a failure in the flush that
    session.commit() runs first (its before-commit subscribers' rows) saved nothing."""
    if has_request_context() and request.environ.get(_COMMIT) == "flushing":
        wrote = bool(_db().session().info.get(_WROTE))
        request.environ[_COMMIT] = "started" if wrote else None


def _begin_immediate(conn, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock by short polls instead of SQLite's own busy
    handler, whose sleeps grow to 100 ms: under a rush the lock is held a few milliseconds at a
    time and a writer sleeping 10, 20, 50 ms past its release leaves the workers idle. Same
    deadline as the busy timeout; the last try goes through SQLAlchemy, so an error past it is
    the usual OperationalError ("database is locked")."""
    dbapi_connection = conn.connection.dbapi_connection
    deadline = time.monotonic() + busy_timeout_ms / 1000
    delay = 0.0002
    dbapi_connection.execute("PRAGMA busy_timeout = 0")
    try:
        while time.monotonic() < deadline:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    break
            time.sleep(delay)
            delay = min(delay * 1.5, 0.002)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")


def _db():
    from eventapp.extensions import db  # extensions imports this module

    return db


def _wrote(session) -> bool:
    """Whether the transaction in progress has changes: pending objects, a flush, an ORM
    INSERT/UPDATE/DELETE statement (text() SQL is not seen: don't write with it)."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def _end_read_transaction(session) -> None:
    """End the transaction in progress, which has only read: its objects stay as read."""
    if not session.in_transaction():
        return
    session.expire_on_commit = False
    try:
        session.commit()  # nothing to write: ends the read (and releases SQLite's lock)
    finally:
        session.expire_on_commit = True


@contextmanager
def _unit_of_work() -> Iterator[None]:
    session = _db().session
    token = _write_intent.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _write_intent.reset(token)
        if not has_request_context():
            dispatch.flush()  # a request's jobs wait for its response


def end_read() -> None:
    """End the transaction in progress, which has only read (its objects stay as read): before
    work that takes transactions of its own (a mail batch, the purge) or before a long wait,
    so no read transaction stays open meanwhile. RuntimeError if it has written: its changes
    belong to the request (or to a write_transaction())."""
    session = _db().session()
    if _wrote(session):
        raise RuntimeError("end_read() in a transaction that has written: commit it properly")
    _end_read_transaction(session)


@contextmanager
def own_transaction() -> Iterator[None]:
    """A unit of work that commits on its own, whatever becomes of the request or job around
    it: the mail sender's claim and each send's outcome, a failed-login counter, a batch
    of a CLI command or of the purge. The transaction in progress must not have written
    anything (RuntimeError: its changes belong to the request, which commits them once); it
    is ended (its objects kept as read) and the block runs in a transaction of its own, with
    the write lock on SQLite, committed at the end (rolled back on error, which propagates).
    Its domain events' after-commit subscribers run at its commit; outside a request the jobs
    it queued are published when it ends (in a request, after the response)."""
    session = _db().session()
    if _wrote(session):
        raise RuntimeError(
            "own_transaction() inside a transaction that has written: its changes would be "
            "committed with it. Take the own transaction first, or let the request commit."
        )
    _end_read_transaction(session)
    with _unit_of_work():
        yield


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a unit of work that changes seats outside a request (CLI, tests, scripts): commits
    any open transaction, starts one that holds the write lock (SQLite), commits on success and
    rolls back on error, then publishes the jobs its commit queued (the e-mail it queued is
    sent by a worker, like a request's). Requests do not use it: the request's transaction is
    a write transaction already, and what must commit on its own uses own_transaction()."""
    session = _db().session
    if session().in_transaction():
        session.commit()
    with _unit_of_work():
        yield


def finish_request(status: int) -> None:
    """The end of the request's own transaction, once the view has returned: commit if the
    answer is not an error, else roll back. The objects are not expired: the page is built
    and the session is thrown away with the request."""
    session = _db().session()
    try:
        if status >= 400:
            session.rollback()
        else:
            session.expire_on_commit = False
            # "flushing" until the COMMIT is sent (configure_engine: "started" if it writes)
            request.environ[_COMMIT] = "flushing"
            try:
                session.commit()
            finally:
                session.expire_on_commit = True
                if request.environ[_COMMIT] == "flushing":
                    request.environ[_COMMIT] = None  # nothing was sent to be committed
            if request.environ[_COMMIT]:
                request.environ[_COMMIT] = "done"
    finally:
        request.environ[_REQUEST_DONE] = True


def commit_state() -> str | None:
    """How far this request's commit of its writes went: None (no write committed or tried),
    "started" (the commit was sent: it may or may not have happened), "done"."""
    return request.environ.get(_COMMIT) if has_request_context() else None


def rollback_request() -> None:
    """The view raised: nothing it did is kept, before any error handler answers. A rollback
    that fails (the database is gone) is logged: the handler of the original error answers."""
    request.environ[_REQUEST_DONE] = True
    try:
        _db().session.rollback()
    except Exception as error:  # noqa: BLE001 - the original error is the one to answer
        log.warning("rollback failed: %s", type(error).__name__)


def _note_orm_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _note_flush(session, _flush_context) -> None:
    session.info[_WROTE] = True


def _forget_writes(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def init_session(session) -> None:
    """Track whether the transaction in progress wrote (own_transaction refuses if so)."""
    if not sa_event.contains(session, "after_flush", _note_flush):
        sa_event.listen(session, "after_flush", _note_flush)
        sa_event.listen(session, "do_orm_execute", _note_orm_write)
        sa_event.listen(session, "after_transaction_end", _forget_writes)


@contextmanager
def read_only() -> Iterator[None]:
    """Transactions begun inside are plain reads (deferred BEGIN on SQLite) even in a POST: for
    work that only reads, like rendering and sending an e-mail. Roll back or commit before
    leaving; writing inside is a bug."""
    token = _read_intent.set(True)
    try:
        yield
    finally:
        _read_intent.reset(token)


def is_sqlite() -> bool:
    return _db().engine.dialect.name == "sqlite"


def _take_write_lock() -> None:
    """SQLite, in a read-first request: end the read-only transaction (if any) so that the next
    statement begins with BEGIN IMMEDIATE. Refused if anything was written meanwhile. The
    objects read so far are kept as read (not expired): what the seat rule decides on
    (capacity, status, counts, duplicates) is read again under the lock by its caller."""
    from eventapp.extensions import db

    if not has_request_context() or request.method in SAFE_METHODS or not _read_first_request():
        return
    session = db.session()
    if session.in_transaction():
        info = session.connection().info
        if info.get("sqlite_immediate"):
            return
        if session.new or session.dirty or session.deleted or info.get("sqlite_wrote"):
            raise RuntimeError(
                "A read-first view wrote before lock_event_row(): take the lock first."
            )
        session.expire_on_commit = False
        try:
            session.commit()  # nothing to write: ends the read transaction
        finally:
            session.expire_on_commit = True
    g.sqlite_write_lock = True


def lock_event_row(event_id: int) -> None:
    """Serialise writers on one event until the end of the current transaction.

    PostgreSQL: row lock on the event. SQLite: the transaction must hold the database write
    lock (BEGIN IMMEDIATE): POST requests and write_transaction() do from their first
    statement, read-first views from here on; a deferred transaction is a bug and is refused.
    """
    from eventapp.extensions import db
    from eventapp.models import Event

    if is_sqlite():
        _take_write_lock()
        db.session.connection()  # begins the transaction (BEGIN IMMEDIATE); no FOR UPDATE here
    else:
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    if is_sqlite() and not db.session.connection().info.get("sqlite_immediate"):
        raise RuntimeError(
            "Seat-changing writes on SQLite need a write transaction: run them in a POST "
            "request or inside eventapp.database.write_transaction()."
        )
