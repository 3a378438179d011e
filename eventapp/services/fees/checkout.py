"""The checkout step of a booking: the one point where a booking of a paid event gets its
price. `start()` runs in the booking's transaction, right after services.bookings.book() (which
holds the lock of each event booked), so the category quota is counted under the same lock as
the seats and the voucher's uses are taken in the same transaction: if anything is refused,
the whole booking rolls back.

While a booking awaits approval or payment its registrations stay confirmed: they hold their
seats until the deadline (services/fees/holds.py releases them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from eventapp.extensions import db
from eventapp.models import (
    Booking,
    BookingLine,
    BookingPayment,
    Event,
    PaymentState,
    PriceCategory,
    Registration,
    RegistrationStatus,
    Verification,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.fees import pricing
from eventapp.services.fees.errors import FeeError
from eventapp.services.payments.references import reference_for_booking

Code = FeeError.Code


@dataclass
class Choice:
    """What the registrant chose on the form (ids and text, all checked here)."""

    category_id: int | None
    voucher_code: str = ""
    justification: str = ""


def reference_secret() -> str:
    return current_app.config.get("PAYMENT_REFERENCE_SECRET") or current_app.config["SECRET_KEY"]


def bank_reference(booking: Booking) -> str:
    return reference_for_booking(booking.id, reference_secret())


def check_choice(event: Event, choice: Choice, now: datetime) -> PriceCategory:
    """The chosen category, refused unless it is offered now (a tampered id is refused)."""
    if choice.category_id is None:
        raise FeeError(Code.CATEGORY_NEEDED, field="category")
    for category in pricing.offered(event, now):
        if category.id == choice.category_id:
            return category
    raise FeeError(Code.BAD_CATEGORY, field="category")


def start(
    booking: Booking,
    event: Event,
    choice: Choice,
    registrations: list[Registration],
    *,
    now: datetime | None = None,
) -> BookingPayment | None:
    """Price the new registrations of `booking` for `event` (a paid event) and open its
    payment. Returns None for a free event. Raises FeeError (the request rolls back)."""
    now = now or utcnow()
    if not pricing.is_paid_event(event):
        return None
    category = check_choice(event, choice, now)
    justification = (choice.justification or "").strip()[:2000]
    needs_approval = category.verification == Verification.APPROVAL or (
        category.verification == Verification.MEMBER
        and pricing.member_of(event, booking.email or "") is None
    )
    if needs_approval and not justification:
        raise FeeError(Code.JUSTIFICATION_NEEDED, field="justification")
    people = [r for r in registrations if r.event_id == event.id]
    if not people:
        return None
    if category.quota is not None and pricing.places_taken(category) + len(people) > category.quota:
        raise FeeError(Code.QUOTA_FULL, field="category")
    voucher = None
    if pricing.normalise_code(choice.voucher_code):
        voucher = pricing.find_voucher(event, choice.voucher_code)
        pricing.check_voucher(voucher, category, now)
        pricing.use_voucher(voucher, len(people))
    price = pricing.line_price(category, voucher)
    settings = pricing.settings_of(event)
    payment = BookingPayment(
        booking_id=booking.id,
        event_id=event.id,
        price_category_id=category.id,
        voucher_id=voucher.id if voucher else None,
        bank_reference=bank_reference(booking),
        justification=justification or None,
        currency="EUR",
        state=PaymentState.AWAITING_PAYMENT,
    )
    db.session.add(payment)
    db.session.flush()
    for person in people:
        db.session.add(
            BookingLine(
                payment_id=payment.id,
                registration_id=person.id,
                price_category_id=category.id,
                unit_net_cents=price.unit_net_cents,
                discount_cents=price.discount_cents,
                net_cents=price.net_cents,
                vat_basis_points=price.vat_basis_points,
                vat_cents=price.vat_cents,
                total_cents=price.total_cents,
            )
        )
    payment.net_cents = price.net_cents * len(people)
    payment.vat_cents = price.vat_cents * len(people)
    payment.total_cents = price.total_cents * len(people)
    payment.discount_cents = price.discount_cents * len(people)
    if needs_approval:
        payment.state = PaymentState.AWAITING_APPROVAL
    elif payment.total_cents == 0:
        payment.state = PaymentState.PAID
    else:
        payment.state = PaymentState.AWAITING_PAYMENT
        if any(r.status == RegistrationStatus.CONFIRMED for r in people):
            payment.due_at = now + timedelta(days=settings.transfer_days)
        # else on the waiting list: no deadline before a seat is given (holds.py sets it)
    db.session.flush()
    audit.record(
        "payment.created",
        actor="participant",
        event_id=event.id,
        registration_id=people[0].id,
        booking_id=booking.id,
        category_id=category.id,
        voucher_id=payment.voucher_id,
        total_cents=payment.total_cents,
        state=str(payment.state),
    )
    return payment


def payment_of(booking: Booking) -> BookingPayment | None:
    from sqlalchemy import select

    return db.session.scalar(select(BookingPayment).where(BookingPayment.booking_id == booking.id))
