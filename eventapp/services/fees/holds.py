"""Seat holds of unpaid bookings: a reminder before the deadline, then the release.

`release_due(now)` is run by the periodic job "fees.release" (beat, every
PAYMENT_RELEASE_SECONDS): each overdue booking is released in its own transaction, under its
event's lock; its registrations are cancelled through the seat rule, so the waiting list moves
up at once (services/registrations.cancel). A payment that comes later confirms again when
seats are free (services/fees/payments.record_payment), otherwise it is flagged for refund.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from eventapp import events
from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import BookingPayment, PaymentMethod, PaymentState, Registration, utcnow
from eventapp.services import audit
from eventapp.services.fees import deadlines, notices, pricing
from eventapp.services.fees.payments import cancel_unpaid, lock

RELEASABLE = (PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID)
REMIND_BEFORE = timedelta(days=2)


def overdue_ids(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(BookingPayment.id)
            .where(BookingPayment.state.in_(RELEASABLE), BookingPayment.due_at <= now)
            .order_by(BookingPayment.id)
        )
    )


def release_one(payment_id: int, now: datetime) -> bool:
    """Release one booking's seats if it is still unpaid past its deadline (re-read under the
    event's lock: a payment recorded meanwhile wins). In the caller's transaction."""
    payment = db.session.get(BookingPayment, payment_id)
    if payment is None:
        return False
    lock(payment)
    if payment.state not in RELEASABLE or payment.due_at is None or payment.due_at > now:
        return False
    cancel_unpaid(payment, actor_user=None, reason="released", now=now)
    from eventapp import events as domain_events

    domain_events.record(
        "payment.released", event_id=payment.event_id, booking_id=payment.booking_id
    )
    return True


def release_due(now: datetime | None = None) -> dict:
    """Release every overdue booking, one transaction each; send the reminders due."""
    now = now or utcnow()
    released = 0
    for payment_id in overdue_ids(now):
        with write_transaction():
            released += release_one(payment_id, now)
    reminded = 0
    with write_transaction():
        for payment in db.session.scalars(
            select(BookingPayment).where(
                BookingPayment.state.in_(RELEASABLE),
                BookingPayment.reminded_at.is_(None),
                # A card checkout's hold lasts minutes: the payer is on the provider's page.
                or_(BookingPayment.method.is_(None), BookingPayment.method != PaymentMethod.CARD),
                BookingPayment.due_at > now,
                BookingPayment.due_at <= now + REMIND_BEFORE,
            )
        ):
            payment.reminded_at = now
            notices.notify(payment, "reminder")
            reminded += 1
    return {"released": released, "reminded": reminded}


def choose_transfer(payment: BookingPayment, *, now: datetime | None = None) -> datetime:
    """The booker pays by bank transfer (after a card checkout left unfinished, or to say so):
    the seats are held until the transfer deadline again (deadlines.transfer_deadline), under
    the event's lock like every change to a payment. Returns the deadline. A card payment
    that still arrives from the open checkout is recorded as any payment."""
    from eventapp.services.fees.cards import payable
    from eventapp.services.fees.errors import FeeError

    lock(payment)
    now = now or utcnow()
    if not payable(payment) or payment.due_at <= now:
        # Unpaid past the deadline: the release job frees the seats; nothing to extend.
        raise FeeError(FeeError.Code.NOTHING_DUE)
    deadline = deadlines.transfer_deadline(payment)
    payment.method = PaymentMethod.TRANSFER
    payment.due_at = deadline
    if payment.reminded_at is not None and deadline > now + REMIND_BEFORE:
        payment.reminded_at = None  # a deadline further away: its reminder comes again
    db.session.flush()
    audit.record(
        "payment.transfer_chosen",
        actor="participant",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
    )
    return deadline


@events.subscribe("registration.promoted", phase="before_commit")
def _deadline_when_promoted(event: events.DomainEvent) -> None:
    """Someone moved up from the waiting list of a paid event: their payment now has a
    deadline (the event's transfer delay from now), with the promotion or not at all."""
    registration = db.session.get(Registration, event["registration_id"])
    if registration is None:
        return
    payment = pricing.payment_of_registration(registration)
    if payment is None or payment.state not in RELEASABLE or payment.due_at is not None:
        return
    deadlines.give_transfer_deadline(payment)
    db.session.flush()
