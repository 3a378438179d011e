"""Domain events: recorded in the transaction, handed to after-commit subscribers only once it
has committed (never for a rollback, a savepoint rolled back drops its own), before-commit
subscribers write in the same transaction, a failing subscriber breaks nothing else."""

import logging

import pytest
from sqlalchemy import select, text

from eventapp import events
from eventapp.database import write_transaction
from eventapp.models import AuditLog
from tests.core.conftest import actions


@pytest.fixture
def subscribed():
    """subscribed(pattern, handler, phase=...): subscribed for this test only."""
    added = []

    def add(pattern, handler, phase="after_commit"):
        events.subscribe(pattern, handler, phase=phase)
        added.append(handler)
        return handler

    yield add
    for handler in added:
        events.unsubscribe(handler)


def test_after_commit_subscribers_run_after_the_commit_only(db, subscribed):
    seen = []
    subscribed("event.*", lambda event: seen.append((event.name, dict(event.payload))))
    with write_transaction():
        db.session.add(AuditLog(action="x", actor="test"))
        events.record("event.published", event_id=7)
        assert seen == []  # recorded, not delivered: the transaction may still fail
    assert seen == [("event.published", {"event_id": 7})]


def test_a_rolled_back_transaction_delivers_nothing(db, subscribed):
    seen = []
    subscribed("*", seen.append)
    with pytest.raises(RuntimeError), write_transaction():
        events.record("event.cancelled", event_id=7)
        raise RuntimeError("no")
    events.record("event.cancelled", event_id=8)
    db.session.rollback()
    db.session.commit()
    assert seen == []
    assert events.pending() == []


def test_a_savepoint_rolled_back_drops_its_events_and_a_released_one_keeps_them(db):
    # Names without a subscriber: check-ins have one (the audit log), which would write rows.
    with events.capture() as seen, write_transaction():
        events.record("registration.updated", registration_id=1)
        with db.session.begin_nested():
            events.record("registration.updated", registration_id=2)
        savepoint = db.session.begin_nested()
        events.record("registration.updated", registration_id=3)
        with db.session.begin_nested():
            events.record("registration.moved", registration_id=4)
        savepoint.rollback()
        events.record("registration.moved", registration_id=5)
    assert [(e.name, e["registration_id"]) for e in seen] == [
        ("registration.updated", 1),
        ("registration.updated", 2),
        ("registration.moved", 5),
    ]


def test_before_commit_subscribers_write_in_the_same_transaction(db, subscribed):
    def audit(event):
        db.session.add(AuditLog(action=f"audit:{event.name}", actor="test"))

    subscribed("event.*", audit, phase="before_commit")
    with write_transaction():
        events.record("event.published", event_id=1)
    assert actions() == ["audit:event.published"]
    with pytest.raises(RuntimeError), write_transaction():
        events.record("event.published", event_id=1)
        raise RuntimeError("no")
    assert actions() == ["audit:event.published"]  # nothing for the rolled-back one


def test_a_failing_before_commit_subscriber_fails_the_commit(db, subscribed):
    def broken(_event):
        raise ValueError("outbox unavailable")

    subscribed("event.published", broken, phase="before_commit")
    with pytest.raises(ValueError), write_transaction():
        db.session.add(AuditLog(action="change", actor="test"))
        events.record("event.published", event_id=1)
    assert actions() == []


def test_a_failing_after_commit_subscriber_is_logged_and_the_others_run(db, subscribed, caplog):
    seen = []

    def broken(_event):
        raise ValueError("webhook down")

    subscribed("event.*", broken)
    subscribed("event.*", seen.append)
    with caplog.at_level(logging.ERROR, logger="eventapp.events"), write_transaction():
        events.record("event.published", event_id=1)
    assert [e.name for e in seen] == ["event.published"]
    assert "subscriber" in caplog.text and "webhook down" in caplog.text


def test_a_failing_subscriber_does_not_break_the_request(probe, subscribed):
    seen = []

    def broken(_event):
        raise ValueError("webhook down")

    subscribed("event.updated", broken)
    subscribed("event.updated", seen.append)
    response = probe.post("/probe/write")
    assert response.status_code == 200 and response.json == {"ok": "probe.write"}
    assert actions() == ["probe.write"] and len(seen) == 1


def test_in_a_request_subscribers_run_after_its_commit_and_not_for_an_error(
    probe, probe_app, subscribed
):
    from eventapp.extensions import db

    with probe_app.app_context():
        engine = db.engine
    visible = []

    def check(_event):
        # From another connection: the change is committed when the subscriber runs.
        with engine.connect() as other:
            visible.append(other.execute(text("SELECT count(*) FROM audit_log")).scalar())

    subscribed("event.updated", check)
    assert probe.post("/probe/write?then=status").status_code == 400
    assert probe.post("/probe/write?then=service").status_code == 409
    assert visible == []
    assert probe.post("/probe/write").status_code == 200
    assert visible == [1]


def test_names_patterns_and_payloads_are_checked():
    with pytest.raises(ValueError, match="unknown domain event"):
        events.record("registration.creatd", registration_id=1)
    with pytest.raises(ValueError, match="no domain event matches"):
        events.subscribe("registraton.*", print)
    with pytest.raises(ValueError, match="phase"):
        events.subscribe("registration.*", print, phase="later")
    with pytest.raises(TypeError, match="ids or plain values"):
        events.record("event.published", event=object())


def test_capture_sees_committed_events_in_order(db):
    with events.capture("registration.*") as seen:
        with write_transaction():
            events.record("registration.created", registration_id=1, event_id=2)
            events.record("event.published", event_id=2)
        with pytest.raises(RuntimeError), write_transaction():
            events.record("registration.cancelled", registration_id=1)
            raise RuntimeError("no")
    assert [(e.name, e["registration_id"]) for e in seen] == [("registration.created", 1)]
    assert db.session.scalar(select(AuditLog.id)) is None
