"""Database constraints and types, proven against the real database."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from eventapp.models import Event, Registration


def test_one_live_registration_per_event_and_email_is_a_database_constraint(db, factory):
    event = factory.event()
    factory.registration(event, email="camille@example.org")
    db.session.add(
        Registration(
            event_id=event.id,
            first_name="C",
            last_name="M",
            email="camille@example.org",
            category="biotech",
            status="waitlisted",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_cancelled_registration_does_not_block_a_new_one(db, factory):
    event = factory.event()
    factory.registration(event, email="camille@example.org", status="cancelled")
    factory.registration(event, email="camille@example.org", status="confirmed")
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    assert sorted(r.status for r in rows) == ["cancelled", "confirmed"]


def test_the_same_email_may_register_for_two_events(db, factory):
    first, second = factory.event(), factory.event()
    factory.registration(first, email="camille@example.org")
    factory.registration(second, email="camille@example.org")
    emails = select(Registration.event_id).where(Registration.email == "camille@example.org")
    assert sorted(db.session.scalars(emails)) == sorted([first.id, second.id])


def test_datetimes_come_back_timezone_aware_in_utc(db, factory):
    paris_time = datetime(2026, 12, 15, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    event = factory.event(starts_at=paris_time, ends_at=paris_time + timedelta(hours=8))
    db.session.expire_all()
    loaded = db.session.get(Event, event.id)
    assert loaded.starts_at == paris_time
    assert loaded.starts_at.tzinfo is not None
    assert loaded.starts_at.utcoffset() == timedelta(0)
    assert loaded.starts_at.hour == 8


def test_naive_datetimes_are_refused(db, factory):
    event = factory.event()
    event.starts_at = datetime(2026, 12, 15, 9, 0)
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_registration_tokens_are_long_random_and_unique(factory):
    event = factory.event()
    tokens = {factory.registration(event).manage_token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) >= 40 for token in tokens)


def test_unknown_enum_values_are_refused(db, factory):
    event = factory.event()
    event.status = "archived"
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_timestamps_default_to_now(factory):
    event = factory.event()
    assert abs(event.created_at - datetime.now(UTC)) < timedelta(minutes=1)
