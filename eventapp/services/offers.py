"""Waiting-list offers: a freed seat goes to the first person waiting as an offer, not as a
surprise confirmation.

When a seat frees up (a cancellation, a capacity rise, an offer declined or expired), the first
waiting person (oldest first) gets an offer: an e-mail with accept/decline links, valid until a
deadline (`offer_deadline`: the event's `offer_hours`, else 48 h, or 6 h within 3 days of the
event; never past the event's start). Meanwhile the seat is held: a waitlisted registration
with `offer_expires_at` set counts as taken (services/counts.taken_clause). Accepting confirms;
declining or letting the offer expire ends that person's place on the waiting list and offers
the seat to the next person, in the same locked step. An organiser may still promote anyone
directly (services/registrations.promote).

Every change here runs under the event's lock (`lock_event_row`), like the seat rule, so an
accept arriving as the offer expires, two seats freeing at once or a cancellation during an
offer are serialised: whichever takes the lock first wins, the other sees its outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventapp import events as domain_events
from eventapp.database import lock_event_row, write_transaction
from eventapp.extensions import db
from eventapp.models import Event, EventStatus, Registration, RegistrationStatus, User, utcnow
from eventapp.services import audit
from eventapp.services import mail as mail_service
from eventapp.services.counts import free_seats, held_offer_clause
from eventapp.services.errors import ServiceError

DEFAULT_HOURS = 48
SHORT_HOURS = 6
SHORT_WITHIN = timedelta(days=3)
# An offer shorter than this would expire before anybody reads it: the seat is then given at
# once, as before offers existed (an event that has already started, or is about to).
MIN_OFFER = timedelta(hours=1)


class OfferError(ServiceError):
    """An answer to an offer that no longer stands."""

    kind = "offer"

    class Code(StrEnum):
        NO_OFFER = "no_offer"
        EXPIRED = "expired"

    MESSAGES = {
        Code.NO_OFFER: _l("There is no open offer for this registration any more."),
        Code.EXPIRED: _l(
            "This offer has expired: the place has been offered to the next person waiting."
        ),
    }
    STATUS = {Code.NO_OFFER: 409, Code.EXPIRED: 410}


def offer_deadline(event: Event, now: datetime) -> datetime:
    """When an offer made now expires: the event's own period if the organiser set one, else
    48 h, or 6 h within 3 days of the event; never after the event starts."""
    if event.offer_hours:
        hours = event.offer_hours
    elif event.starts_at - now <= SHORT_WITHIN:
        hours = SHORT_HOURS
    else:
        hours = DEFAULT_HOURS
    return min(now + timedelta(hours=hours), event.starts_at)


def has_open_offer(registration: Registration) -> bool:
    return (
        registration.status == RegistrationStatus.WAITLISTED
        and registration.offer_expires_at is not None
    )


def _lock(event: Event) -> None:
    lock_event_row(event.id)
    db.session.refresh(event, attribute_names=["capacity", "status"])


def fill_free_seats(
    event: Event, *, user: User | None = None, now: datetime | None = None
) -> list[Registration]:
    """Give the event's free seats (capacity minus taken) to the people waiting, oldest first:
    each gets an offer and an e-mail. Call only while holding the event's lock. With unlimited
    capacity, or too little time left for an offer (MIN_OFFER), they are confirmed at once.
    Returns the registrations offered or confirmed."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED or event.has_ended(now):
        return []
    query = (
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.created_at, Registration.id)
    )
    if event.capacity is not None:  # unlimited: the offers still open are confirmed too
        query = query.where(Registration.offer_expires_at.is_(None))
    seats = free_seats(event)
    if seats is not None:
        if seats <= 0:
            return []
        query = query.limit(seats)
    chosen = list(db.session.scalars(query))
    deadline = offer_deadline(event, now)
    direct = event.capacity is None or deadline - now < MIN_OFFER
    for registration in chosen:
        if direct:
            registration.status = RegistrationStatus.CONFIRMED
            registration.promoted_at = now
            registration.offer_expires_at = None
        else:
            registration.offered_at = now
            registration.offer_expires_at = deadline
        audit.record(
            "registration.promoted" if direct else "registration.offered",
            user=user,
            actor=None if user else "system",
            event_id=event.id,
            registration_id=registration.id,
            automatic=True,
        )
        mail_service.notify_registration(registration, "promoted" if direct else "offer")
    db.session.flush()
    for registration in chosen:
        if direct:
            domain_events.record(
                "registration.promoted",
                event_id=event.id,
                registration_id=registration.id,
                automatic=True,
            )
        else:
            domain_events.record(
                "registration.offered", event_id=event.id, registration_id=registration.id
            )
    return chosen


def _open_offer_or_raise(registration: Registration, now: datetime) -> None:
    db.session.refresh(registration, attribute_names=["status", "offer_expires_at"])
    if not has_open_offer(registration):
        if registration.offered_at is not None and not registration.is_live:
            raise OfferError(OfferError.Code.EXPIRED)
        raise OfferError(OfferError.Code.NO_OFFER)
    if now >= registration.offer_expires_at:
        raise OfferError(OfferError.Code.EXPIRED)


def accept(registration: Registration, *, now: datetime | None = None) -> None:
    """The person takes the seat held for them: confirmed (with the confirmation e-mail and
    ticket). Refused once the deadline has passed, even if the expiry job has not run yet."""
    now = now or utcnow()
    event = registration.event
    _lock(event)
    _open_offer_or_raise(registration, now)
    registration.status = RegistrationStatus.CONFIRMED
    registration.promoted_at = now
    registration.offer_expires_at = None
    audit.record(
        "registration.offer_accepted",
        actor="participant",
        event_id=event.id,
        registration_id=registration.id,
    )
    mail_service.notify_registration(registration, "promoted")
    db.session.flush()
    domain_events.record(
        "registration.promoted",
        event_id=event.id,
        registration_id=registration.id,
        automatic=False,
    )


def _end_offer(registration: Registration, now: datetime, outcome: str) -> None:
    """The offer is declined or expired: the person leaves the waiting list (they may register
    again); the seat is the next person's (the caller calls fill_free_seats)."""
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    audit.record(
        f"registration.offer_{outcome}",
        actor="participant" if outcome == "declined" else "system",
        event_id=registration.event_id,
        registration_id=registration.id,
    )
    if outcome == "expired":
        mail_service.notify_registration(registration, "offer_expired")


def decline(registration: Registration, *, now: datetime | None = None) -> list[Registration]:
    """The person does not want the seat: their waiting-list place ends and the seat is
    offered to the next person, in the same step. Returns those offered."""
    now = now or utcnow()
    event = registration.event
    _lock(event)
    _open_offer_or_raise(registration, now)
    _end_offer(registration, now, "declined")
    db.session.flush()
    domain_events.record(
        "registration.offer_declined", event_id=event.id, registration_id=registration.id
    )
    return fill_free_seats(event, now=now)


def expire_event(event: Event, *, now: datetime | None = None) -> list[Registration]:
    """End the event's offers past their deadline and offer their seats to the next people, in
    one locked step. Returns the registrations whose offer expired."""
    now = now or utcnow()
    _lock(event)
    due = list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                held_offer_clause(),
                Registration.offer_expires_at <= now,
            )
            .order_by(Registration.offer_expires_at, Registration.id)
        )
    )
    for registration in due:
        _end_offer(registration, now, "expired")
    db.session.flush()
    for registration in due:
        domain_events.record(
            "registration.offer_expired", event_id=event.id, registration_id=registration.id
        )
    if due:
        fill_free_seats(event, now=now)
    return due


def events_with_expired_offers(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Registration.event_id)
            .where(held_offer_clause(), Registration.offer_expires_at <= now)
            .distinct()
            .order_by(Registration.event_id)
        )
    )


def sweep(now: datetime | None = None) -> int:
    """The periodic job's work (eventapp/jobs/tasks.py, `offers.expire`): each event with
    expired offers in its own transaction (one event's lock at a time). Returns how many offers
    expired. A batch: it owns its transactions (write_transaction), like the retention purge."""
    now = now or utcnow()
    with write_transaction():
        event_ids = events_with_expired_offers(now)
    expired = 0
    for event_id in event_ids:
        with write_transaction():
            event = db.session.get(Event, event_id)
            if event is not None:
                expired += len(expire_event(event, now=now))
    return expired
