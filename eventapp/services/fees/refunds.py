"""The refund job: asks the card provider to refund a pending refund transaction (in a worker,
never in a request). The transaction's `source` is the idempotency key: a retried job gets the
same refund back, never a second one."""

from __future__ import annotations

from eventapp.database import end_read, write_transaction
from eventapp.extensions import db
from eventapp.models import BookingPayment, PaymentTransaction
from eventapp.services.fees import cards
from eventapp.services.payments.providers import ProviderUnavailable, RefundState


def run_refund(transaction_id: int) -> str:
    transaction = db.session.get(PaymentTransaction, transaction_id)
    if transaction is None or transaction.state != "pending" or transaction.refund_id:
        return "skipped"
    payment = db.session.get(BookingPayment, transaction.payment_id)
    pi, amount, key = transaction.provider_payment_id, transaction.amount_cents, transaction.source
    reference = payment.bank_reference
    end_read()
    try:
        refund = cards.provider().refund(pi, amount, key, booking_reference=reference)
    except ProviderUnavailable:
        raise  # the job is retried; the key keeps it single
    except Exception:  # noqa: BLE001 - a refusal: a bank refund to do, flagged
        with write_transaction():
            transaction = db.session.get(PaymentTransaction, transaction_id)
            transaction.state = "failed"
            payment = db.session.get(BookingPayment, transaction.payment_id)
            payment.refunded_cents -= transaction.amount_cents
            payment.needs_refund = True
        return "failed"
    with write_transaction():
        transaction = db.session.get(PaymentTransaction, transaction_id)
        transaction.refund_id = refund.refund_id
        if refund.state == RefundState.SUCCEEDED:
            transaction.state = "succeeded"
        elif refund.state == RefundState.FAILED:
            transaction.state = "failed"
    return str(refund.state)
