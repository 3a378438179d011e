"""Several app servers on one PostgreSQL and Redis, with real Celery workers: two gunicorn
instances take a registration rush together, a worker sends every e-mail once (also after it
is killed mid-batch and started again), a rate limit counts across instances; and a slow mail
server never slows a registration down (on SQLite with the embedded broker too)."""

import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from eventapp.models import OutboxMessage, Registration
from eventapp.privacy.routes import MANAGE_LINK_RATE_LIMIT
from tests.conftest import race
from tests.support.jobs import (
    TEST_REDIS_URL,
    Participant,
    person,
    postgresql_or_skip,
    redis_or_skip,
    smtp_server,
)

pytestmark = pytest.mark.slow

# For the worker-kill test: sweep every second; a pending message is "lost" after 3 s, a
# message left "sending" by a dead worker is taken again after 15 s (the send job's hard limit
# being 8 + 5 s, a live job's message is never taken twice).
FAST_SWEEP = {
    "OUTBOX_SWEEP_SECONDS": 1,
    "OUTBOX_SWEEP_GRACE_SECONDS": 3,
    "MAIL_SEND_TIME_LIMIT": 8,
    "MAIL_STALE_SENDING_SECONDS": 15,
}


@pytest.fixture(scope="module")
def app_servers(module_job_stack, database_url):
    """(stack, [two base URLs], inbox): two gunicorn instances (2 sync workers each) on the test
    PostgreSQL database and Redis, e-mail to a loopback SMTP server."""
    postgresql_or_skip(database_url)
    redis_or_skip()
    with smtp_server() as (inbox, port):
        stack = module_job_stack(
            TEST_REDIS_URL,
            MAIL_BACKEND="smtp",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            REGISTRATION_RATE_LIMIT="1000 per minute",  # 200 people behind one address
            **FAST_SWEEP,
        )
        yield stack, [stack.web(), stack.web()], inbox


@pytest.fixture
def cluster(app_servers):
    """app_servers, with a fresh inbox; the workers and beat a test starts stop after it."""
    stack, _bases, inbox = app_servers
    inbox.reset()
    yield app_servers
    stack.stop_jobs()


def _register_all(app, bases, event, numbers):
    """Everyone loads the form (own session and CSRF token) on one instance or the other, then
    all post it at once. Returns {n: (status, final URL)}."""
    path = f"/events/{event.slug}/register"
    people = {n: Participant(bases[i % len(bases)]) for i, n in enumerate(numbers)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda participant: participant.get(path), people.values()))
    ordered = list(numbers)
    errors, results = race(
        app, lambda i: people[ordered[i]].post(path, person(ordered[i])), len(ordered)
    )
    assert errors == []
    return {ordered[i]: result for i, result in results.items()}


def _wait_for(condition, timeout, describe):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {describe()}")
        time.sleep(0.3)


def _outbox(db):
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_two_app_servers_and_a_worker_200_registrations_for_20_seats(app, cluster, db, factory):
    stack, bases, inbox = cluster
    worker = stack.worker(concurrency=2)
    event = factory.event(capacity=20)
    started = time.monotonic()
    results = _register_all(app, bases, event, range(200))
    registered = time.monotonic() - started

    assert len(results) == 200
    statuses = sorted({status for status, _url in results.values()})
    assert statuses == [200], stack.logs()  # no 5xx, no 4xx
    assert all(url.endswith(f"/events/{event.slug}/registered") for _s, url in results.values())
    db.session.rollback()
    counts = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    assert counts == {"confirmed": 20, "waitlisted": 180}  # none lost, none over

    emails = sorted(person(n)["email"] for n in range(200))
    _wait_for(
        lambda: len(inbox.messages) >= 200,
        120,
        lambda: f"{len(inbox.messages)} of 200 e-mails\n{stack.logs()}",
    )
    assert sorted(inbox.recipients()) == emails  # each person once
    rows = _outbox(db)
    assert len(rows) == 200 and {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    assert "example.org" not in worker.output()  # the worker logs ids, never an address
    for base in bases:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:  # noqa: S310
            assert b'"broker":"redis"' in response.read().replace(b" ", b"")
    print(f"200 registrations through 2 instances in {registered:.1f} s")


def test_a_worker_killed_mid_batch_loses_no_mail_and_sends_none_twice(app, cluster, db, factory):
    stack, bases, inbox = cluster
    inbox.delay, inbox.hold_at = 0.1, 8  # slow, and the 8th message is in flight at the kill
    stack.beat()
    # One process: at the kill it is inside that 8th send, not between two of them.
    worker = stack.worker(concurrency=1)
    event = factory.event(capacity=10)
    count = 30
    results = _register_all(app, bases, event, range(count))
    assert sorted({status for status, _url in results.values()}) == [200]

    assert inbox.held.wait(90), stack.logs()
    worker.kill()  # SIGKILL to the worker and its pool process, mid-send
    before = len(inbox.messages)
    assert before == 7
    rows = _outbox(db)
    in_flight = [r for r in rows if r.status == "sending"]
    assert len(in_flight) == 1 and sum(r.status == "pending" for r in rows) == count - 8

    inbox.hold_at = None
    stack.worker(concurrency=1)  # started again; the sweep finds what the dead one held
    _wait_for(
        lambda: len(inbox.messages) >= count and all(r.status == "sent" for r in _outbox(db)),
        120,
        lambda: f"{len(inbox.messages)} of {count} e-mails\n{stack.logs()}",
    )
    time.sleep(2)  # a second copy would have come by now (sweep every second)
    assert sorted(inbox.recipients()) == sorted(person(n)["email"] for n in range(count))
    rows = {r.id: r for r in _outbox(db)}
    assert rows[in_flight[0].id].attempts == 2  # taken again once stale, sent once


def test_a_rate_limit_hit_on_one_app_server_counts_on_the_other(cluster):
    _stack, (first, second), _inbox = cluster
    limit = int(MANAGE_LINK_RATE_LIMIT.split()[0])
    path = "/r/not-a-real-token/data.json"
    assert [Participant(first).status(path) for _ in range(limit)] == [404] * limit
    assert Participant(second).status(path) == 429
