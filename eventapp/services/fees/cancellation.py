"""Self-service cancellation of a paid registration: the event's policy says what is refunded
(everything until `full_refund_until`, then `late_refund_percent` of it); the refund is
recorded through the provider (a card) or as a bank refund to do. An unpaid registration just
stops being owed: its line leaves the booking's total (and frees its place at that rate)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    BookingLine,
    Event,
    PaymentState,
    PriceCategory,
    Registration,
    RegistrationStatus,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.fees import pricing
from eventapp.services.fees.actions import refund, refundable_cents
from eventapp.services.fees.payments import lock
from eventapp.services.invoicing import issuing as invoicing
from eventapp.services.invoicing.records import attendee_name


def _payment_and_line(registration: Registration):
    """The payment pricing the registration and its line. A tour pass is one line per person:
    it is the registration's only while it is the person's last live stage of the booking (so
    cancelling one stage of a pass refunds nothing and leaves the pass owed)."""
    payment = pricing.payment_of_registration(registration)
    if payment is None:
        return None, None
    line = db.session.scalar(
        select(BookingLine).where(
            BookingLine.payment_id == payment.id, BookingLine.registration_id == registration.id
        )
    )
    if payment.event_id == registration.event_id:
        return payment, line
    category = db.session.get(PriceCategory, payment.price_category_id or 0)
    if category is None or category.per_stage:
        return payment, line
    same_person = select(Registration.id).where(
        Registration.booking_id == registration.booking_id,
        Registration.email == registration.email,
        Registration.event_id.in_(pricing.covered_event_ids(payment)),
    )
    others_live = db.session.scalar(
        same_person.where(
            Registration.id != registration.id,
            Registration.status != RegistrationStatus.CANCELLED,
        ).limit(1)
    )
    if others_live is not None:
        return payment, None
    line = db.session.scalar(
        select(BookingLine).where(
            BookingLine.payment_id == payment.id,
            BookingLine.registration_id.in_(same_person),
        )
    )
    return payment, line


def has_paid(registration: Registration) -> bool:
    payment, _line = _payment_and_line(registration)
    return payment is not None and payment.paid_cents > 0


def refund_on_cancel(registration: Registration, now: datetime | None = None) -> int:
    """What cancelling this registration now refunds, in cents (0 when nothing was paid)."""
    payment, line = _payment_and_line(registration)
    if payment is None or line is None or payment.paid_cents == 0:
        return 0
    settings = pricing.settings_of(db.session.get(Event, payment.event_id))
    now = now or utcnow()
    percent = (
        100
        if settings.full_refund_until is None or now < settings.full_refund_until
        else settings.late_refund_percent
    )
    share = min(line.total_cents, refundable_cents(payment))
    return int((Decimal(share) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def after_cancel(registration: Registration, *, amount: int) -> None:
    """Once a participant cancelled `registration` (services/bookings.cancel_registration):
    refund `amount` (what the page announced), or take an unpaid line off the booking."""
    payment, line = _payment_and_line(registration)
    if payment is None:
        return
    lock(payment)
    if payment.paid_cents == 0 and line is not None:
        # An invoice already issued for it (a purchase order) is corrected by a credit note.
        invoicing.on_line_cancelled(
            payment,
            line.total_cents,
            attendee_name(registration.first_name, registration.last_name),
        )
        payment.net_cents -= line.net_cents
        payment.vat_cents -= line.vat_cents
        payment.total_cents -= line.total_cents
        payment.discount_cents -= line.discount_cents
        db.session.delete(line)
        pricing.release_voucher(payment.voucher_id, 1)
        live = db.session.scalar(
            select(Registration.id)
            .where(
                Registration.booking_id == payment.booking_id,
                Registration.event_id.in_(pricing.covered_event_ids(payment)),
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .limit(1)
        )
        if live is None:
            payment.state = PaymentState.CANCELLED
            payment.released_at = utcnow()
        audit.record(
            "payment.line_cancelled",
            actor="participant",
            event_id=payment.event_id,
            registration_id=registration.id,
            booking_id=payment.booking_id,
        )
    elif amount > 0:
        refund(payment, min(amount, refundable_cents(payment)), user=None)
    db.session.flush()
