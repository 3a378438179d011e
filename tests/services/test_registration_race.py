"""Seat limits hold when many people register at the same instant (real threads, real database
file or PostgreSQL server, each thread with its own connection)."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Registration
from eventapp.services import registrations as svc
from eventapp.services.counts import taken_count
from tests.support.races import race


def _status_counts(event_id):
    return dict(
        _db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        ).all()
    )


def test_fifty_simultaneous_registrations_for_ten_seats(app, factory):
    event = factory.event(capacity=10)
    event_id = event.id

    def register(n):
        with write_transaction():
            target = _db.session.get(type(event), event_id)
            svc.register(
                [target],
                svc.Participant(
                    first_name="P",
                    last_name=str(n),
                    email=f"p{n}@example.org",
                    category="biotech",
                ),
                notify=False,
            )

    errors, _results = race(app, register, 50)
    assert errors == []
    _db.session.commit()
    assert _status_counts(event_id) == {"confirmed": 10, "waitlisted": 40}


def test_cancellations_racing_new_registrations_never_overfill(app, factory):
    event = factory.event(capacity=10)
    event_id = event.id
    seated = [factory.registration(event, status="confirmed") for _ in range(10)]
    waiting = [factory.registration(event, status="waitlisted") for _ in range(5)]
    seated_ids = [r.id for r in seated]

    def work(n):
        with write_transaction():
            if n < 10:
                svc.cancel(_db.session.get(Registration, seated_ids[n]), notify=False)
            else:
                svc.register(
                    [_db.session.get(type(event), event_id)],
                    svc.Participant(
                        first_name="N",
                        last_name=str(n),
                        email=f"new{n}@example.org",
                        category="cdmo",
                    ),
                    notify=False,
                )

    errors, _results = race(app, work, 40)
    assert errors == []
    _db.session.commit()
    counts = _status_counts(event_id)
    # Every freed seat is taken again (confirmed, or held by a waiting-list offer), never more.
    assert taken_count(event_id) == 10
    assert counts["cancelled"] == 10
    assert counts.get("confirmed", 0) + counts.get("waitlisted", 0) == 5 + 30
    assert len(waiting) == 5
