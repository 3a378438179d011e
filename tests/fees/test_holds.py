"""Seat holds: an unpaid booking keeps its seats until its deadline; at the deadline the job
releases them and the waiting list moves up; a payment that comes later confirms again when
seats are free, else it is flagged for refund; a payment racing the release is applied either
before or after it, never half (real threads)."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import BookingPayment, Event, Registration, utcnow
from eventapp.services import bookings, offers
from eventapp.services.fees import checkout, holds, payments
from eventapp.services.registrations import Participant
from tests.support.races import race


def person(n, domain="sanofi.com"):
    return Participant(
        first_name="P", last_name=str(n), email=f"p{n}@{domain}", category="industrial"
    )


def _book(event_id, category_id, n, now=None):
    with write_transaction():
        event = _db.session.get(Event, event_id)
        result = bookings.book([event], [person(n)], origin=event, now=now)
        created = [o.registration for o in result.created]
        payment = checkout.start(
            result.booking, event, checkout.Choice(category_id), created, now=now
        )
        return payment.id if payment else None


def test_an_unpaid_booking_holds_its_seat_then_the_waiting_list_gets_it(db, paid, mail_outbox):
    event, member = paid["event"], paid["rates"]["member"]
    event.capacity = 1
    db.session.commit()
    held = _book(event.id, member.id, 1)
    waiting = _book(event.id, member.id, 2)
    db.session.rollback()
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses == {"p1@sanofi.com": "confirmed", "p2@sanofi.com": "waitlisted"}
    assert db.session.get(BookingPayment, waiting).due_at is None  # nothing to pay yet
    due = db.session.get(BookingPayment, held).due_at
    # The day before the deadline: a reminder, nothing released.
    report = holds.release_due(due - timedelta(days=1))
    assert report == {"released": 0, "reminded": 1}
    assert any("Rappel de paiement" in m.subject for m in mail_outbox)
    report = holds.release_due(due + timedelta(seconds=1))
    assert report["released"] == 1
    db.session.rollback()
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    # The freed seat is offered to the first person waiting (held for them) ...
    assert statuses == {"p1@sanofi.com": "cancelled", "p2@sanofi.com": "waitlisted"}
    assert db.session.get(BookingPayment, held).state == "cancelled"
    offered = db.session.scalars(
        select(Registration).where(Registration.email == "p2@sanofi.com")
    ).one()
    assert offered.offer_expires_at is not None
    assert db.session.get(BookingPayment, waiting).due_at is None  # nothing to pay until accepted
    # ... who accepts it: confirmed, and their booking now has a deadline to pay.
    with write_transaction():
        offers.accept(
            _db.session.get(Registration, offered.id),
            now=offered.offer_expires_at - timedelta(minutes=1),
        )
    db.session.rollback()
    assert db.session.get(Registration, offered.id).status == "confirmed"
    promoted = db.session.get(BookingPayment, waiting)
    assert promoted.due_at is not None  # moved up: now it has a deadline to pay

    # The transfer arrives after the release, and the seat is taken: flagged for refund.
    with write_transaction():
        late = _db.session.get(BookingPayment, held)
        payments.record_payment(late, 46800, provider="manual_bank_transfer", source="bank:x")
    db.session.rollback()
    late = db.session.get(BookingPayment, held)
    assert (late.state, late.needs_refund, late.paid_cents) == ("cancelled", True, 46800)


def test_a_late_payment_confirms_again_when_a_seat_is_free(db, paid):
    event, member = paid["event"], paid["rates"]["member"]
    held = _book(event.id, member.id, 1)
    due = db.session.get(BookingPayment, held).due_at
    holds.release_due(due + timedelta(minutes=1))
    with write_transaction():
        late = _db.session.get(BookingPayment, held)
        payments.record_payment(late, 46800, provider="manual_bank_transfer", source="bank:y")
    db.session.rollback()
    late = db.session.get(BookingPayment, held)
    assert (late.state, late.needs_refund) == ("paid", False)
    assert db.session.scalar(select(Registration.status)) == "confirmed"


def test_a_payment_racing_the_release_is_never_half_applied(app, db, paid):
    event, member = paid["event"], paid["rates"]["member"]
    event.capacity = 5
    db.session.commit()
    ids = [_book(event.id, member.id, n) for n in range(5)]
    due = db.session.get(BookingPayment, ids[0]).due_at
    after = due + timedelta(seconds=1)
    db.session.rollback()

    def work(n):
        payment_id = ids[n // 2]
        if n % 2:
            with write_transaction():
                return holds.release_one(payment_id, after)
        with write_transaction():
            payment = _db.session.get(BookingPayment, payment_id)
            return payments.record_payment(
                payment, 46800, provider="manual_bank_transfer", source=f"bank:{n}"
            )

    errors, _results = race(app, work, 10)
    assert errors == []
    db.session.rollback()
    for payment_id in ids:
        payment = db.session.get(BookingPayment, payment_id)
        status = db.session.scalar(
            select(Registration.status).where(Registration.booking_id == payment.booking_id)
        )
        # Paid first (the release then finds nothing to do), or released then confirmed
        # again by the late payment (seats were free): either way paid and confirmed.
        assert (payment.state, payment.paid_cents, status) == ("paid", 46800, "confirmed")


def test_the_release_job_is_scheduled(app):
    from eventapp.jobs.schedule import beat_schedule

    entry = beat_schedule(app.config)["fees-release"]
    assert entry["task"] == "fees.release"
    assert utcnow()  # the job's own clock is the real one
