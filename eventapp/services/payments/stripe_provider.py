"""The Stripe adapter: Checkout Sessions, webhooks verified by Stripe's own helper, refunds.

Rules:
- One Checkout Session (mode=payment) per payment attempt, its lines in cents, the booking
  reference as client_reference_id and in the metadata of the session and of its payment
  intent; it expires with the seat hold (Stripe accepts 30 minutes to 24 hours).
- A webhook is believed only after ``StripeClient.construct_event`` checked its signature
  (HMAC-SHA256 with the endpoint secret, timestamp within 5 minutes).
- Refunds go through the API with the caller's idempotency key, so a retry never refunds twice.
- ``stripe`` is imported when first used (not at application start-up); the API base URL is
  configurable (STRIPE_API_BASE) so tests talk to a local stand-in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from eventapp.services.payments.providers import (
    Checkout,
    CheckoutRequest,
    CheckoutState,
    CheckoutStatus,
    PaymentEvent,
    PaymentEventKind,
    PaymentProviderError,
    ProviderConfigurationError,
    ProviderRejected,
    ProviderUnavailable,
    Refund,
    RefundState,
    WebhookPayloadError,
    WebhookSignatureError,
    header,
)

MIN_EXPIRY = timedelta(minutes=30)
MAX_EXPIRY = timedelta(hours=24)
# Stripe measures the 30 minutes from when the request reaches it: ask for a minute more than
# the minimum, or a request in flight for a second would be refused.
_EXPIRY_SLACK = 60
WEBHOOK_TOLERANCE = 300  # seconds, Stripe's default

_CHECKOUT_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
_REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed"}


def _ts(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None


def _id_of(value) -> str | None:
    """An id, whether Stripe sent it as a string or as an expanded object."""
    if isinstance(value, Mapping):
        return value.get("id")
    return value or None


def _reference_of(obj: Mapping) -> str | None:
    metadata = obj.get("metadata") or {}
    return obj.get("client_reference_id") or metadata.get("booking_reference") or None


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        timeout: float = 20,
        max_network_retries: int = 2,
        webhook_tolerance: int = WEBHOOK_TOLERANCE,
        clock=time.time,
    ):
        if not api_key:
            raise ProviderConfigurationError("STRIPE_SECRET_KEY is not set")
        if not webhook_secret:
            raise ProviderConfigurationError("STRIPE_WEBHOOK_SECRET is not set")
        self._api_key = api_key
        self._webhook_secret = webhook_secret
        self._api_base = api_base.rstrip("/") if api_base else None
        self._timeout = timeout
        self._retries = max_network_retries
        self._tolerance = webhook_tolerance
        self._clock = clock
        self._client = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Mapping) -> StripeProvider:
        """From the app config: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE
        (optional; Stripe's own when unset), STRIPE_TIMEOUT_SECONDS (per HTTP call, 20)."""
        return cls(
            config.get("STRIPE_SECRET_KEY") or "",
            config.get("STRIPE_WEBHOOK_SECRET") or "",
            api_base=config.get("STRIPE_API_BASE") or None,
            timeout=float(config.get("STRIPE_TIMEOUT_SECONDS") or 20),
        )

    def __repr__(self) -> str:  # never the keys
        return f"<StripeProvider api_base={self._api_base or 'stripe'}>"

    # --- the client -------------------------------------------------------------------------

    def client(self):
        """The StripeClient, built on first use (this is where ``stripe`` is imported)."""
        with self._lock:
            if self._client is None:
                import stripe

                options = {}
                if self._api_base:
                    options["base_addresses"] = {"api": self._api_base}
                self._client = stripe.StripeClient(
                    self._api_key,
                    max_network_retries=self._retries,
                    http_client=stripe.RequestsClient(timeout=self._timeout),
                    **options,
                )
            return self._client

    def _call(self, operation):
        import stripe

        try:
            return operation(self.client())
        except stripe.AuthenticationError as exc:
            raise ProviderConfigurationError(str(exc.user_message or exc), http_status=401) from exc
        except stripe.PermissionError as exc:
            raise ProviderConfigurationError(str(exc.user_message or exc), http_status=403) from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(
                str(exc.user_message or exc), http_status=exc.http_status
            ) from exc
        except stripe.StripeError as exc:
            status = exc.http_status or 0
            # 409: the same idempotency key is still in flight at Stripe; worth a retry.
            retry = status >= 500 or status in (0, 409)
            error = ProviderUnavailable if retry else ProviderRejected
            raise error(
                str(exc.user_message or exc), provider_code=exc.code, http_status=exc.http_status
            ) from exc

    # --- checkout ---------------------------------------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        expires_in = min(max(request.expires_in, MIN_EXPIRY), MAX_EXPIRY)
        slack = _EXPIRY_SLACK if expires_in < MAX_EXPIRY else -_EXPIRY_SLACK
        metadata = {"booking_reference": request.booking_reference}
        params = {
            "mode": "payment",
            "client_reference_id": request.booking_reference,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "line_items": [
                {
                    "quantity": line.quantity,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": line.unit_amount_cents,
                        "product_data": {
                            "name": line.name,
                            **({"description": line.description} if line.description else {}),
                        },
                    },
                }
                for line in request.lines
            ],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "expires_at": int(
                request.started_at.timestamp() if request.started_at else self._clock()
            )
            + int(expires_in.total_seconds())
            + slack,
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        if request.locale:
            params["locale"] = request.locale
        options = {"idempotency_key": request.idempotency_key} if request.idempotency_key else {}
        session = self._call(
            lambda c: c.v1.checkout.sessions.create(params=params, options=options)
        ).to_dict()
        return Checkout(
            provider=self.name,
            checkout_id=session["id"],
            redirect_url=session["url"],
            expires_at=_ts(session["expires_at"]),
            amount_cents=session["amount_total"],
            currency=session["currency"].upper(),
            booking_reference=request.booking_reference,
        )

    def _status(self, session: Mapping) -> CheckoutStatus:
        status, payment_status = session.get("status"), session.get("payment_status")
        if status == "complete":
            paid = payment_status in ("paid", "no_payment_required")
            state = CheckoutState.PAID if paid else CheckoutState.PROCESSING
        elif status == "expired":
            state = CheckoutState.EXPIRED
        else:
            state = CheckoutState.OPEN
        return CheckoutStatus(
            provider=self.name,
            checkout_id=session["id"],
            state=state,
            booking_reference=_reference_of(session),
            amount_cents=int(session.get("amount_total") or 0),
            currency=(session.get("currency") or "").upper(),
            provider_payment_id=_id_of(session.get("payment_intent")),
            expires_at=_ts(session.get("expires_at")),
        )

    def fetch(self, checkout_id: str) -> CheckoutStatus:
        session = self._call(lambda c: c.v1.checkout.sessions.retrieve(checkout_id))
        return self._status(session.to_dict())

    def expire_checkout(self, checkout_id: str) -> CheckoutStatus:
        """Close an open session (the booking was cancelled or released) so it cannot be paid.
        A session that is no longer open is returned as it is."""
        status = self.fetch(checkout_id)
        if status.state is not CheckoutState.OPEN:
            return status
        session = self._call(lambda c: c.v1.checkout.sessions.expire(checkout_id))
        return self._status(session.to_dict())

    # --- refunds ----------------------------------------------------------------------------

    def refund(
        self,
        payment_ref: str,
        amount_cents: int,
        idempotency_key: str,
        *,
        currency: str = "EUR",
        booking_reference: str | None = None,
    ) -> Refund:
        """Refund ``amount_cents`` of payment intent ``payment_ref``. The same idempotency key
        gives back the first refund; Stripe refuses more than what is left (ProviderRejected,
        provider_code amount_too_large). ``currency`` is the payment's own at Stripe: the
        argument is there for providers that do not know the payment."""
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 1:
            raise ValueError("amount_cents must be a positive int")
        if not idempotency_key:
            raise ValueError("a refund needs an idempotency key")
        params = {"payment_intent": payment_ref, "amount": amount_cents}
        if booking_reference:
            params["metadata"] = {"booking_reference": booking_reference}
        refund = self._call(
            lambda c: c.v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        ).to_dict()
        return Refund(
            provider=self.name,
            refund_id=refund["id"],
            provider_payment_id=_id_of(refund.get("payment_intent")) or payment_ref,
            amount_cents=refund["amount"],
            currency=refund["currency"].upper(),
            state=_refund_state(refund.get("status")) or RefundState.PENDING,
            created_at=_ts(refund["created"]),
        )

    # --- webhooks ---------------------------------------------------------------------------

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[PaymentEvent]:
        """The events of one webhook delivery, after Stripe's own signature check."""
        import stripe

        signature = header(headers, "Stripe-Signature")
        try:
            event = self.client().construct_event(
                body, signature, self._webhook_secret, tolerance=self._tolerance
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureError(str(exc)) from exc
        except UnicodeDecodeError as exc:  # the signed text is the UTF-8 body
            raise WebhookSignatureError("the body is not UTF-8") from exc
        except ValueError as exc:  # signed, yet not JSON
            raise WebhookPayloadError("the body is not a JSON event") from exc
        try:
            return normalise_event(event.to_dict())
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise WebhookPayloadError(f"unexpected event shape: {exc}") from exc


def _refund_state(status: str | None) -> RefundState | None:
    if status == "succeeded":
        return RefundState.SUCCEEDED
    if status in ("failed", "canceled"):
        return RefundState.FAILED
    if status in ("pending", "requires_action"):
        return RefundState.PENDING
    return None


def normalise_event(event: Mapping) -> list[PaymentEvent]:
    """A Stripe event (as a dict) as our PaymentEvents: none for types we do not act on."""
    kind_of = event["type"]
    obj = event["data"]["object"]
    base = {
        "provider": StripeProvider.name,
        "event_id": event["id"],
        "occurred_at": _ts(event["created"]),
        "provider_type": kind_of,
    }
    if kind_of in _CHECKOUT_EVENTS:
        if obj.get("mode") != "payment":
            return []
        if kind_of == "checkout.session.completed":
            paid = obj.get("payment_status") in ("paid", "no_payment_required")
            kind = PaymentEventKind.PAID if paid else PaymentEventKind.PROCESSING
        else:
            kind = {
                "checkout.session.async_payment_succeeded": PaymentEventKind.PAID,
                "checkout.session.async_payment_failed": PaymentEventKind.FAILED,
                "checkout.session.expired": PaymentEventKind.EXPIRED,
            }[kind_of]
        return [
            PaymentEvent(
                kind=kind,
                booking_reference=_reference_of(obj),
                amount_cents=int(obj.get("amount_total") or 0),
                currency=obj["currency"].upper(),
                provider_payment_id=_id_of(obj.get("payment_intent")),
                checkout_id=obj["id"],
                **base,
            )
        ]
    if kind_of == "charge.refunded":
        return [
            PaymentEvent(
                kind=PaymentEventKind.REFUNDED,
                booking_reference=_reference_of(obj),
                amount_cents=int(obj["amount_refunded"]),
                currency=obj["currency"].upper(),
                provider_payment_id=_id_of(obj.get("payment_intent")),
                cumulative=True,
                **base,
            )
        ]
    if kind_of in _REFUND_EVENTS:
        state = _refund_state(obj.get("status"))
        if state is RefundState.PENDING or state is None:
            return []  # a later refund.updated tells how it ended
        kind = (
            PaymentEventKind.REFUNDED
            if state is RefundState.SUCCEEDED
            else (PaymentEventKind.REFUND_FAILED)
        )
        return [
            PaymentEvent(
                kind=kind,
                booking_reference=_reference_of(obj),
                amount_cents=int(obj["amount"]),
                currency=obj["currency"].upper(),
                provider_payment_id=_id_of(obj.get("payment_intent")),
                refund_id=obj["id"],
                **base,
            )
        ]
    return []


__all__ = ["PaymentProviderError", "StripeProvider", "normalise_event"]
