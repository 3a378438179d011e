"""The payment provider interface, its normalised values and errors, and the manual provider.

Rules every provider keeps:
- Money is integer cents (never float), with an ISO 4217 currency in capitals ("EUR").
- ``parse_webhook`` verifies the sender before reading anything: a bad or missing signature
  raises WebhookSignatureError (the route answers 400 and changes nothing). It returns the
  normalised events, possibly none (event types we do not act on).
- Every PaymentEvent carries the provider's own event id: the integration stores the ids it has
  applied and skips one it has seen, so an event delivered twice is handled once.
- ``refund`` takes an idempotency key: calling it again with the same key (a retried job, a
  double click) gives back the same refund instead of refunding twice.
- Provider failures raise PaymentProviderError subclasses with a ``code``, never a library's
  own exception: ProviderUnavailable is worth retrying later, ProviderRejected is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

# --- errors -----------------------------------------------------------------------------------


class PaymentProviderError(Exception):
    """A provider call failed; ``code`` says why in a word the integration can translate."""

    code = "provider_error"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        provider_code=None,
        http_status: int | None = None,
    ):
        super().__init__(message or self.code)
        if code:
            self.code = code
        self.provider_code = provider_code  # the provider's own error code, e.g. amount_too_large
        self.http_status = http_status


class WebhookSignatureError(PaymentProviderError):
    """The webhook's signature is missing, wrong or too old: answer 400, change nothing."""

    code = "bad_signature"


class WebhookPayloadError(PaymentProviderError):
    """The webhook is signed but its body is not an event we can read: answer 400."""

    code = "bad_payload"


class ProviderUnavailable(PaymentProviderError):
    """Network failure, timeout, rate limit or server error: try again later."""

    code = "unavailable"


class ProviderRejected(PaymentProviderError):
    """The provider refused the request (e.g. refund larger than what is left): do not retry."""

    code = "rejected"


class ProviderConfigurationError(PaymentProviderError):
    """Missing or wrong API key or webhook secret."""

    code = "configuration"


class NotSupported(PaymentProviderError):
    """This provider has no such operation (e.g. the manual provider has no webhooks)."""

    code = "not_supported"


# --- values -----------------------------------------------------------------------------------


def _check_cents(value, name: str, *, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of cents")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")


def _check_currency(currency: str) -> None:
    if not (
        isinstance(currency, str)
        and len(currency) == 3
        and currency.isalpha()
        and currency.isupper()
    ):
        raise ValueError("currency must be an ISO 4217 code in capitals, e.g. EUR")


@dataclass(frozen=True)
class CheckoutLine:
    """One line of what is paid: a name shown to the payer, the unit price VAT included."""

    name: str
    unit_amount_cents: int
    quantity: int = 1
    description: str | None = None

    def __post_init__(self):
        if not self.name or not self.name.strip():
            raise ValueError("a checkout line needs a name")
        _check_cents(self.unit_amount_cents, "unit_amount_cents")
        _check_cents(self.quantity, "quantity", minimum=1)

    @property
    def amount_cents(self) -> int:
        return self.unit_amount_cents * self.quantity


@dataclass(frozen=True)
class CheckoutRequest:
    """What the integration asks a provider to collect for one booking.

    ``expires_in``: how long the payer has (the seats are held that long); a provider may
    round it into its own limits (Stripe: 30 minutes to 24 hours) and says the real expiry in
    Checkout.expires_at. ``idempotency_key``: the same key gives back the same checkout
    (e.g. f"checkout:{booking.id}:{attempt}") as long as the parameters are the same: pass
    ``started_at`` (when the attempt was first made, stored with it) so that a retry, seconds
    later, asks for the same expiry (a provider computes it from ``started_at``, else from now;
    Stripe refuses a key reused with other parameters)."""

    booking_reference: str
    lines: tuple[CheckoutLine, ...]
    success_url: str
    cancel_url: str
    currency: str = "EUR"
    expires_in: timedelta = timedelta(minutes=30)
    customer_email: str | None = field(default=None, repr=False)
    locale: str | None = None  # "fr", "en"; None lets the provider choose
    idempotency_key: str | None = None
    started_at: datetime | None = None  # aware; the expiry counts from it (see above)

    def __post_init__(self):
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.lines:
            raise ValueError("a checkout needs at least one line")
        if not self.booking_reference:
            raise ValueError("a checkout needs the booking reference")
        _check_currency(self.currency)
        if self.amount_cents <= 0:
            raise ValueError("nothing to pay: a free booking has no checkout")

    @property
    def amount_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True)
class Checkout:
    """A payment started at a provider: send the payer to ``redirect_url``; keep ``checkout_id``
    to fetch or expire it and to recognise its events; hold the seats until ``expires_at``."""

    provider: str
    checkout_id: str
    redirect_url: str
    expires_at: datetime  # aware, UTC
    amount_cents: int
    currency: str
    booking_reference: str


class CheckoutState(StrEnum):
    OPEN = "open"  # the payer has not finished yet
    PROCESSING = "processing"  # finished, money not confirmed yet (e.g. SEPA debit): keep seats
    PAID = "paid"
    EXPIRED = "expired"  # abandoned or expired: release the seats


@dataclass(frozen=True)
class CheckoutStatus:
    provider: str
    checkout_id: str
    state: CheckoutState
    booking_reference: str | None
    amount_cents: int
    currency: str
    provider_payment_id: str | None  # what refund() takes, once paid
    expires_at: datetime | None


class PaymentEventKind(StrEnum):
    PAID = "paid"
    PROCESSING = "processing"  # checkout finished with a delayed method: extend the seat hold
    FAILED = "failed"  # a delayed payment failed: the booking is awaiting payment again
    EXPIRED = "expired"  # the checkout expired unpaid
    REFUNDED = "refunded"
    REFUND_FAILED = "refund_failed"  # a refund we asked for did not go through: a bank refund to do


@dataclass(frozen=True)
class PaymentEvent:
    """One thing that happened at a provider, normalised.

    ``event_id`` is the provider's id of the event: dedup on (provider, event_id).
    ``booking_reference`` may be None for refund events (look the booking up by
    ``provider_payment_id``). For REFUNDED, ``amount_cents`` is the refund's amount and
    ``refund_id`` names it, except when ``cumulative`` is true: then the provider only told
    the total refunded so far on that payment (Stripe's charge.refunded), and ``amount_cents``
    is that total."""

    provider: str
    event_id: str
    kind: PaymentEventKind
    booking_reference: str | None
    amount_cents: int
    currency: str
    provider_payment_id: str | None
    occurred_at: datetime  # aware, UTC
    checkout_id: str | None = None
    refund_id: str | None = None
    cumulative: bool = False
    provider_type: str = ""  # the provider's own name for it, for the audit log


class RefundState(StrEnum):
    PENDING = "pending"  # asked, not done yet (for the manual provider: a bank refund to do)
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Refund:
    provider: str
    refund_id: str
    provider_payment_id: str
    amount_cents: int
    currency: str
    state: RefundState
    created_at: datetime


@runtime_checkable
class PaymentProvider(Protocol):
    """What the integration calls. ``name`` is stored with each payment."""

    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[PaymentEvent]: ...

    def refund(
        self,
        payment_ref: str,
        amount_cents: int,
        idempotency_key: str,
        *,
        currency: str = "EUR",
        booking_reference: str | None = None,
    ) -> Refund: ...

    def fetch(self, checkout_id: str) -> CheckoutStatus: ...

    def expire_checkout(self, checkout_id: str) -> CheckoutStatus: ...


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header from a Werkzeug Headers object or a plain dict, whatever the case of its name."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


# --- the manual provider ----------------------------------------------------------------------


class ManualMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    ON_SITE = "on_site"


class ManualProvider:
    """Bank transfer and payment on site: nobody to call, no webhooks.

    ``create_checkout`` starts the wait: it sends the payer to the integration's own page (the
    transfer instructions: ``success_url``) and holds the seats ``expires_in`` (the organiser's
    transfer deadline, e.g. 10 days). Money arrives through ``record_payment`` (the organiser
    marks it received, or a bank-statement match), which builds the same PaymentEvent as a
    webhook with a deterministic event id, so recording one payment twice applies it once.
    ``refund`` records a bank refund to do (state PENDING), the same refund for the same key.
    """

    def __init__(self, method: ManualMethod | str = ManualMethod.BANK_TRANSFER, *, clock=None):
        self.method = ManualMethod(method)
        self.name = f"manual_{self.method.value}"
        self._clock = clock or (lambda: datetime.now(UTC))

    def _id(self, kind: str, *parts) -> str:
        digest = hashlib.sha256("\x1f".join(map(str, (self.name, kind, *parts))).encode())
        return f"{kind}_{digest.hexdigest()[:24]}"

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        return Checkout(
            provider=self.name,
            checkout_id=f"{self.method.value}:{request.booking_reference}",
            redirect_url=request.success_url,
            expires_at=(request.started_at or self._clock()) + request.expires_in,
            amount_cents=request.amount_cents,
            currency=request.currency,
            booking_reference=request.booking_reference,
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[PaymentEvent]:
        raise NotSupported("manual payments have no webhooks")

    def fetch(self, checkout_id: str) -> CheckoutStatus:
        raise NotSupported("manual payments are known only to the integration")

    def expire_checkout(self, checkout_id: str) -> CheckoutStatus:
        raise NotSupported("a manual payment has nothing to expire at a provider")

    def record_payment(
        self,
        booking_reference: str,
        amount_cents: int,
        *,
        source_id: str,
        received_at: datetime | None = None,
        currency: str = "EUR",
    ) -> PaymentEvent:
        """A payment received by transfer or on site. ``source_id`` identifies where it comes
        from and must be the same each time the same money is recorded: a bank transaction's
        fingerprint, or e.g. f"desk:{audit_entry_id}" for a payment taken on site."""
        _check_cents(amount_cents, "amount_cents", minimum=1)
        _check_currency(currency)
        if not source_id:
            raise ValueError("record_payment needs a source_id to be recorded once")
        return PaymentEvent(
            provider=self.name,
            event_id=self._id("evt", source_id),
            kind=PaymentEventKind.PAID,
            booking_reference=booking_reference,
            amount_cents=amount_cents,
            currency=currency,
            provider_payment_id=self._id("pay", source_id),
            occurred_at=received_at or self._clock(),
            provider_type="manual.payment_recorded",
        )

    def refund(
        self,
        payment_ref: str,
        amount_cents: int,
        idempotency_key: str,
        *,
        currency: str = "EUR",
        booking_reference: str | None = None,
    ) -> Refund:
        _check_cents(amount_cents, "amount_cents", minimum=1)
        _check_currency(currency)
        if not idempotency_key:
            raise ValueError("a refund needs an idempotency key")
        return Refund(
            provider=self.name,
            refund_id=self._id("re", idempotency_key),
            provider_payment_id=payment_ref,
            amount_cents=amount_cents,
            currency=currency,
            state=RefundState.PENDING,
            created_at=self._clock(),
        )
