"""The organiser's actions on a booking's payment: approve or refuse a checked rate, mark a
transfer received, refund (through the provider by a job, or a bank refund to do), change the
rate. Each takes the event's lock first (payments.lock), like every change to a payment."""

from __future__ import annotations

from sqlalchemy import select

from eventapp import events as domain_events
from eventapp.extensions import db
from eventapp.models import (
    BookingPayment,
    PaymentMethod,
    PaymentState,
    PaymentTransaction,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.fees import deadlines, pricing
from eventapp.services.fees.errors import FeeError
from eventapp.services.fees.payments import (
    cancel_unpaid,
    lock,
    record_payment,
    state_after_money,
)
from eventapp.services.invoicing import issuing as invoicing

Code = FeeError.Code


def approve(payment: BookingPayment, *, user: User, now=None) -> None:
    """The organiser grants the claimed category: the booking now awaits payment (or is paid
    when nothing is due, or already paid early)."""
    lock(payment)
    if payment.state != PaymentState.AWAITING_APPROVAL:
        raise FeeError(Code.NOT_APPROVABLE)
    now = now or utcnow()
    payment.approved_at = now
    payment.state = state_after_money(payment)
    invoicing.on_payment(payment)  # paid early, now approved: the invoice
    seated = db.session.scalar(
        select(Registration.id)
        .where(
            Registration.booking_id == payment.booking_id,
            Registration.event_id.in_(pricing.covered_event_ids(payment)),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .limit(1)
    )
    if payment.state == PaymentState.AWAITING_PAYMENT and seated is not None:
        deadlines.give_transfer_deadline(payment, now)
    audit.record(
        "payment.approved", user=user, event_id=payment.event_id, booking_id=payment.booking_id
    )
    _notify(payment, "approved")


def refuse(payment: BookingPayment, *, user: User) -> None:
    """The organiser refuses the category: the booking is cancelled and its seats freed (the
    person may book again at another rate); money already received is to be refunded."""
    lock(payment)
    if payment.state != PaymentState.AWAITING_APPROVAL:
        raise FeeError(Code.NOT_APPROVABLE)
    cancel_unpaid(payment, actor_user=user, reason="refused")
    _notify(payment, "refused")


def mark_received(payment: BookingPayment, amount_cents: int, *, user: User, source_key: str):
    """The organiser marks a transfer (or a payment on site) as received."""
    if payment.state == PaymentState.CANCELLED and payment.released_at is None:
        raise FeeError(Code.NOT_PAYABLE)
    return record_payment(
        payment,
        amount_cents,
        provider="manual_bank_transfer",
        source=f"manual:{payment.id}:{source_key}",
        method=PaymentMethod.TRANSFER,
        user=user,
    )


def refundable_cents(payment: BookingPayment) -> int:
    return max(payment.paid_cents - payment.refunded_cents, 0)


def refund(
    payment: BookingPayment, amount_cents: int, *, user: User | None, key: str | None = None
) -> PaymentTransaction:
    """Refund part or all of what was paid. A card payment is refunded through the provider
    by a job (idempotency key = this transaction's source); a transfer is a bank refund to do.
    `key` names the request (a form drawn once): the same key again returns the same refund."""
    lock(payment)
    if key:
        done = db.session.scalar(
            select(PaymentTransaction).where(
                PaymentTransaction.source == f"refund:{payment.id}:{key}"
            )
        )
        if done is not None:
            return done
    left = refundable_cents(payment)
    if amount_cents <= 0:
        raise FeeError(Code.BAD_AMOUNT, field="amount")
    if amount_cents > left:
        from eventapp.services.fees.formatting import money

        raise FeeError(Code.REFUND_TOO_LARGE, field="amount", left=money(left))
    card = db.session.scalar(
        select(PaymentTransaction)
        .where(
            PaymentTransaction.payment_id == payment.id,
            PaymentTransaction.kind == "payment",
            PaymentTransaction.provider == "stripe",
        )
        .order_by(PaymentTransaction.id)
        .limit(1)
    )
    count = db.session.scalar(
        select(db.func.count())
        .select_from(PaymentTransaction)
        .where(PaymentTransaction.payment_id == payment.id, PaymentTransaction.kind == "refund")
    )
    transaction = PaymentTransaction(
        payment_id=payment.id,
        kind="refund",
        provider=card.provider if card else "manual_bank_transfer",
        amount_cents=amount_cents,
        provider_payment_id=card.provider_payment_id if card else None,
        source=f"refund:{payment.id}:{key or count + 1}",
        state="pending",
        user_id=user.id if user else None,
    )
    db.session.add(transaction)
    payment.refunded_cents += amount_cents
    payment.state = state_after_money(payment)
    if payment.paid_cents - payment.refunded_cents <= payment.total_cents:
        payment.needs_refund = False
    db.session.flush()
    invoicing.on_refund(payment, transaction)  # the credit note, in this transaction
    domain_events.record(
        "payment.refunded",
        event_id=payment.event_id,
        payment_id=payment.id,
        booking_id=payment.booking_id,
        amount_cents=amount_cents,
        state=str(payment.state),
    )
    audit.record(
        "payment.refund_requested",
        user=user,
        actor=None if user else "system",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        amount_cents=amount_cents,
        provider=transaction.provider,
    )
    if card is not None:
        from eventapp.jobs import dispatch

        dispatch.after_commit("fees.refund", transaction.id)
    return transaction


def mark_refund_done(transaction: PaymentTransaction, *, user: User) -> None:
    """A bank refund to do has been made by the organiser."""
    payment = db.session.get(BookingPayment, transaction.payment_id)
    lock(payment)
    db.session.refresh(transaction)
    if transaction.kind == "refund" and transaction.state == "pending":
        transaction.state = "succeeded"
        audit.record(
            "payment.refund_done",
            user=user,
            event_id=payment.event_id,
            booking_id=payment.booking_id,
            amount_cents=transaction.amount_cents,
        )


def _notify(payment: BookingPayment, kind: str) -> None:
    from eventapp.services.fees import notices

    notices.notify(payment, kind)


def change_category(payment: BookingPayment, category, *, user: User) -> None:
    """The organiser moves a booking to another rate of the event: every line is priced again
    (the voucher kept), the state follows what is now due (an over-payment is flagged)."""
    from eventapp.models import BookingLine, Voucher

    lock(payment)
    if category.event_id != payment.event_id:
        raise FeeError(Code.BAD_CATEGORY, field="category")
    voucher = db.session.get(Voucher, payment.voucher_id) if payment.voucher_id else None
    price = pricing.line_price(category, voucher)
    lines = list(
        db.session.scalars(select(BookingLine).where(BookingLine.payment_id == payment.id))
    )
    for line in lines:
        line.price_category_id = category.id
        line.unit_net_cents = price.unit_net_cents
        line.discount_cents = price.discount_cents
        line.net_cents = price.net_cents
        line.vat_basis_points = price.vat_basis_points
        line.vat_cents = price.vat_cents
        line.total_cents = price.total_cents
    previous = payment.price_category_id
    payment.price_category_id = category.id
    payment.net_cents = price.net_cents * len(lines)
    payment.vat_cents = price.vat_cents * len(lines)
    payment.total_cents = price.total_cents * len(lines)
    payment.discount_cents = price.discount_cents * len(lines)
    if payment.state not in (PaymentState.AWAITING_APPROVAL, PaymentState.CANCELLED):
        payment.state = state_after_money(payment)
        if payment.state == PaymentState.AWAITING_PAYMENT and payment.due_at is None:
            deadlines.give_transfer_deadline(payment)
    payment.needs_refund = payment.paid_cents - payment.refunded_cents > payment.total_cents
    db.session.flush()
    audit.record(
        "payment.category_changed",
        user=user,
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        previous=previous,
        category_id=category.id,
        total_cents=payment.total_cents,
    )
