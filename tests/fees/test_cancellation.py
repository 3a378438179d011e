"""Self-service cancellation of a paid booking: the page says what the policy refunds, the
refund is recorded (a bank refund to do for a transfer); an unpaid registration leaves the
booking's total and frees its place."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.models import BookingLine, BookingPayment, FeeSettings, PaymentTransaction, utcnow
from tests.fees.conftest import form


def _booked(client, db, paid):
    event = paid["event"]
    client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    line = db.session.scalar(select(BookingLine))
    return payment, line


def test_after_the_full_refund_date_the_policy_refunds_its_share(client, db, paid):
    event = paid["event"]
    db.session.add(
        FeeSettings(
            event_id=event.id,
            full_refund_until=utcnow() - timedelta(days=1),
            late_refund_percent=50,
        )
    )
    db.session.commit()
    payment, line = _booked(client, db, paid)
    payment.paid_cents, payment.state = payment.total_cents, "paid"
    db.session.commit()
    token = payment.booking.manage_token
    url = f"/b/{token}/cancel/{line.registration_id}"
    page = client.get(url).text.replace("\u202f", " ").replace("\xa0", " ")
    assert "234,00 €" in page
    assert client.post(url).status_code == 302
    db.session.rollback()
    payment = db.session.get(BookingPayment, payment.id)
    assert (payment.state, payment.refunded_cents) == ("partly_refunded", 23400)
    todo = db.session.scalar(select(PaymentTransaction).where(PaymentTransaction.kind == "refund"))
    assert (todo.state, todo.amount_cents) == ("pending", 23400)  # a bank refund to do


def test_an_unpaid_cancelled_registration_is_no_longer_owed(client, db, paid):
    payment, line = _booked(client, db, paid)
    token = payment.booking.manage_token
    page = client.get(f"/b/{token}/cancel/{line.registration_id}").text
    assert "rembours" not in page
    client.post(f"/b/{token}/cancel/{line.registration_id}")
    db.session.rollback()
    payment = db.session.get(BookingPayment, payment.id)
    assert (payment.state, payment.total_cents) == ("cancelled", 0)
    assert db.session.scalar(select(BookingLine)) is None
