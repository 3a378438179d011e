"""A registration never waits for the mail server: with one that takes 5 seconds to accept a
message, the registration POST (gunicorn, production settings, a real worker) still answers in
well under a second, and the e-mail arrives afterwards. On SQLite with the embedded broker (no
server but the app's), on PostgreSQL with Redis when it answers."""

import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from eventapp.models import OutboxMessage
from tests.support.jobs import TEST_REDIS_URL, Participant, person, smtp_server

pytestmark = pytest.mark.slow
SMTP_DELAY = 5.0


def _broker(database_url) -> str | None:
    """Redis beside PostgreSQL when it answers; else the embedded broker (None)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        return None
    try:
        import redis

        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return TEST_REDIS_URL


def test_the_registration_answers_before_a_slow_mail_server_does(
    job_stack, database_url, db, factory
):
    with smtp_server() as (inbox, port):
        inbox.delay = SMTP_DELAY
        stack = job_stack(
            _broker(database_url), MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port
        )
        base = stack.web(workers=1)
        stack.worker(concurrency=1)
        event = factory.event()
        path = f"/events/{event.slug}/register"
        participant = Participant(base, follow_redirects=False)
        participant.get(path)  # the form, and a warm worker

        started = time.monotonic()
        status, location = participant.post(path, person(1))
        answered = time.monotonic()
        assert status == 302 and location.endswith(f"/events/{event.slug}/registered")
        assert answered - started < 1.0, f"{answered - started:.2f} s\n{stack.logs()}"

        deadline = answered + SMTP_DELAY + 60
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        assert inbox.recipients() == ["participant1@example.org"], stack.logs()
        # The server took its 5 s, after the participant had their answer.
        assert inbox.accepted_at[0] - answered >= SMTP_DELAY - 1.0
        while _status(db) != "sent" and time.monotonic() < deadline:
            time.sleep(0.2)  # the worker records it just after the server's answer
        assert _status(db) == "sent"


def _status(db):
    db.session.rollback()
    return db.session.scalar(select(OutboxMessage.status))
