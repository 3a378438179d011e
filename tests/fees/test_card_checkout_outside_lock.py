"""The card checkout's HTTP call to the provider is not in the critical path: nothing is
locked or written while it runs (another booking's writes go through meanwhile, on SQLite and
PostgreSQL), a provider that fails or does not answer in time gives a clear message and
changes nothing, and a payment settled during the call is not overwritten."""

import threading

from sqlalchemy import select

from eventapp.database import lock_event_row, write_transaction
from eventapp.extensions import db as _db
from eventapp.models import BookingPayment
from eventapp.services.fees import cards
from tests.fees.test_card_payment import _book


def _during_the_call(monkeypatch, action):
    """Run action() in another thread (its own connection) while create_checkout runs."""
    real = cards.provider
    seen = {}

    class Watched:
        def __init__(self, inner):
            self.inner = inner

        def create_checkout(self, request):
            thread = threading.Thread(target=lambda: seen.update(result=action()))
            thread.start()
            thread.join(timeout=15)
            seen["finished"] = not thread.is_alive()
            return self.inner.create_checkout(request)

    monkeypatch.setattr(cards, "provider", lambda: Watched(real()))
    return seen


def test_nothing_is_locked_while_the_provider_is_called(
    app, client, db, paid, stripe_app, monkeypatch
):
    payment, token = _book(client, db, paid)
    event_id = paid["event"].id

    def another_write():
        with app.app_context(), write_transaction():
            lock_event_row(event_id)  # the same event's lock, as a registration would take
            other = _db.session.get(type(paid["event"]), event_id)
            other.capacity = 11
        return "written"

    seen = _during_the_call(monkeypatch, another_write)
    started = client.post(f"/b/{token}/pay/card")
    assert started.status_code == 303
    assert seen == {"finished": True, "result": "written"}
    db.session.rollback()
    stored = db.session.get(BookingPayment, payment.id)
    assert stored.checkout_id and stored.method == "card" and stored.checkout_attempt == 1
    assert db.session.get(type(paid["event"]), event_id).capacity == 11


def test_a_provider_that_does_not_answer_gives_a_clear_message_and_changes_nothing(
    app, client, db, paid, stripe_app, monkeypatch
):
    payment, token = _book(client, db, paid)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nobody there
    monkeypatch.setitem(app.config, "STRIPE_TIMEOUT_SECONDS", 2)
    cards._PROVIDERS.clear()
    response = client.post(f"/b/{token}/pay/card", follow_redirects=True)
    assert response.status_code == 200
    assert "Le service de paiement par carte n’a pas répondu" in response.text
    db.session.rollback()
    stored = db.session.get(BookingPayment, payment.id)
    assert (stored.checkout_id, stored.checkout_attempt, stored.method) == (None, 0, None)


def test_a_payment_settled_during_the_call_is_not_overwritten(
    app, client, db, paid, stripe_app, monkeypatch
):
    payment, token = _book(client, db, paid)
    payment_id = payment.id

    def pay_by_transfer():
        with app.app_context(), write_transaction():
            found = _db.session.get(BookingPayment, payment_id)
            found.state = "paid"
            found.paid_cents = found.total_cents
            found.method = "transfer"
        return "paid"

    seen = _during_the_call(monkeypatch, pay_by_transfer)
    response = client.post(f"/b/{token}/pay/card")
    assert seen["result"] == "paid" and response.status_code == 302
    db.session.rollback()
    stored = db.session.scalar(select(BookingPayment).where(BookingPayment.id == payment_id))
    assert (stored.state, stored.method, stored.checkout_id) == ("paid", "transfer", None)
