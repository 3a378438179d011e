"""The Stripe adapter end to end against the local stand-in: real HTTP both ways, the official
`stripe` package on the adapter's side, webhooks signed as Stripe signs them."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eventapp.services.payments.providers import (
    CheckoutLine,
    CheckoutRequest,
    CheckoutState,
    PaymentEventKind,
    PaymentProvider,
    ProviderConfigurationError,
    ProviderRejected,
    ProviderUnavailable,
    RefundState,
    WebhookPayloadError,
    WebhookSignatureError,
)
from eventapp.services.payments.stripe_provider import StripeProvider
from tests.support.stripe_standin import WebhookReceiver, stripe_standin  # noqa: F401
from tests.support.stripe_webhooks import build_event, signature_header

REFERENCE = "EV-87B4-3CRH"


@pytest.fixture
def provider(stripe_standin):  # noqa: F811
    return StripeProvider.from_config(stripe_standin.config())


@pytest.fixture
def receiver(stripe_standin, provider):  # noqa: F811
    """The app's side of the webhook, in miniature: verify with the adapter, 400 if forged."""
    events = []

    def handle(body, headers):
        try:
            events.extend(provider.parse_webhook(body, headers))
        except (WebhookSignatureError, WebhookPayloadError):
            return 400
        return 200

    with WebhookReceiver(handle) as running:
        running.events = events
        stripe_standin.webhook_url = running.url
        yield running


def _request(**overrides):
    values = {
        "booking_reference": REFERENCE,
        "lines": [
            CheckoutLine("Congrès France Bioproduction 2026 – member", 46800, 2),
            CheckoutLine("Gala dinner", 8500),
        ],
        "success_url": "https://eventapp.test/pay/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://eventapp.test/pay/cancelled",
        "locale": "fr",
    }
    values.update(overrides)
    return CheckoutRequest(**values)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _submit(url, **form):
    """POST the hosted page's form as a browser would; (status, Location, body)."""
    opener = urllib.request.build_opener(_NoRedirect)
    data = urllib.parse.urlencode(form).encode()
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=10) as response:  # noqa: S310
            return response.status, None, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location"), exc.read().decode()


def _pay(checkout, method="card", card="4242 4242 4242 4242"):
    with urllib.request.urlopen(checkout.redirect_url, timeout=10) as page:  # noqa: S310
        html = page.read().decode()
    assert 'method="post"' in html and 'for="card_number"' in html
    return _submit(checkout.redirect_url, card_number=card, method=method)


def test_both_providers_implement_the_interface(provider):
    from eventapp.services.payments.providers import ManualProvider

    assert isinstance(provider, PaymentProvider)
    assert isinstance(ManualProvider(), PaymentProvider)
    assert "sk_test" not in repr(provider)


def test_create_and_fetch_a_checkout_session(stripe_standin, provider):  # noqa: F811
    before = datetime.now(UTC)
    checkout = provider.create_checkout(_request(customer_email="sophie.martin@example.org"))
    assert checkout.checkout_id.startswith("cs_test_")
    assert checkout.redirect_url == f"{stripe_standin.base_url}/c/pay/{checkout.checkout_id}"
    assert (checkout.amount_cents, checkout.currency) == (2 * 46800 + 8500, "EUR")
    # 30 minutes asked; Stripe measures from its own clock, so a minute of slack is added.
    assert timedelta(minutes=30) < checkout.expires_at - before <= timedelta(minutes=31, seconds=2)

    session = stripe_standin.sessions[checkout.checkout_id]
    assert session["mode"] == "payment" and session["currency"] == "eur"
    assert session["client_reference_id"] == REFERENCE
    assert session["metadata"] == {"booking_reference": REFERENCE}
    assert session["_intent_metadata"] == {"booking_reference": REFERENCE}
    assert session["locale"] == "fr" and session["customer_email"] == "sophie.martin@example.org"
    assert [
        (i["description"], i["quantity"], i["price"]["unit_amount"])
        for i in stripe_standin.line_items[checkout.checkout_id]
    ] == [("Congrès France Bioproduction 2026 – member", 2, 46800), ("Gala dinner", 1, 8500)]

    status = provider.fetch(checkout.checkout_id)
    assert status.state is CheckoutState.OPEN
    assert (status.booking_reference, status.amount_cents, status.provider_payment_id) == (
        REFERENCE,
        102100,
        None,
    )


def test_the_same_idempotency_key_gives_the_same_session(stripe_standin, provider):  # noqa: F811
    started = datetime.now(UTC)
    first = provider.create_checkout(_request(idempotency_key="checkout:41:1", started_at=started))
    time.sleep(1.1)  # a retry a second later asks for the same expiry (Stripe compares them)
    again = provider.create_checkout(_request(idempotency_key="checkout:41:1", started_at=started))
    other = provider.create_checkout(_request(idempotency_key="checkout:41:2", started_at=started))
    assert first.checkout_id == again.checkout_id != other.checkout_id
    assert first.expires_at == again.expires_at
    assert len(stripe_standin.sessions) == 2


def test_paying_on_the_hosted_page_sends_a_signed_webhook(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    status, location, _ = _pay(checkout)
    assert status == 303
    assert location == f"https://eventapp.test/pay/done?session={checkout.checkout_id}"
    # Delivered before the redirect, signed in Stripe's header format.
    [delivery] = receiver.received
    assert delivery.status == 200
    assert delivery.headers["Stripe-Signature"].startswith("t=")
    assert ",v1=" in delivery.headers["Stripe-Signature"]
    [event] = receiver.events
    assert event.kind is PaymentEventKind.PAID
    assert event.event_id.startswith("evt_")
    assert (event.booking_reference, event.amount_cents, event.currency) == (
        REFERENCE,
        102100,
        "EUR",
    )
    assert event.checkout_id == checkout.checkout_id
    assert event.provider_payment_id.startswith("pi_")
    assert abs(event.occurred_at - datetime.now(UTC)) < timedelta(minutes=1)

    status = provider.fetch(checkout.checkout_id)
    assert status.state is CheckoutState.PAID
    assert status.provider_payment_id == event.provider_payment_id
    # The page is gone once paid.
    assert _submit(checkout.redirect_url, card_number="4242424242424242")[0] == 410


def test_a_duplicate_delivery_carries_the_same_event_id(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    _pay(checkout)
    first = receiver.events[0]
    assert stripe_standin.deliver(first.event_id, times=2) == [200, 200]
    assert [e.event_id for e in receiver.events] == [first.event_id] * 3
    assert len({d.body for d in receiver.received}) == 1  # the very same bytes, re-signed
    assert receiver.events[1] == receiver.events[2] == first


def test_a_bad_signature_is_refused(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    _pay(checkout)
    event_id = receiver.events[0].event_id
    assert stripe_standin.deliver(event_id, bad_signature=True) == [400]
    assert len(receiver.events) == 1  # nothing more was believed

    body, headers = stripe_standin.signed(stripe_standin.events[event_id])
    provider.parse_webhook(body, headers)  # the genuine one passes
    tampered = body.replace(b'"amount_total": 102100', b'"amount_total": 100')
    assert tampered != body
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(tampered, headers)
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(body, {})
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(body, {"stripe-signature": "garbage"})
    old = stripe_standin.signed(body, timestamp=int(time.time()) - 600)[1]
    with pytest.raises(WebhookSignatureError):  # replayed later than Stripe's 5 minutes
        provider.parse_webhook(body, old)
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(b"\xff\xfe not utf-8", headers)


def test_signed_but_unreadable_bodies_are_payload_errors(stripe_standin, provider):  # noqa: F811
    for body in (b"not json", json.dumps({"id": "evt_1", "type": "charge.refunded"}).encode()):
        with pytest.raises(WebhookPayloadError):
            provider.parse_webhook(*stripe_standin.signed(body))


def test_the_signature_is_the_documented_hmac(provider, stripe_standin):  # noqa: F811
    event = build_event("payment_intent.created", {"id": "pi_1", "object": "payment_intent"})
    body = json.dumps(event).encode()
    header = signature_header(body, stripe_standin.webhook_secret, timestamp=int(time.time()))
    assert provider.parse_webhook(body, {"Stripe-Signature": header}) == []  # ignored type


def test_a_declined_card_stays_on_the_page_and_sends_nothing(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    status, _, html = _pay(checkout, card="4000 0000 0000 0002")
    assert status == 402 and "Your card was declined." in html and 'role="alert"' in html
    assert _pay(checkout, card="1234")[0] == 402
    assert receiver.received == []
    assert provider.fetch(checkout.checkout_id).state is CheckoutState.OPEN


def test_the_hosted_page_is_plain_html_with_a_cancel_link(provider):
    checkout = provider.create_checkout(_request())
    with urllib.request.urlopen(checkout.redirect_url, timeout=10) as page:  # noqa: S310
        html = page.read().decode()
    assert "<script" not in html and "style=" not in html and " on" + "click" not in html
    assert '<a href="https://eventapp.test/pay/cancelled">Cancel</a>' in html
    assert "EUR 1021.00" in html and 'lang="en"' in html


def test_a_delayed_payment_is_processing_then_paid_or_failed(stripe_standin, provider, receiver):  # noqa: F811
    paid, failed = provider.create_checkout(_request()), provider.create_checkout(_request())
    assert _pay(paid, method="sepa_debit")[0] == 303
    assert _pay(failed, method="sepa_debit")[0] == 303
    assert [e.kind for e in receiver.events] == [PaymentEventKind.PROCESSING] * 2
    assert provider.fetch(paid.checkout_id).state is CheckoutState.PROCESSING
    stripe_standin.settle(paid.checkout_id)
    stripe_standin.settle(failed.checkout_id, succeeded=False)
    stripe_standin.wait_for_deliveries()
    kinds = {e.checkout_id: e.kind for e in receiver.events[2:]}
    assert kinds == {
        paid.checkout_id: PaymentEventKind.PAID,
        failed.checkout_id: PaymentEventKind.FAILED,
    }
    assert provider.fetch(paid.checkout_id).state is CheckoutState.PAID


def test_expiring_a_session(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    assert provider.expire_checkout(checkout.checkout_id).state is CheckoutState.EXPIRED
    assert provider.expire_checkout(checkout.checkout_id).state is CheckoutState.EXPIRED
    stripe_standin.wait_for_deliveries()
    [event] = receiver.events
    assert (event.kind, event.booking_reference) == (PaymentEventKind.EXPIRED, REFERENCE)
    assert _submit(checkout.redirect_url, card_number="4242424242424242")[0] == 410


def test_a_session_expires_at_its_time(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    stripe_standin.clock = lambda: time.time() + 31 * 60 + 5
    assert provider.fetch(checkout.checkout_id).state is CheckoutState.EXPIRED
    stripe_standin.wait_for_deliveries()
    assert [e.kind for e in receiver.events] == [PaymentEventKind.EXPIRED]


def test_refunds_are_idempotent_and_bounded(stripe_standin, provider, receiver):  # noqa: F811
    checkout = provider.create_checkout(_request())
    _pay(checkout)
    payment = receiver.events[0].provider_payment_id
    first = provider.refund(payment, 46800, "refund:41:1", booking_reference=REFERENCE)
    again = provider.refund(payment, 46800, "refund:41:1", booking_reference=REFERENCE)
    assert first == again
    assert (first.amount_cents, first.currency, first.state) == (
        46800,
        "EUR",
        RefundState.SUCCEEDED,
    )
    assert first.refund_id.startswith("re_") and first.provider_payment_id == payment
    assert len(stripe_standin.refunds) == 1
    with pytest.raises(ProviderRejected) as reused:  # the same key for another refund
        provider.refund(payment, 100, "refund:41:1")
    assert reused.value.http_status == 400
    with pytest.raises(ProviderRejected) as too_much:
        provider.refund(payment, 102100, "refund:41:2")
    assert too_much.value.provider_code == "amount_too_large"
    provider.refund(payment, 102100 - 46800, "refund:41:3")
    assert stripe_standin.charges[next(iter(stripe_standin.charges))]["refunded"] is True

    stripe_standin.wait_for_deliveries()
    refunds = [e for e in receiver.events if e.kind is PaymentEventKind.REFUNDED]
    by_type = {(e.provider_type, e.amount_cents, e.cumulative) for e in refunds}
    assert by_type == {
        ("charge.refunded", 46800, True),
        ("refund.created", 46800, False),
        ("charge.refunded", 102100, True),
        ("refund.created", 55300, False),
    }
    assert {e.provider_payment_id for e in refunds} == {payment}
    created = [e for e in refunds if e.refund_id == first.refund_id]
    assert [e.booking_reference for e in created] == [REFERENCE]


def test_refunding_an_unknown_or_unpaid_payment_is_rejected(provider):
    with pytest.raises(ProviderRejected) as missing:
        provider.refund("pi_test_nothing", 100, "k")
    assert missing.value.provider_code == "resource_missing"
    with pytest.raises(ValueError):
        provider.refund("pi_test_nothing", 1.5, "k")
    with pytest.raises(ValueError):
        provider.refund("pi_test_nothing", 100, "")


def test_a_wrong_key_or_an_unreachable_stripe_are_told_apart(stripe_standin):  # noqa: F811
    wrong = StripeProvider("sk_test_wrong", "whsec_x", api_base=stripe_standin.base_url)
    with pytest.raises(ProviderConfigurationError):
        wrong.create_checkout(_request())
    down = StripeProvider(
        "sk_test_x", "whsec_x", api_base="http://127.0.0.1:9", max_network_retries=0, timeout=2
    )
    with pytest.raises(ProviderUnavailable):
        down.fetch("cs_test_1")
    with pytest.raises(ProviderConfigurationError):
        StripeProvider.from_config({"STRIPE_SECRET_KEY": "sk_test_x"})


def test_the_stand_in_answers_in_stripes_error_shape(stripe_standin):  # noqa: F811
    request = urllib.request.Request(  # noqa: S310
        f"{stripe_standin.base_url}/v1/checkout/sessions",
        data=b"mode=payment&line_items[0][quantity]=1&success_url=https://x.test/&foo=1",
        headers={"Authorization": f"Bearer {stripe_standin.api_key}"},
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    error = json.loads(answer.value.read())["error"]
    assert answer.value.code == 400
    assert error == {
        "type": "invalid_request_error",
        "message": "Received unknown parameter: foo",
        "param": "foo",
        "code": "parameter_unknown",
        "doc_url": "https://stripe.com/docs/error-codes/parameter-unknown",
    }


def test_stripe_is_imported_only_when_used():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys\n"
        "import eventapp.services.payments.stripe_provider as s\n"
        "p = s.StripeProvider('sk_test_x', 'whsec_x')\n"
        "assert 'stripe' not in sys.modules, 'imported at start-up'\n"
        "p.client()\n"
        "assert 'stripe' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=root, check=True)
