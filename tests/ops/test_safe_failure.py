"""When the database is locked or goes away, pages answer a friendly 503 with Retry-After and
nothing is half-written: every request that got a success page did all its work, every one that
got an error did none of it.

The runs below are erasures from the manage link: each one cancels (freeing a seat, promoting
the waiting list), writes audit lines and anonymises, in one transaction."""

import sqlite3
import time

from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.extensions import db as _db
from eventapp.models import AuditLog, Registration
from tests import factories
from tests.support.checks import assert_friendly_503

ERASE = {"scope": "this", "confirm": "y"}


def _erase(client, token):
    return client.post(f"/r/{token}/erase", data=ERASE)


def _assert_outcomes(outcomes: dict[int, int]) -> None:
    """302 = fully erased; 503 = untouched (no cancellation, no audit line, nothing removed)."""
    _db.session.expire_all()
    for registration_id, status in outcomes.items():
        row = _db.session.get(Registration, registration_id)
        logs = _db.session.scalar(
            select(func.count()).where(AuditLog.registration_id == registration_id)
        )
        if status == 302:
            assert row.anonymised_at is not None and row.email is None
            assert row.status == "cancelled" and logs == 2  # cancelled + erased
        else:
            assert status == 503
            assert row.anonymised_at is None and row.email
            assert row.status == "confirmed" and row.cancelled_at is None and logs == 0


def test_sqlite_locked_by_another_connection(sqlite_app_factory):
    app = sqlite_app_factory("locked.db", SQLITE_BUSY_TIMEOUT_MS=150, MAIL_SEND_ON_COMMIT=False)
    with app.app_context():
        event = factories.event(capacity=20)
        people = [(r.id, r.manage_token) for r in (factories.registration(event) for _ in range(6))]
        _db.session.remove()
    client = app.test_client()
    outcomes = {}
    for registration_id, token in people[:2]:
        outcomes[registration_id] = _erase(client, token).status_code

    locker = sqlite3.connect(app.db_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        for registration_id, token in people[2:4]:
            started = time.monotonic()
            response = _erase(client, token)
            assert time.monotonic() - started < 5  # waits the busy timeout, not forever
            assert_friendly_503(response)
            outcomes[registration_id] = response.status_code
        assert client.get("/privacy").status_code == 200  # readers go on meanwhile (WAL)
    finally:
        locker.rollback()
        locker.close()

    for registration_id, token in people[4:]:
        outcomes[registration_id] = _erase(client, token).status_code
    assert list(outcomes.values()) == [302, 302, 503, 503, 302, 302]
    with app.app_context():
        _assert_outcomes(outcomes)
        _db.session.remove()


def test_postgresql_unreachable_in_the_middle_of_a_run(proxied_app, db_proxy, factory):
    event = factory.event(capacity=20)
    people = [(r.id, r.manage_token) for r in (factory.registration(event) for _ in range(6))]
    client = proxied_app.test_client()
    outcomes = {}
    for n, (registration_id, token) in enumerate(people):
        if n == 2:
            db_proxy.close()  # the database goes away mid-run
        if n == 4:
            db_proxy.reopen()  # and comes back
        response = _erase(client, token)
        if 2 <= n < 4:
            assert_friendly_503(response)
        outcomes[registration_id] = response.status_code
    assert list(outcomes.values()) == [302, 302, 503, 503, 302, 302]
    _assert_outcomes(outcomes)


def test_postgresql_lost_inside_a_transaction_leaves_nothing_half_written(
    proxied_app, db_proxy, factory, mail_outbox
):
    event = factory.event(capacity=1)
    seated = factory.registration(event, status="confirmed")
    waiting = factory.registration(event, status="waitlisted")
    writes = []

    def cut_on_second_write(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement.split()[0:3])
            if len(writes) == 2:
                db_proxy.close()

    with proxied_app.app_context():
        engine = _db.engine
    sa_event.listen(engine, "before_cursor_execute", cut_on_second_write)
    try:
        response = _erase(proxied_app.test_client(), seated.manage_token)
    finally:
        sa_event.remove(engine, "before_cursor_execute", cut_on_second_write)
    assert_friendly_503(response)
    assert len(writes) == 2  # one write reached the server before the connection was cut

    _db.session.expire_all()
    assert _db.session.get(Registration, seated.id).status == "confirmed"
    assert _db.session.get(Registration, seated.id).email == seated.email
    assert _db.session.get(Registration, waiting.id).status == "waitlisted"
    assert _db.session.scalar(select(func.count()).select_from(AuditLog)) == 0
    assert mail_outbox == []

    # Back again: the same request now does all its work.
    db_proxy.reopen()
    assert _erase(proxied_app.test_client(), seated.manage_token).status_code == 302
    _db.session.expire_all()
    # The freed seat is offered to the person waiting (held for them until they answer).
    assert _db.session.get(Registration, waiting.id).offer_expires_at is not None
    _assert_outcomes({seated.id: 302})
