"""Domain events: what happened, recorded by the services in the session's transaction, and the
subscribers that react to it (pretix's signals, Indico's operations: change, flush, signal).

    events.record("checkin.created", event_id=event.id, registration_id=registration.id)

    @events.subscribe("registration.*", phase="after_commit")
    def _publish_webhooks(event: events.DomainEvent) -> None: ...

Two phases:

- `before_commit`: runs inside the transaction, just before its commit, for every event the
  transaction recorded (also those recorded by other before-commit subscribers). For what must
  be written with the change or not at all: an outbox row, an audit row. A failure fails the
  commit (the change and its consequences are one transaction).
- `after_commit` (the default): runs once the transaction has committed, never for one rolled
  back. For what is published about a change: a job (e-mail sending, webhooks, B2B
  notifications). The session cannot be used there (SQLAlchemy refuses SQL in the commit's
  hook): publish a job with `eventapp.jobs.dispatch.after_commit(name, *ids)`, which runs in
  its own session. A subscriber that fails is logged; the others still run, and the request
  still answers.

Savepoints: an event recorded inside `db.session.begin_nested()` is kept when the savepoint is
released and dropped with it when it is rolled back.

Names are declared in NAMES (a typo in a name or a pattern fails at once); a payload holds ids
and plain values (numbers, short codes), never personal data nor model objects: it may travel
to a worker or, later, to a webhook.

This module imports nothing from the project but the session (`eventapp.extensions.db`).
"""

from __future__ import annotations

import fnmatch
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

from eventapp.extensions import db

log = logging.getLogger(__name__)

Phase = Literal["before_commit", "after_commit"]
PHASES = ("before_commit", "after_commit")

# Every event a service may record. Add a name here (and say where it is recorded in
# DEVELOPERS.md) before recording it.
NAMES = frozenset(
    {
        "registration.created",
        "registration.cancelled",
        "registration.promoted",
        "registration.offered",
        "registration.offer_declined",
        "registration.offer_expired",
        "registration.reconfirmed",
        "registration.moved",
        "registration.updated",
        "checkin.created",
        "checkin.undone",
        "event.created",
        "event.updated",
        "event.published",
        "event.unpublished",
        "event.cancelled",
        "event.capacity_changed",
        "mailing.sent",
        "payment.received",
        "payment.released",
        "payment.refunded",
        "booking.created",
        "booking.cancelled",
        "attendees.imported",
        "attendees.exported",
        "registration.erased",
        "privacy.purged",
        "b2b.request_sent",
        "b2b.request_accepted",
        "b2b.request_declined",
        "b2b.request_cancelled",
        "b2b.schedule_requested",
        "b2b.meeting_changed",
    }
)
_PLAIN = (int, str, bool, float, type(None))
_KEY = "domain_events"


@dataclass(frozen=True)
class DomainEvent:
    name: str
    payload: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]


@dataclass(frozen=True)
class Subscription:
    pattern: str
    handler: Callable[[DomainEvent], Any]
    phase: Phase

    def matches(self, name: str) -> bool:
        return self.pattern == name or fnmatch.fnmatchcase(name, self.pattern)


# Process-wide, like signals: subscribers are declared at import (init_app of their module).
_subscriptions: tuple[Subscription, ...] = ()
_lock = threading.Lock()


def _check_pattern(pattern: str) -> None:
    if not any(fnmatch.fnmatchcase(name, pattern) for name in NAMES):
        raise ValueError(f"no domain event matches {pattern!r} (see eventapp.events.NAMES)")


def subscribe(pattern: str, handler: Callable | None = None, *, phase: Phase = "after_commit"):
    """Call `handler(event)` for every recorded event whose name matches `pattern` (a name, or
    a shell pattern: "registration.*", "*"), in `phase`. Usable as a decorator. Subscribing
    the same handler twice to the same pattern and phase is a no-op."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}")
    _check_pattern(pattern)

    def add(func):
        global _subscriptions
        subscription = Subscription(pattern, func, phase)
        with _lock:
            if subscription not in _subscriptions:
                _subscriptions = (*_subscriptions, subscription)
        return func

    return add(handler) if handler is not None else add


def unsubscribe(handler: Callable) -> None:
    global _subscriptions
    with _lock:
        _subscriptions = tuple(s for s in _subscriptions if s.handler is not handler)


def record(name: str, **payload: Any) -> DomainEvent:
    """Record that `name` happened, in the current transaction (see the module docstring).
    Call it after the flush that gave the objects their ids."""
    if name not in NAMES:
        raise ValueError(f"unknown domain event {name!r} (declare it in eventapp.events.NAMES)")
    for key, value in payload.items():
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(v, _PLAIN) for v in values):
            raise TypeError(f"{name}: payload {key!r} must hold ids or plain values")
    event = DomainEvent(name, MappingProxyType(dict(payload)))
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # no SQL: the transaction begins with its first statement
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append(_Pending(event, owner))
    return event


@dataclass
class _Pending:
    event: DomainEvent
    owner: SessionTransaction  # the innermost transaction it was recorded in
    before_done: bool = False


def _run(event: DomainEvent, phase: Phase) -> None:
    for subscription in _subscriptions:
        if subscription.phase != phase or not subscription.matches(event.name):
            continue
        if phase == "before_commit":
            subscription.handler(event)  # part of the transaction: a failure fails the commit
            continue
        try:
            subscription.handler(event)
        except Exception:
            log.exception(
                "subscriber %s of %s failed",
                getattr(subscription.handler, "__qualname__", subscription.handler),
                event.name,
            )


def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: its events wait for the real commit
    pending = session.info.get(_KEY)
    if not pending:
        return
    # By index: a before-commit subscriber may record more events, which run too.
    index = 0
    while index < len(pending):
        item = pending[index]
        if not item.before_done:
            item.before_done = True
            _run(item.event, "before_commit")
        index += 1


def _after_commit(session: Session) -> None:
    released = session.get_nested_transaction()
    pending = session.info.get(_KEY)
    if not pending:
        return
    if released is not None:
        # RELEASE SAVEPOINT: its events now belong to the transaction around it.
        parent = released.parent
        for item in pending:
            if item.owner is released:
                item.owner = parent
        return
    session.info[_KEY] = []
    for item in pending:
        _run(item.event, "after_commit")


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A transaction (or savepoint) that ends with its events still attached was rolled back
    # or closed without a commit: they never happened.
    pending = session.info.get(_KEY)
    if pending:
        session.info[_KEY] = [item for item in pending if item.owner is not transaction]


def pending(session: Session | None = None) -> list[DomainEvent]:
    """The events recorded in the current transaction and not committed yet."""
    session = session or db.session()
    return [item.event for item in session.info.get(_KEY, [])]


@contextmanager
def capture(pattern: str = "*") -> Iterator[list[DomainEvent]]:
    """Test helper: the events matching `pattern` that were committed while the block ran (in
    any thread: a live server's requests too), in order."""
    seen: list[DomainEvent] = []

    def _keep(event: DomainEvent) -> None:
        seen.append(event)

    subscribe(pattern, _keep)
    try:
        yield seen
    finally:
        unsubscribe(_keep)


def init_app(app) -> None:
    # db.session is shared by every app built in this process: listen once.
    if not sa_event.contains(db.session, "after_commit", _after_commit):
        sa_event.listen(db.session, "before_commit", _before_commit)
        sa_event.listen(db.session, "after_commit", _after_commit)
        sa_event.listen(db.session, "after_transaction_end", _after_transaction_end)
