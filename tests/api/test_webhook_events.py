"""Bookings and refunds as webhook events: `booking.created` when a booking is made,
`booking.cancelled` when its last live registration is cancelled (not before), and
`payment.refunded` when a refund is made; each recorded as a domain event by its service
(ids and amounts, no personal data), delivered signed to the endpoints that want it."""

# ruff: noqa: F811 - `congress`, the invoices' fixture, is imported by name

import json

import pytest
from sqlalchemy import select

from eventapp import events
from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import BookingPayment, Registration
from eventapp.services import registrations
from eventapp.services.api import webhooks
from eventapp.services.fees import actions
from tests.api.receiver import receiving
from tests.invoices.conftest import book, booking_of, congress, pay  # noqa: F401


@pytest.fixture
def receiver():
    with receiving() as found:
        yield found


def _listen(org, user, url, *types):
    _endpoint, secret = webhooks.create_endpoint(org, url=url, event_types=list(types), user=user)
    db.session.commit()
    return secret


def _payloads(receiver, secret):
    assert all(webhooks.verify(secret, r.headers, r.body) for r in receiver.received)
    return [json.loads(r.body) for r in receiver.received]


def test_a_booking_made_and_then_cancelled_in_full_is_delivered(congress, receiver):
    org, event, manager = congress["org"], congress["event"], congress["manager"]
    secret = _listen(org, manager, receiver.url, "booking.created", "booking.cancelled")
    with events.capture("booking.*") as seen:
        payment_id = book(event.id, congress["rates"]["academic"].id, people=2)
        booking = booking_of(payment_id)
        first, second = db.session.scalars(
            select(Registration).where(Registration.booking_id == booking.id)
        ).all()
        with write_transaction():
            registrations.cancel(db.session.get(Registration, first.id), user=manager)
        assert [e.name for e in seen] == ["booking.created"]  # one of two still comes
        with write_transaction():
            registrations.cancel(db.session.get(Registration, second.id), user=manager)
    assert [(e.name, e["booking_id"]) for e in seen] == [
        ("booking.created", booking.id),
        ("booking.cancelled", booking.id),
    ]
    payloads = _payloads(receiver, secret)
    assert [p["type"] for p in payloads] == ["booking.created", "booking.cancelled"]
    assert payloads[0]["data"] == {
        "event_id": event.id,
        "booking_id": booking.id,
        "registrations": 2,
    }
    assert payloads[0]["links"]["attendees"].endswith(f"/api/v1/events/{event.id}/attendees")
    body = b"".join(r.body for r in receiver.received).decode().lower()
    assert "curie" not in body and "@" not in body  # ids, not personal data


def test_a_refund_is_delivered_with_its_amount(congress, receiver):
    org, event, manager = congress["org"], congress["event"], congress["manager"]
    payment_id = book(event.id, congress["rates"]["academic"].id)
    pay(payment_id, manager)
    secret = _listen(org, manager, receiver.url, "payment.refunded")
    with write_transaction():
        actions.refund(db.session.get(BookingPayment, payment_id), 5000, user=manager)
    [payload] = _payloads(receiver, secret)
    assert payload["type"] == "payment.refunded"
    assert payload["data"]["payment_id"] == payment_id
    assert payload["data"]["amount_cents"] == 5000
    assert payload["data"]["state"] == "partly_refunded"
    assert payload["links"]["payments"].endswith(f"/api/v1/events/{event.id}/payments")


def test_a_refused_refund_delivers_nothing(congress, receiver):
    org, event, manager = congress["org"], congress["event"], congress["manager"]
    payment_id = book(event.id, congress["rates"]["academic"].id)
    pay(payment_id, manager)
    _listen(org, manager, receiver.url, "payment.refunded")
    with pytest.raises(actions.FeeError), write_transaction():
        actions.refund(db.session.get(BookingPayment, payment_id), 0, user=manager)
    assert receiver.received == []
