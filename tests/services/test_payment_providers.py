"""The provider interface's values (integer cents only) and the manual provider."""

from datetime import UTC, datetime, timedelta

import pytest

from eventapp.services.payments.providers import (
    CheckoutLine,
    CheckoutRequest,
    ManualMethod,
    ManualProvider,
    NotSupported,
    PaymentEventKind,
    RefundState,
    header,
)

NOW = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)


def _request(**overrides):
    values = {
        "booking_reference": "EV-87B4-3CRH",
        "lines": [CheckoutLine("Member", 46800)],
        "success_url": "https://eventapp.test/transfer",
        "cancel_url": "https://eventapp.test/",
        "expires_in": timedelta(days=10),
    }
    values.update(overrides)
    return CheckoutRequest(**values)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("Member", 468.0), TypeError),
        (("Member", True), TypeError),
        (("Member", -1), ValueError),
        (("Member", 100, 0), ValueError),
        (("", 100), ValueError),
        (("Member", "468"), TypeError),
    ],
)
def test_money_is_integer_cents_only(args, error):
    with pytest.raises(error):
        CheckoutLine(*args)


def test_a_checkout_request_totals_its_lines_and_refuses_nothing_to_pay():
    request = _request(lines=[CheckoutLine("Member", 46800, 3), CheckoutLine("Dinner", 8500)])
    assert request.amount_cents == 148900
    assert isinstance(request.lines, tuple)
    with pytest.raises(ValueError):
        _request(lines=[CheckoutLine("Speaker", 0)])
    with pytest.raises(ValueError):
        _request(lines=[])
    with pytest.raises(ValueError):
        _request(currency="eur")
    assert "@" not in repr(_request(customer_email="a@example.org"))


def test_the_manual_provider_holds_the_seats_until_the_transfer_deadline():
    provider = ManualProvider(clock=lambda: NOW)
    checkout = provider.create_checkout(_request())
    assert checkout.provider == "manual_bank_transfer"
    assert checkout.redirect_url == "https://eventapp.test/transfer"
    assert checkout.expires_at == NOW + timedelta(days=10)
    assert checkout.amount_cents == 46800
    for call in (
        lambda: provider.parse_webhook(b"{}", {}),
        lambda: provider.fetch("x"),
        lambda: provider.expire_checkout("x"),
    ):
        with pytest.raises(NotSupported):
            call()


def test_recording_the_same_payment_twice_gives_the_same_event():
    provider = ManualProvider(clock=lambda: NOW)
    first = provider.record_payment("EV-87B4-3CRH", 46800, source_id="bank:abc")
    again = provider.record_payment("EV-87B4-3CRH", 46800, source_id="bank:abc")
    other = provider.record_payment("EV-87B4-3CRH", 46800, source_id="bank:def")
    assert first == again and first.event_id != other.event_id
    assert (first.kind, first.amount_cents, first.currency) == (PaymentEventKind.PAID, 46800, "EUR")
    on_site = ManualProvider(ManualMethod.ON_SITE, clock=lambda: NOW)
    assert on_site.record_payment("EV-87B4-3CRH", 46800, source_id="bank:abc").event_id != (
        first.event_id
    )
    with pytest.raises(ValueError):
        provider.record_payment("EV-87B4-3CRH", 46800, source_id="")
    with pytest.raises(TypeError):
        provider.record_payment("EV-87B4-3CRH", 468.0, source_id="x")


def test_a_manual_refund_is_a_bank_refund_to_do_once_per_key():
    provider = ManualProvider(clock=lambda: NOW)
    refund = provider.refund("pay_1", 46800, "refund:41")
    assert refund.state is RefundState.PENDING and refund.amount_cents == 46800
    assert provider.refund("pay_1", 46800, "refund:41").refund_id == refund.refund_id
    assert provider.refund("pay_1", 46800, "refund:42").refund_id != refund.refund_id
    with pytest.raises(ValueError):
        provider.refund("pay_1", 46800, "")


def test_headers_are_read_whatever_their_case():
    assert header({"stripe-signature": "t=1"}, "Stripe-Signature") == "t=1"
    assert header({"Stripe-Signature": "t=2"}, "stripe-signature") == "t=2"
    assert header({}, "Stripe-Signature") is None
