"""The checkout step of a booking: the one point where a booking of a paid event gets its
price. `start()` runs in the booking's transaction, right after services.bookings.book() (which
holds the lock of each event booked), so the category quota is counted under the same lock as
the seats and the voucher's uses are taken in the same transaction: if anything is refused,
the whole booking rolls back.

While a booking awaits approval or payment its registrations stay confirmed: they hold their
seats until the deadline (services/fees/holds.py releases them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    Voucher,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.fees import deadlines, pricing
from eventapp.services.fees.errors import FeeError
from eventapp.services.payments.references import reference_for_booking

Code = FeeError.Code


@dataclass
class Choice:
    """What the registrant chose on the form (ids and text, all checked here)."""

    category_id: int | None
    voucher_code: str = ""
    justification: str = ""
    proof: object = None  # an Upload (questions/types.py), type already checked by content


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


def priced_registrations(event: Event, registrations) -> list[Registration]:
    """The registrations a rate of `event` prices: its own, or a tour's stages'."""
    if event.is_tour:
        return [r for r in registrations if r.event.parent_id == event.id]
    return [r for r in registrations if r.event_id == event.id]


def units_of(event: Event, category: PriceCategory, people: list[Registration]):
    """What is priced, one line each: a registration (an event's rate; a tour's per-stage
    rate), or, for a tour pass, a person (their first stage's registration stands for them:
    one price whatever the number of stages)."""
    if not event.is_tour or category.per_stage:
        return people
    first: dict[str, Registration] = {}
    for r in sorted(people, key=lambda r: (r.event.starts_at, r.id)):
        first.setdefault(r.email, r)
    return list(first.values())


def add_stages(booking: Booking, registrations: list[Registration], *, now=None):
    """Stages added to a paid tour booking (its booking page): at a per-stage rate each new
    registration is one more line at the rate's price (with the booking's voucher while it
    has uses left), and the booking owes the difference; a pass already covers them. Runs
    under the stages' locks (services/bookings.add_events), then the tour's."""
    payment = payment_of(booking)
    if payment is None or not registrations:
        return None
    event = db.session.get(Event, payment.event_id)
    if not event.is_tour:
        return None
    category = db.session.get(PriceCategory, payment.price_category_id or 0)
    if category is None or not category.per_stage:
        return None
    people = priced_registrations(event, registrations)
    if not people or payment.state == PaymentState.CANCELLED:
        return None
    pricing.lock_tour_rates(event.id)
    db.session.refresh(payment)
    voucher = db.session.get(Voucher, payment.voucher_id) if payment.voucher_id else None
    if voucher is not None:
        try:
            pricing.use_voucher(voucher, len(people))
        except FeeError:
            voucher = None  # used up since: the added stages are at the full rate
    price = pricing.line_price(category, voucher)
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
    payment.net_cents += price.net_cents * len(people)
    payment.vat_cents += price.vat_cents * len(people)
    payment.total_cents += price.total_cents * len(people)
    payment.discount_cents += price.discount_cents * len(people)
    if payment.state != PaymentState.AWAITING_APPROVAL:
        from eventapp.services.fees.payments import state_after_money

        was_settled = payment.due_cents == price.total_cents * len(people)
        payment.state = state_after_money(payment)
        if payment.due_cents > 0 and (payment.due_at is None or was_settled):
            # What was settled owed nothing: the added stages get the transfer delay from now
            # (never an old deadline that would release the booking at once).
            deadlines.give_transfer_deadline(payment, now)
    db.session.flush()
    audit.record(
        "payment.stages_added",
        actor="participant",
        event_id=event.id,
        booking_id=booking.id,
        registration_id=people[0].id,
        total_cents=payment.total_cents,
    )
    return payment


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
    from eventapp.services.programme import speaker_rate as speaker_rates

    now = now or utcnow()
    if not pricing.is_paid_event(event):
        return None
    category = check_choice(event, choice, now)
    people = priced_registrations(event, registrations)
    # The event's speakers get its speaker rate, no justification needed (issue 16).
    speaker_rate = speaker_rates.rate_for(event, people, now)
    if speaker_rate is not None:
        category = speaker_rate
    justification = (choice.justification or "").strip()[:2000]
    needs_approval = speaker_rate is None and (
        category.verification == Verification.APPROVAL
        or (
            category.verification == Verification.MEMBER
            and pricing.member_of(event, booking.email or "") is None
        )
    )
    if needs_approval and not justification and choice.proof is None:
        raise FeeError(Code.JUSTIFICATION_NEEDED, field="justification")
    if not people:
        return None
    units = units_of(event, category, people)
    if event.is_tour:
        # The stages are locked (services/bookings.book); a tour's rate is shared by all of
        # them, so its quota is counted under the tour's rates lock too (after the stages').
        pricing.lock_tour_rates(event.id)
    if category.quota is not None and pricing.places_taken(category) + len(units) > category.quota:
        raise FeeError(Code.QUOTA_FULL, field="category")
    voucher = None
    if pricing.normalise_code(choice.voucher_code):
        voucher = pricing.find_voucher(event, choice.voucher_code)
        pricing.check_voucher(voucher, category, now)
        pricing.use_voucher(voucher, len(units))
    price = pricing.line_price(category, voucher)
    payment = BookingPayment(
        booking_id=booking.id,
        event_id=event.id,
        price_category_id=category.id,
        voucher_id=voucher.id if voucher else None,
        bank_reference=bank_reference(booking),
        justification=justification or None,
        # The proof only matters (and is only kept) where the rate is checked.
        proof_name=choice.proof.name if needs_approval and choice.proof else None,
        proof_type=choice.proof.mimetype if needs_approval and choice.proof else None,
        proof_data=choice.proof.data if needs_approval and choice.proof else None,
        currency="EUR",
        state=PaymentState.AWAITING_PAYMENT,
    )
    db.session.add(payment)
    db.session.flush()
    for person in units:
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
    payment.net_cents = price.net_cents * len(units)
    payment.vat_cents = price.vat_cents * len(units)
    payment.total_cents = price.total_cents * len(units)
    payment.discount_cents = price.discount_cents * len(units)
    if needs_approval:
        payment.state = PaymentState.AWAITING_APPROVAL
    elif payment.total_cents == 0:
        payment.state = PaymentState.PAID
    else:
        payment.state = PaymentState.AWAITING_PAYMENT
        if any(r.status == RegistrationStatus.CONFIRMED for r in people):
            deadlines.give_transfer_deadline(payment, now)
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
