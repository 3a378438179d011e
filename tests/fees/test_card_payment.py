"""Card payment through the Stripe adapter against the local stand-in: the checkout session,
the signed webhook applied once even when delivered twice, a forged one refused with 400 and
no change, refunds through the provider's API by a job."""

from sqlalchemy import func, select

from eventapp.models import Booking, BookingPayment, PaymentTransaction, ProviderEvent
from tests.fees.conftest import form


def _book(client, db, paid):
    event = paid["event"]
    response = client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    assert response.status_code == 302
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    return payment, db.session.get(Booking, payment.booking_id).manage_token


def _completed(standin):
    return next(e for e in standin.events.values() if e["type"] == "checkout.session.completed")


def test_a_card_payment_is_applied_once_and_a_forged_webhook_changes_nothing(
    client, db, paid, stripe_app
):
    payment, token = _book(client, db, paid)
    started = client.post(f"/b/{token}/pay/card")
    assert started.status_code == 303
    assert started.headers["Location"].startswith(stripe_app.base_url)
    [session_id] = stripe_app.sessions
    session = stripe_app.sessions[session_id]
    assert (
        session["amount_total"] == 46800
        and session["client_reference_id"] == payment.bank_reference
    )
    stripe_app.pay(session_id)
    event = _completed(stripe_app)

    forged_body, forged_headers = stripe_app.signed(event, bad_signature=True)
    refused = client.post("/payments/stripe/webhook", data=forged_body, headers=forged_headers)
    assert refused.status_code == 400
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).state == "awaiting_payment"
    assert db.session.scalar(select(func.count()).select_from(ProviderEvent)) == 0

    for _ in range(2):  # Stripe delivers again when unsure: the second changes nothing
        body, headers = stripe_app.signed(event)
        assert (
            client.post("/payments/stripe/webhook", data=body, headers=headers).status_code == 200
        )
    db.session.rollback()
    paid_now = db.session.get(BookingPayment, payment.id)
    assert (paid_now.state, paid_now.paid_cents, paid_now.method) == ("paid", 46800, "card")
    assert db.session.scalar(select(func.count()).select_from(PaymentTransaction)) == 1
    done = client.get(f"/b/{token}/pay/done", follow_redirects=True)
    assert "Merci" in done.text and "Payé" in done.text


def test_a_refund_goes_through_the_provider_once(client, db, paid, stripe_app, login):
    payment, token = _book(client, db, paid)
    client.post(f"/b/{token}/pay/card")
    [session_id] = stripe_app.sessions
    stripe_app.pay(session_id)
    body, headers = stripe_app.signed(_completed(stripe_app))
    client.post("/payments/stripe/webhook", data=body, headers=headers)
    login(paid["manager"])
    too_much = client.post(
        f"/organiser/events/{paid['event'].id}/payments/{payment.id}/refund",
        data={"amount": "500"},
    )
    assert too_much.status_code == 302
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).refunded_cents == 0
    partial = client.post(
        f"/organiser/events/{paid['event'].id}/payments/{payment.id}/refund",
        data={"amount": "100,50"},
    )
    assert partial.status_code == 302
    db.session.rollback()
    refunded = db.session.get(BookingPayment, payment.id)
    assert (refunded.state, refunded.refunded_cents) == ("partly_refunded", 10050)
    [refund] = stripe_app.refunds.values()
    assert refund["amount"] == 10050
    transaction = db.session.scalar(
        select(PaymentTransaction).where(PaymentTransaction.kind == "refund")
    )
    assert transaction.refund_id == refund["id"] and transaction.state == "succeeded"
    # The job run again (a retry) gets the same refund back, never a second one.
    from eventapp.services.fees.refunds import run_refund

    transaction.refund_id = None
    transaction.state = "pending"
    db.session.commit()
    run_refund(transaction.id)
    assert len(stripe_app.refunds) == 1


def test_the_webhook_is_refused_without_card_payment_configured(client):
    assert client.post("/payments/stripe/webhook", data=b"{}").status_code == 404
