"""A card checkout left unfinished holds the booking's seats for the checkout's own minutes (30
by default, the organiser's `card_minutes`), not the transfer's 10 days (issue 14): at that
deadline the release job frees them and the waiting list moves up; going back to the bank
transfer before it gives the transfer deadline again (never a new, later one); a card payment
that arrives after the release follows the rule of every late payment (confirmed again when
the seats are free, else flagged for refund), also when its webhook races the release in real
threads; the payment page says until when the seats are held."""

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Booking, BookingPayment, Registration, utcnow
from eventapp.services.counts import taken_count
from eventapp.services.fees import deadlines, holds, pricing
from tests.fees.conftest import form
from tests.fees.test_card_payment import _book
from tests.fees.test_holds import _book as _book_by_service
from tests.support.races import race


def _session_of(stripe_app, payment):
    return next(
        sid
        for sid, s in stripe_app.sessions.items()
        if s["client_reference_id"] == payment.bank_reference
    )


def _completed_event(stripe_app, session_id):
    return next(
        e
        for e in stripe_app.events.values()
        if e["type"] == "checkout.session.completed" and e["data"]["object"]["id"] == session_id
    )


def _status_of(db, payment):
    return db.session.scalar(
        select(Registration.status).where(Registration.booking_id == payment.booking_id)
    )


def test_an_unfinished_card_checkout_holds_the_seat_for_its_minutes_then_the_waiting_list_gets_it(
    client, db, paid, stripe_app, mail_outbox
):
    event = paid["event"]
    event.capacity = 1
    db.session.commit()
    payment, token = _book(client, db, paid)
    waiting = _book_by_service(event.id, paid["rates"]["member"].id, 2)
    transfer_deadline = db.session.get(BookingPayment, payment.id).due_at
    assert transfer_deadline - utcnow() > timedelta(days=9)  # a new booking: the transfer's

    before = utcnow()
    assert client.post(f"/b/{token}/pay/card").status_code == 303
    db.session.rollback()
    held = db.session.get(BookingPayment, payment.id)
    card_deadline = held.due_at
    # The checkout's 30 minutes (a minute's slack for the provider's clock, the webhook's
    # grace), not ten days.
    assert (
        before + timedelta(minutes=30)
        <= card_deadline
        <= utcnow() + timedelta(minutes=31) + deadlines.CARD_GRACE
    )
    assert held.transfer_due_at == transfer_deadline  # kept aside

    # Back from the provider's page without paying: the page says until when.
    page = client.get(f"/b/{token}/pay").get_data(as_text=True)
    assert "Votre paiement par carte n’est pas terminé" in page
    assert "Payer par virement à la place" in page

    # A minute before the deadline: nothing released, and no e-mail reminder for minutes.
    assert holds.release_due(card_deadline - timedelta(minutes=1)) == {
        "released": 0,
        "reminded": 0,
    }
    assert holds.release_due(card_deadline + timedelta(seconds=1))["released"] == 1
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).state == "cancelled"
    assert _status_of(db, payment) == "cancelled"
    offered = db.session.scalar(
        select(Registration).where(Registration.booking_id != payment.booking_id)
    )
    assert offered.offer_expires_at is not None  # the waiting list's first gets the seat
    assert db.session.get(BookingPayment, waiting).state == "awaiting_payment"


def test_the_organiser_sets_the_card_minutes(client, db, paid, stripe_app):
    pricing.settings_of(paid["event"], create=True).card_minutes = 45
    db.session.commit()
    payment, token = _book(client, db, paid)
    before = utcnow()
    client.post(f"/b/{token}/pay/card")
    db.session.rollback()
    due = db.session.get(BookingPayment, payment.id).due_at
    assert before + timedelta(minutes=45) <= due <= utcnow() + timedelta(minutes=48)
    [session] = stripe_app.sessions.values()  # the session lives as long (+ a minute's slack)
    assert session["expires_at"] - int(before.timestamp()) in range(46 * 60 - 2, 46 * 60 + 3)


def test_going_back_to_the_transfer_gives_the_transfer_deadline_again_never_a_later_one(
    client, db, paid, stripe_app
):
    payment, token = _book(client, db, paid)
    transfer_deadline = db.session.get(BookingPayment, payment.id).due_at
    client.post(f"/b/{token}/pay/card")
    chosen = client.post(f"/b/{token}/pay/transfer")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/pay")
    db.session.rollback()
    back = db.session.get(BookingPayment, payment.id)
    assert (back.due_at, back.method) == (transfer_deadline, "transfer")
    page = client.get(f"/b/{token}/pay").get_data(as_text=True)
    assert "FR7630006000011234567890189" in page and payment.bank_reference in page
    assert "n’est pas terminé" not in page
    # Another card attempt then the transfer again: still the first deadline (no extension).
    client.post(f"/b/{token}/pay/card")
    client.post(f"/b/{token}/pay/transfer")
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).due_at == transfer_deadline
    # The release job leaves it alone at the card's deadline.
    assert holds.release_due(utcnow() + timedelta(hours=1))["released"] == 0
    # Nothing to choose once released, or on the waiting list: a message, nothing written.
    holds.release_due(transfer_deadline + timedelta(seconds=1))
    refused = client.post(f"/b/{token}/pay/transfer", follow_redirects=True)
    assert "Il ne reste rien à payer pour cette réservation" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).state == "cancelled"


def test_the_waiting_list_cannot_open_a_card_hold(client, db, paid, stripe_app):
    event = paid["event"]
    event.capacity = 1
    db.session.commit()
    _book(client, db, paid)
    client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["member"], email="tom.petit@sanofi.com", first_name="Tom"),
    )
    db.session.rollback()
    waiting = db.session.scalars(select(BookingPayment).order_by(BookingPayment.id)).all()[1]
    token = db.session.get(Booking, waiting.booking_id).manage_token
    client.post(f"/b/{token}/pay/card")
    db.session.rollback()
    after = db.session.get(BookingPayment, waiting.id)
    # No deadline on the waiting list: a forged card POST must not give one (it would be
    # released, i.e. taken off the waiting list, 30 minutes later).
    assert (after.due_at, after.checkout_id) == (None, None)


def test_a_card_payment_after_the_release_confirms_again_or_is_flagged_for_refund(
    client, db, paid, stripe_app
):
    event = paid["event"]
    event.capacity = 1
    db.session.commit()
    payment, token = _book(client, db, paid)
    client.post(f"/b/{token}/pay/card")
    db.session.rollback()
    due = db.session.get(BookingPayment, payment.id).due_at
    holds.release_due(due + timedelta(seconds=1))
    # The seat is still free: the payer finished at the provider late, it confirms again.
    session_id = _session_of(stripe_app, payment)
    stripe_app.pay(session_id)
    body, headers = stripe_app.signed(_completed_event(stripe_app, session_id))
    assert client.post("/payments/stripe/webhook", data=body, headers=headers).status_code == 200
    db.session.rollback()
    late = db.session.get(BookingPayment, payment.id)
    assert (late.state, late.needs_refund, _status_of(db, late)) == ("paid", False, "confirmed")

    # Another booker, whose seat went to the waiting list meanwhile: flagged for refund.
    event.capacity = 2
    db.session.commit()
    second = client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["member"], email="tom.petit@sanofi.com", first_name="Tom"),
    )
    assert second.status_code == 302
    db.session.rollback()
    other = db.session.scalars(select(BookingPayment).order_by(BookingPayment.id)).all()[1]
    other_token = db.session.get(Booking, other.booking_id).manage_token
    client.post(f"/b/{other_token}/pay/card")
    db.session.rollback()
    holds.release_due(db.session.get(BookingPayment, other.id).due_at + timedelta(seconds=1))
    event = db.session.get(type(event), event.id)
    event.capacity = 1  # the organiser reduced it: no seat for the late payer
    db.session.commit()
    session_id = _session_of(stripe_app, other)
    stripe_app.pay(session_id)
    body, headers = stripe_app.signed(_completed_event(stripe_app, session_id))
    client.post("/payments/stripe/webhook", data=body, headers=headers)
    db.session.rollback()
    flagged = db.session.get(BookingPayment, other.id)
    assert (flagged.state, flagged.needs_refund, flagged.paid_cents) == ("cancelled", True, 46800)
    assert _status_of(db, flagged) == "cancelled"


def test_the_webhook_racing_the_release_is_applied_before_or_after_it_never_half(
    app, client, db, paid, stripe_app
):
    """Three card bookings fill the event, three people wait; each booking's payment webhook
    and its release run at once in real threads. Either the payment came first (paid, the
    seat kept, the release did nothing) or the release did (the seat offered to the waiting
    list, the late payment flagged for refund): never a paid booking without its seat, never
    more seats taken than the capacity."""
    event = paid["event"]
    event.capacity = 3
    db.session.commit()
    member = paid["rates"]["member"]
    booked = []
    for n in range(3):
        data = form(member, email=f"card{n}@sanofi.com", first_name=f"Card{n}")
        assert client.post(f"/events/{event.slug}/register", data=data).status_code == 302
    for n in range(3):
        _book_by_service(event.id, member.id, 100 + n)  # the waiting list
    db.session.rollback()
    for payment in db.session.scalars(
        select(BookingPayment).where(BookingPayment.due_at.is_not(None)).order_by("id")
    ):
        token = db.session.get(Booking, payment.booking_id).manage_token
        assert client.post(f"/b/{token}/pay/card").status_code == 303
        booked.append(payment.id)
    db.session.rollback()
    deliveries = {}
    latest = None
    for payment_id in booked:
        payment = db.session.get(BookingPayment, payment_id)
        session_id = _session_of(stripe_app, payment)
        stripe_app.pay(session_id)  # finished at the provider; the webhook is on its way
        deliveries[payment_id] = stripe_app.signed(_completed_event(stripe_app, session_id))
        latest = max(latest or payment.due_at, payment.due_at)
    after = latest + timedelta(seconds=1)
    db.session.rollback()

    def work(n):
        payment_id = booked[n // 2]
        if n % 2:
            with write_transaction():
                return holds.release_one(payment_id, after)
        body, headers = deliveries[payment_id]
        return app.test_client().post("/payments/stripe/webhook", data=body, headers=headers)

    errors, results = race(app, work, 6)
    assert errors == []
    assert all(results[n].status_code == 200 for n in range(0, 6, 2))
    db.session.rollback()
    outcomes = set()
    for payment_id in booked:
        payment = db.session.get(BookingPayment, payment_id)
        outcome = (payment.state, payment.needs_refund, payment.paid_cents, _status_of(db, payment))
        assert outcome in {
            ("paid", False, 46800, "confirmed"),  # paid before the release
            ("cancelled", True, 46800, "cancelled"),  # released first, the seat went on
        }, outcome
        outcomes.add(outcome[0])
    event = db.session.get(type(event), event.id)
    assert taken_count(event.id) <= 3
    released = db.session.scalar(
        select(func.count()).select_from(BookingPayment).where(BookingPayment.state == "cancelled")
    )
    offers = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.offer_expires_at.is_not(None), Registration.status == "waitlisted")
    )
    assert offers == released  # every released seat went to someone waiting
    _db.session.remove()
