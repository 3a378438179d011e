"""Money in and out of a booking: payments (a card webhook, a matched transfer, an organiser
marking a transfer received), provider events, refunds confirmed, the release of unpaid seats.
The organiser's actions (approve, refuse, refund, change the rate) are in actions.py.

Rules:
- Every change to a booking's payment takes the event's lock first (the seat lock), then
  re-reads the payment: a payment racing the release of its seats is applied either before
  (the seats stay) or after (it confirms again if seats are free, else it is flagged for
  refund), never half.
- A provider event is applied once: its (provider, event id) is stored in the same
  transaction; a second delivery finds it and changes nothing. A payment transaction's
  `source` is unique too, so a bank line or a "received" click recorded twice counts once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eventapp import events as domain_events
from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    BookingLine,
    BookingPayment,
    Event,
    PaymentMethod,
    PaymentState,
    PaymentTransaction,
    ProviderEvent,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.services import audit
from eventapp.services import registrations as registrations_service
from eventapp.services.counts import free_seats
from eventapp.services.fees import pricing
from eventapp.services.fees.errors import FeeError
from eventapp.services.invoicing import issuing as invoicing
from eventapp.services.payments.providers import PaymentEvent, PaymentEventKind

Code = FeeError.Code


def lock(payment: BookingPayment) -> BookingPayment:
    """The event's lock (a tour's payment: its stages', in id order, then the tour's rates
    lock: events before tours, as everywhere), then the payment as it is now."""
    covered = pricing.covered_event_ids(payment)
    stages = sorted(i for i in covered if i != payment.event_id)
    for event_id in stages:
        lock_event_row(event_id)
    if stages:
        pricing.lock_tour_rates(payment.event_id)  # a tour: not its row (see there)
    else:
        lock_event_row(payment.event_id)
    db.session.refresh(payment)
    return payment


def state_after_money(payment: BookingPayment) -> PaymentState:
    if payment.refunded_cents > 0:
        if payment.refunded_cents >= payment.paid_cents:
            return PaymentState.REFUNDED
        return PaymentState.PARTLY_REFUNDED
    if payment.paid_cents >= payment.total_cents:
        return PaymentState.PAID
    if payment.paid_cents > 0:
        return PaymentState.PARTLY_PAID
    return PaymentState.AWAITING_PAYMENT


def _released_registrations(payment: BookingPayment) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.booking_id == payment.booking_id,
                Registration.event_id.in_(pricing.covered_event_ids(payment)),
                Registration.status == RegistrationStatus.CANCELLED,
            )
        )
    )


def _reinstate(payment: BookingPayment) -> bool:
    """A payment arrived after the seats were released: confirm again if every seat is free
    (we hold the event's lock), else flag the payment for refund."""
    people = _released_registrations(payment)
    wanted: dict[int, int] = {}
    for registration in people:
        wanted[registration.event_id] = wanted.get(registration.event_id, 0) + 1
    for event_id, count in wanted.items():  # a tour's payment: each stage's own seats
        seats = free_seats(db.session.get(Event, event_id))
        if seats is not None and seats < count:
            payment.needs_refund = True
            return False
    if not people:
        payment.needs_refund = True
        return False
    for registration in people:
        try:
            registrations_service.reconfirm(registration, user=None)
        except registrations_service.RegistrationError:
            payment.needs_refund = True
            return False
    payment.released_at = None
    return True


def record_payment(
    payment: BookingPayment,
    amount_cents: int,
    *,
    provider: str,
    source: str,
    provider_payment_id: str | None = None,
    method: PaymentMethod | None = None,
    user: User | None = None,
) -> bool:
    """Money received for the booking. Returns False when this source was already recorded."""
    if amount_cents <= 0:
        raise FeeError(Code.BAD_AMOUNT, field="amount")
    lock(payment)
    if db.session.scalar(select(PaymentTransaction.id).where(PaymentTransaction.source == source)):
        return False
    db.session.add(
        PaymentTransaction(
            payment_id=payment.id,
            kind="payment",
            provider=provider,
            amount_cents=amount_cents,
            provider_payment_id=provider_payment_id,
            source=source,
            user_id=user.id if user else None,
        )
    )
    was_released = payment.state == PaymentState.CANCELLED
    payment.paid_cents += amount_cents
    if method is not None:
        payment.method = method
    if was_released:
        _reinstate(payment)
        if payment.needs_refund:
            payment.state = PaymentState.CANCELLED
        else:
            payment.state = state_after_money(payment)
    elif payment.state == PaymentState.AWAITING_APPROVAL:
        # Paid before the approval (a transfer sent early): kept, the approval still decides.
        pass
    else:
        payment.state = state_after_money(payment)
    if payment.paid_cents - payment.refunded_cents > payment.total_cents:
        payment.needs_refund = True  # an over-payment: the surplus goes back
    db.session.flush()
    invoicing.on_payment(payment)  # paid in full: the invoice, in this transaction
    audit.record(
        "payment.received",
        user=user,
        actor=None if user else "system",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        amount_cents=amount_cents,
        provider=provider,
        state=str(payment.state),
        late=was_released,
        needs_refund=payment.needs_refund,
    )
    domain_events.record(
        "payment.received",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        amount_cents=amount_cents,
    )
    return True


def _payment_for_event(ev: PaymentEvent) -> BookingPayment | None:
    if ev.booking_reference:
        found = db.session.scalar(
            select(BookingPayment).where(BookingPayment.bank_reference == ev.booking_reference)
        )
        if found is not None:
            return found
    if ev.checkout_id:
        found = db.session.scalar(
            select(BookingPayment).where(BookingPayment.checkout_id == ev.checkout_id)
        )
        if found is not None:
            return found
    if ev.provider_payment_id:
        return db.session.scalar(
            select(BookingPayment)
            .join(PaymentTransaction, PaymentTransaction.payment_id == BookingPayment.id)
            .where(PaymentTransaction.provider_payment_id == ev.provider_payment_id)
            .limit(1)
        )
    return None


def apply_event(ev: PaymentEvent) -> str:
    """Apply one provider event once. Returns "applied", "duplicate" or "ignored"."""
    try:
        with db.session.begin_nested():
            db.session.add(ProviderEvent(provider=ev.provider, event_id=ev.event_id, kind=ev.kind))
    except IntegrityError:
        return "duplicate"
    payment = _payment_for_event(ev)
    if payment is None:
        return "ignored"
    if ev.kind == PaymentEventKind.PAID:
        method = PaymentMethod.CARD if ev.provider == "stripe" else PaymentMethod.TRANSFER
        record_payment(
            payment,
            ev.amount_cents,
            provider=ev.provider,
            source=f"{ev.provider}:{ev.event_id}",
            provider_payment_id=ev.provider_payment_id,
            method=method,
        )
    elif ev.kind == PaymentEventKind.PROCESSING:
        lock(payment)
        if payment.state in (PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID):
            # A delayed method (SEPA debit): keep the seats while it clears.
            payment.due_at = max(payment.due_at or utcnow(), utcnow() + timedelta(days=7))
    elif ev.kind in (PaymentEventKind.EXPIRED, PaymentEventKind.FAILED):
        lock(payment)
        if payment.checkout_id == ev.checkout_id:
            payment.checkout_id = None  # the payer may start again (card or transfer)
    elif ev.kind == PaymentEventKind.REFUNDED:
        _refund_confirmed(payment, ev)
    elif ev.kind == PaymentEventKind.REFUND_FAILED:
        lock(payment)
        transaction = db.session.scalar(
            select(PaymentTransaction).where(PaymentTransaction.refund_id == ev.refund_id)
        )
        if transaction is not None and transaction.state != "failed":
            transaction.state = "failed"
            payment.refunded_cents -= transaction.amount_cents
            payment.needs_refund = True
            payment.state = state_after_money(payment)
    db.session.flush()
    return "applied"


def _refund_confirmed(payment: BookingPayment, ev: PaymentEvent) -> None:
    lock(payment)
    if ev.refund_id:
        transaction = db.session.scalar(
            select(PaymentTransaction).where(PaymentTransaction.refund_id == ev.refund_id)
        )
        if transaction is not None:
            transaction.state = "succeeded"
            return
    # A refund made at the provider's dashboard (not asked by us): record what it says.
    refunded_here = sum(
        t.amount_cents
        for t in db.session.scalars(
            select(PaymentTransaction).where(
                PaymentTransaction.payment_id == payment.id,
                PaymentTransaction.kind == "refund",
                PaymentTransaction.state != "failed",
            )
        )
    )
    extra = (ev.amount_cents - refunded_here) if ev.cumulative else ev.amount_cents
    if extra > 0 and not ev.refund_id:
        transaction = PaymentTransaction(
            payment_id=payment.id,
            kind="refund",
            provider=ev.provider,
            amount_cents=extra,
            provider_payment_id=ev.provider_payment_id,
            source=f"{ev.provider}:{ev.event_id}",
            state="succeeded",
        )
        db.session.add(transaction)
        payment.refunded_cents += extra
        payment.state = state_after_money(payment)
        db.session.flush()
        invoicing.on_refund(payment, transaction)


def cancel_unpaid(payment: BookingPayment, *, actor_user: User | None, reason: str, now=None):
    """Free the seats of a booking that is not (fully) paid: its registrations are cancelled
    (the waiting list moves up through the seat rule), its voucher uses given back."""
    now = now or utcnow()
    payment.state = PaymentState.CANCELLED
    payment.released_at = now
    if payment.paid_cents - payment.refunded_cents > 0:
        payment.needs_refund = True
    people = list(
        db.session.scalars(
            select(Registration).where(
                Registration.booking_id == payment.booking_id,
                Registration.event_id.in_(pricing.covered_event_ids(payment)),
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    )
    # One use per line (a person for an event, or for a tour's pass; a stage at a per-stage rate).
    lines = db.session.scalar(
        select(func.count()).select_from(BookingLine).where(BookingLine.payment_id == payment.id)
    )
    pricing.release_voucher(payment.voucher_id, int(lines or 0))
    for registration in people:
        registrations_service.cancel(
            registration, user=actor_user, actor=None if actor_user else "system"
        )
    audit.record(
        f"payment.{reason}",
        user=actor_user,
        actor=None if actor_user else "system",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        seats=len(people),
    )
    db.session.flush()


def unpaid_cents(registration: Registration) -> int:
    """What the registration's booking still owes for its event (0: paid, or free): the
    check-in desk shows "unpaid" when it is not 0."""
    payment = pricing.payment_of_registration(registration)
    if payment is None or payment.state in (
        PaymentState.PAID,
        PaymentState.PARTLY_REFUNDED,
        PaymentState.REFUNDED,
    ):
        return 0
    return payment.due_cents
