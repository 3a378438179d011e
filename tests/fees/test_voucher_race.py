"""A voucher's limit and a rate's quota hold under 50 simultaneous bookings (real threads, each
with its own connection): the voucher's uses are taken by one conditional UPDATE, the quota is
counted under the event's lock; a refused booking leaves nothing behind."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Booking, BookingPayment, Event, Registration, Voucher
from eventapp.services import bookings
from eventapp.services.fees import checkout
from eventapp.services.fees.errors import FeeError
from eventapp.services.registrations import Participant
from tests.fees.conftest import voucher
from tests.support.races import race


def _booker(event_id, category_id, code=""):
    def book(n):
        try:
            with write_transaction():
                event = _db.session.get(Event, event_id)
                person = Participant(
                    first_name="P", last_name=str(n), email=f"p{n}@univ.fr", category="academic"
                )
                result = bookings.book([event], [person], origin=event)
                checkout.start(
                    result.booking,
                    event,
                    checkout.Choice(category_id, voucher_code=code, justification="Thèse"),
                    [o.registration for o in result.created],
                )
            return "booked"
        except FeeError as error:
            return str(error.code)

    return book


def test_fifty_simultaneous_bookings_never_use_a_voucher_past_its_limit(app, db, paid):
    event, rate = paid["event"], paid["rates"]["non_member"]
    event.capacity = 100
    db.session.commit()
    code = voucher(event, code="GENOPOLE10", kind="free", max_uses=10)
    errors, results = race(app, _booker(event.id, rate.id, "genopole10"), 50)
    assert errors == []
    outcomes = sorted(results.values())
    assert outcomes.count("booked") == 10 and outcomes.count("voucher_used_up") == 40
    db.session.rollback()
    assert db.session.get(Voucher, code.id).used == 10
    assert db.session.scalar(select(func.count()).select_from(BookingPayment)) == 10
    # The refused bookings rolled back whole: no registration, no booking left behind.
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 10
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 10


def test_fifty_simultaneous_bookings_never_exceed_a_rate_quota(app, db, paid):
    event, student = paid["event"], paid["rates"]["student"]
    event.capacity = 100
    student.quota = 7
    db.session.commit()
    errors, results = race(app, _booker(event.id, student.id), 50)
    assert errors == []
    assert sorted(results.values()).count("booked") == 7
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 7
