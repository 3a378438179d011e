"""The services record what happened as domain events (eventapp/events.py), delivered once the
change is committed: registrations, check-ins, events' status, imports, exports, mailings,
erasure. A refused change (ServiceError, rolled back) delivers nothing."""

import pytest
from sqlalchemy import select

from eventapp import events
from eventapp.database import write_transaction
from eventapp.models import AuditLog, Event, Registration
from eventapp.services import checkin
from eventapp.services import events as event_service
from eventapp.services import registrations as registration_service
from eventapp.services.registrations import Participant, RegistrationError


def person(email="ada@example.org"):
    return Participant(first_name="Ada", last_name="Lovelace", email=email, category="academic")


def names(seen):
    return [e.name for e in seen]


def test_a_registration_and_its_cancellation_offer_the_seat_to_the_next_in_line(db, factory):
    event = factory.event(capacity=1)
    first = factory.registration(event)
    waiting = factory.registration(event, status="waitlisted")
    db.session.commit()
    with events.capture("registration.*") as seen:
        with write_transaction():
            [outcome] = registration_service.register([event], person())
        with write_transaction():
            registration_service.cancel(db.session.get(Registration, first.id))
    assert [(e.name, e["registration_id"]) for e in seen] == [
        ("registration.created", outcome.registration.id),
        ("registration.cancelled", first.id),
        ("registration.offered", waiting.id),
    ]
    assert seen[0]["status"] == "waitlisted" and seen[0]["event_id"] == event.id
    assert seen[1]["previous_status"] == "confirmed"
    assert seen[2]["event_id"] == event.id


def test_a_refused_registration_delivers_nothing(db, factory):
    event = factory.event(capacity=1)
    factory.registration(event)
    waiting = factory.registration(event, status="waitlisted")
    user = factory.user(factory.organisation())
    db.session.commit()
    with events.capture() as seen, pytest.raises(RegistrationError), write_transaction():
        registration_service.promote(db.session.get(Registration, waiting.id), user=user)
    assert seen == []


def test_check_in_and_its_undo(db, factory):
    event = factory.event()
    registration = factory.registration(event)
    user = factory.user(factory.organisation())
    db.session.commit()
    with events.capture("checkin.*") as seen:
        with write_transaction():
            checkin.check_in(event, registration, user=user, desk="Desk 1")
        with write_transaction():
            checkin.check_in(event, registration, user=user, desk="Desk 2")  # already: nothing
        with write_transaction():
            checkin.undo(event, registration, user=user)
    assert [(e.name, e["registration_id"], e["event_id"]) for e in seen] == [
        ("checkin.created", registration.id, event.id),
        ("checkin.undone", registration.id, event.id),
    ]


def test_an_event_published_unpublished_then_cancelled(db, factory):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org], status="draft")
    db.session.commit()
    with events.capture("event.*") as seen:
        with write_transaction():
            event_service.publish(db.session.get(Event, event.id), user=user)
        with write_transaction():
            event_service.unpublish(db.session.get(Event, event.id), user=user)
        with write_transaction():
            event_service.cancel_event(db.session.get(Event, event.id), user=user)
    assert names(seen) == ["event.published", "event.unpublished", "event.cancelled"]
    assert all(e["event_id"] == event.id for e in seen)


def test_a_capacity_rise_records_the_change_and_the_offer(db, factory):
    event = factory.event(capacity=1)
    factory.registration(event)
    waiting = factory.registration(event, status="waitlisted")
    db.session.commit()
    with events.capture() as seen, write_transaction():
        registration_service.change_capacity(db.session.get(Event, event.id), 2, user=None)
    assert names(seen) == ["event.capacity_changed", "registration.offered"]
    assert seen[0]["previous"] == 1 and seen[0]["capacity"] == 2
    assert seen[1]["registration_id"] == waiting.id


def test_payloads_hold_no_personal_data(db, factory):
    event = factory.event()
    db.session.commit()
    with events.capture() as seen, write_transaction():
        registration_service.register([event], person("grace@example.org"))
    assert seen
    for event_seen in seen:
        assert "grace" not in repr(dict(event_seen.payload)).lower()


def test_the_audit_log_subscribes_to_check_ins_and_follows_their_transaction(db, factory):
    event = factory.event()
    registration = factory.registration(event)
    user = factory.user(factory.organisation())
    db.session.commit()
    with pytest.raises(RuntimeError), write_transaction():
        checkin.check_in(event, registration, user=user, desk="Desk 1")
        raise RuntimeError("the request failed after the check-in")
    assert db.session.scalars(select(AuditLog.action)).all() == []  # rolled back: no line
    with write_transaction():
        checkin.check_in(event, registration, user=user, desk="Desk 1")
        checkin.undo(event, registration, user=user)
    lines = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(a.action, a.user_id, a.registration_id, a.details["desk"]) for a in lines] == [
        ("registration.checked_in", user.id, registration.id, "Desk 1"),
        ("registration.checkin_undone", user.id, registration.id, "Desk 1"),
    ]
