"""Card payment through the Stripe adapter (services/payments/stripe_provider), configured by
STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE (a local stand-in in tests)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from eventapp.extensions import db
from eventapp.models import Booking, BookingPayment, Event, PaymentMethod, PaymentState, utcnow
from eventapp.services import audit
from eventapp.services.fees import deadlines, pricing
from eventapp.services.fees.errors import FeeError
from eventapp.services.payments.providers import (
    CheckoutLine,
    CheckoutRequest,
    PaymentProviderError,
)

_PROVIDERS: dict = {}
PAYABLE = (PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID)


def payable(payment: BookingPayment) -> bool:
    """Something is due now: unpaid and holding seats (a booking on the waiting list has no
    deadline and pays nothing before a seat is given)."""
    return payment.state in PAYABLE and payment.due_at is not None


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def checkout_origin() -> str:
    """Where the payer's browser goes to pay: Stripe's hosted page, or the stand-in's (tests
    point STRIPE_API_BASE at it). The payment page's CSP lets its form redirect there."""
    from urllib.parse import urlsplit

    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}"
    return current_app.config.get("STRIPE_CHECKOUT_ORIGIN") or "https://checkout.stripe.com"


def provider():
    from eventapp.services.payments.stripe_provider import StripeProvider

    config = current_app.config
    key = (config.get("STRIPE_SECRET_KEY"), config.get("STRIPE_API_BASE"))
    if key not in _PROVIDERS:
        _PROVIDERS.clear()
        _PROVIDERS[key] = StripeProvider.from_config(config)
    return _PROVIDERS[key]


def start_checkout(payment: BookingPayment, *, success_url: str, cancel_url: str, lang: str):
    """A Checkout Session for what remains due; the payer is sent to its URL. The session
    lives the event's card_minutes (Stripe: at least 30), and so does the seats' hold
    (services/fees/deadlines.hold_for_card): a checkout left unfinished frees them then.

    The provider's HTTP call is made before anything is written or locked (on SQLite the
    request holds no write lock during it: the view is read-first; on PostgreSQL no row is
    locked), with the provider's timeout (STRIPE_TIMEOUT_SECONDS); a failure or a timeout is
    FeeError PROVIDER_FAILED (its message says to retry or pay by transfer) and nothing is
    changed. The answer is then written under the event's lock, after reading the payment
    again: one paid or cancelled meanwhile refuses (the unused session expires at Stripe).
    Two clicks at once send the same idempotency key: Stripe answers both with one session."""
    if not enabled():
        raise FeeError(FeeError.Code.CARD_UNAVAILABLE)
    if not payable(payment):
        raise FeeError(FeeError.Code.NOTHING_DUE)
    booking = db.session.get(Booking, payment.booking_id)
    event = db.session.get(Event, payment.event_id)
    settings = pricing.settings_of(event)
    now = utcnow()
    attempt = payment.checkout_attempt + 1
    request = CheckoutRequest(
        booking_reference=payment.bank_reference,
        lines=[CheckoutLine(f"{event.title(lang)} – {booking.reference}", payment.due_cents)],
        success_url=success_url,
        cancel_url=cancel_url,
        expires_in=timedelta(minutes=settings.card_minutes),
        locale=lang,
        idempotency_key=f"checkout:{payment.id}:{attempt}",
        started_at=now,
    )
    try:
        checkout = provider().create_checkout(request)
    except PaymentProviderError as error:
        current_app.logger.warning("stripe checkout failed: %s", error.code)
        raise FeeError(FeeError.Code.PROVIDER_FAILED) from error
    from eventapp.services.fees.payments import lock

    lock(payment)  # from here the write lock (SQLite) / the event row (PostgreSQL)
    if not payable(payment):
        raise FeeError(FeeError.Code.NOTHING_DUE)
    payment.checkout_attempt = max(payment.checkout_attempt, attempt)
    payment.checkout_started_at = now
    payment.checkout_provider = checkout.provider
    payment.checkout_id = checkout.checkout_id
    payment.method = PaymentMethod.CARD
    # From now the seats are held for the checkout's life, not the transfer's days.
    deadlines.hold_for_card(payment, checkout.expires_at)
    db.session.flush()
    audit.record(
        "payment.card_started",
        actor="participant",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        attempt=payment.checkout_attempt,
    )
    return checkout
