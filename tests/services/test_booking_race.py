"""Bookings of several stages at the same instant: every stage keeps its seat limit and every
booking gets all its registrations (real threads, each with its own connection; events locked
in id order, so bookings of overlapping stages in different orders cannot deadlock)."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Booking, Event, Registration
from eventapp.services import bookings
from eventapp.services.registrations import Participant
from tests.support.races import race


def test_thirty_simultaneous_three_stage_bookings_never_overfill_a_stage(app, factory):
    tour = factory.event(kind="tour", capacity=None)
    stages = [
        factory.event(parent_id=tour.id, position=n, capacity=c) for n, c in enumerate((5, 12, 1))
    ]
    ids = [s.id for s in stages]

    def book(n):
        with write_transaction():
            chosen = [_db.session.get(Event, i) for i in (ids if n % 2 else reversed(ids))]
            bookings.book(
                chosen,
                [
                    Participant(
                        first_name="P",
                        last_name=str(n),
                        email=f"p{n}@example.org",
                        category="biotech",
                    )
                ],
                origin=_db.session.get(Event, tour.id),
            )

    errors, _results = race(app, book, 30)
    assert errors == []
    _db.session.commit()
    confirmed = dict(
        _db.session.execute(
            select(Registration.event_id, func.count())
            .where(Registration.status == "confirmed")
            .group_by(Registration.event_id)
        ).all()
    )
    assert confirmed == {ids[0]: 5, ids[1]: 12, ids[2]: 1}
    assert _db.session.scalar(select(func.count()).select_from(Booking)) == 30
    per_booking = _db.session.execute(
        select(Registration.booking_id, func.count()).group_by(Registration.booking_id)
    ).all()
    assert {n for _b, n in per_booking} == {3}
