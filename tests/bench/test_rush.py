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


def test_fifteen_question_rush_fills_the_limited_workshop_exactly(live_server, app, db, factory):
    """Issue 12's rush, small: 60 people on the fifteen-question form (3 conditional
    questions), 3 of them ask for workshop A which has 2 places: exactly 2 hold it, 1 is
    refused with a 4xx and nothing saved, everyone else registered (10 seats, 57 people)."""
    from bench import rounds, seed

    slug = seed.rush_event("rush-fifteen", capacity=10, form="fifteen", limit=2)
    db.session.commit()
    event = {"slug": slug, "keys": seed.question_keys(slug)}
    assert len(event["keys"]) == 15 and rush.limited_choosers(60) == 3
    target = harness.Target(urlsplit(live_server).port)
    env = {
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    result = rounds.one_rush(target, env, event, people=60, seats=10, concurrency=12, refused=1)
    check = result.check
    assert check["option_holders"] == 2 and check["refused_4xx"] == 1
    assert check["confirmed"] == 10 and check["waitlisted"] == 49 and check["rows"] == 59
    assert check["mails_queued"] == 59
    assert rush.passed(check), check
