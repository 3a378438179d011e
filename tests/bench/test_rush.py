"""The benchmark's rush, small and fast, in the suite: 50 distinct people open the real form
(each their own session and CSRF token) and submit at once for 10 seats, through the same code
`make bench` runs (bench/rush.py); the database must hold exactly what the answers said."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bench import harness, rush
from eventapp.models import Registration

pytestmark = pytest.mark.slow


def test_fifty_people_rush_ten_seats_through_the_bench_harness(live_server, app, db, factory):
    event = factory.event(capacity=10)
    db.session.commit()
    target = harness.Target(urlsplit(live_server).port)

    clients, forms = rush.open_forms(target, event.slug, 50, concurrency=16)
    assert forms["status"] == {"200": 50}
    assert all(c.token and c.cookie.startswith("session=") for c in clients)
    answers, posts = rush.submit_forms(
        target, event.slug, clients, concurrency=16, secret=app.config["SECRET_KEY"]
    )
    assert posts["status"] == {"302": 50}

    db.session.rollback()
    stored = [
        rush.Row(*row)
        for row in db.session.execute(
            select(Registration.id, Registration.email, Registration.status).where(
                Registration.event_id == event.id
            )
        )
    ]
    result = rush.check(stored, answers, capacity=10)
    assert result["confirmed"] == 10 and result["waitlisted"] == 40
    assert result["oversold"] == result["lost"] == result["duplicates"] == 0
    assert rush.passed(result), result
