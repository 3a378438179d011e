"""Safe failure, end to end, through the real registration form (with its CSRF token, as in
production): the database goes away or stays locked in the middle of a run of registrations.

Proven for every run: each registration that got its success page (302 to the confirmation) is
in the database with its confirmation e-mail in the outbox; each one that got an error is not
there at all; nothing is half-written (no registration without its outbox row, no outbox row
without its registration); the person gets the friendly 503 page with
Retry-After; and, in Chromium, going back to the form finds everything they typed.

PostgreSQL: a TCP proxy in front of the server is cut (`db_proxy`, tests/conftest.py).
SQLite: another connection holds the write lock (the app waits its busy timeout, then 503).
"""

from __future__ import annotations

import html
import re
import sqlite3
from contextlib import contextmanager

import pytest
from flask import has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.extensions import db as _db
from eventapp.models import AuditLog, Event, OutboxMessage, Registration
from tests import factories
from tests.support.checks import assert_friendly_503
from tests.support.network import free_port, serving

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WRITES = ("INSERT", "UPDATE", "DELETE")


def person(n: int) -> dict:
    return {
        "first_name": "Léa",
        "last_name": f"Durand{n}",
        "email": f"lea.durand{n}@example.org",
        "organisation_name": "Yposkesi",
        "job_title": "Ingénieure procédés",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }


class Visitor:
    """One person's browser: opens the form (gets its CSRF token), later sends it."""

    def __init__(self, app, slug: str, n: int):
        self.client = app.test_client()
        self.url = f"/events/{slug}/register"
        self.data = person(n)
        page = self.client.get(self.url).get_data(as_text=True)
        self.data["csrf_token"] = TOKEN.search(page).group(1)

    def send(self):
        return self.client.post(self.url, data=self.data)


def assert_outcomes(outcomes: dict[str, int]) -> None:
    """302 = registered, with its e-mail queued; anything else = no trace at all; and no
    half-written row anywhere in the database."""
    _db.session.rollback()
    _db.session.expire_all()
    for email, status in outcomes.items():
        registration = _db.session.scalar(select(Registration).where(Registration.email == email))
        if status == 302:
            assert registration is not None, email
            kinds = set(
                _db.session.scalars(
                    select(OutboxMessage.kind).where(
                        OutboxMessage.registration_id == registration.id
                    )
                )
            )
            assert "booking.created" in kinds, email
        else:
            assert status == 503, (email, status)
            assert registration is None, email
            sent = _db.session.scalar(select(func.count()).where(OutboxMessage.recipient == email))
            assert sent == 0, email
    assert_nothing_half_written()


def assert_nothing_half_written() -> None:
    registrations = set(_db.session.scalars(select(Registration.id)))
    with_mail = set(
        _db.session.scalars(
            select(OutboxMessage.registration_id).where(
                OutboxMessage.kind.like("registration.%") | OutboxMessage.kind.like("booking.%")
            )
        )
    )
    logged = set(
        _db.session.scalars(
            select(AuditLog.registration_id).where(AuditLog.registration_id.is_not(None))
        )
    )
    assert with_mail == registrations  # each registration has its mail, each mail its person
    assert logged <= registrations


@contextmanager
def on_write(engine, number: int, action):
    """Call `action` just before the `number`-th write statement of the transaction (writes
    after its commit, such as the e-mail being marked as sent, are not counted)."""
    writes = []
    committed = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not committed and statement.lstrip().upper().startswith(WRITES):
            writes.append(statement.split(None, 3)[:3])
            if len(writes) == number:
                action()

    def commit(conn):
        # The registration view reads in a transaction of its own before it takes the write
        # lock (database.read_first): only the commit of the writing transaction counts.
        if writes:
            committed.append(True)

    sa_event.listen(engine, "before_cursor_execute", before)
    sa_event.listen(engine, "commit", commit)
    try:
        yield writes
    finally:
        sa_event.remove(engine, "before_cursor_execute", before)
        sa_event.remove(engine, "commit", commit)


# --- SQLite: the write lock held by another process -----------------------------------------


@pytest.fixture
def locked_app(sqlite_app_factory):
    app = sqlite_app_factory("run.db", SQLITE_BUSY_TIMEOUT_MS=150, WTF_CSRF_ENABLED=True)
    with app.app_context():
        event = factories.event(capacity=50, slug="congres-2026")
        app.event_id = event.id
        _db.session.remove()
    return app


@contextmanager
def sqlite_write_lock(path):
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        locker.rollback()
        locker.close()


def test_sqlite_locked_in_the_middle_of_a_run_of_registrations(locked_app):
    visitors = [Visitor(locked_app, "congres-2026", n) for n in range(8)]
    outcomes = {}
    for visitor in visitors[:3]:
        outcomes[visitor.data["email"]] = visitor.send().status_code
    with sqlite_write_lock(locked_app.db_path):
        for visitor in visitors[3:6]:
            response = visitor.send()
            assert_friendly_503(response)
            outcomes[visitor.data["email"]] = response.status_code
        # People who only read go on meanwhile (WAL), the event page shows the right count.
        page = html.unescape(locked_app.test_client().get("/events/congres-2026").get_data(True))
        assert "47 places restantes" in page
    for visitor in visitors[6:]:
        outcomes[visitor.data["email"]] = visitor.send().status_code
    assert list(outcomes.values()) == [302] * 3 + [503] * 3 + [302] * 2
    with locked_app.app_context():
        assert_outcomes(outcomes)
        _db.session.remove()
    # The people turned away send again once the database is back: registered once each.
    retried = {v.data["email"]: v.send().status_code for v in visitors[3:6]}
    with locked_app.app_context():
        assert_outcomes(retried)
        assert _db.session.scalar(select(func.count()).select_from(Registration)) == 8
        _db.session.remove()


def test_sqlite_failure_at_any_write_of_a_registration_leaves_nothing(locked_app):
    """The lock is taken before the first write (BEGIN IMMEDIATE), so on SQLite a failure
    inside the transaction means a disk or I/O error: simulated at each write in turn."""
    import sqlite3 as driver

    from sqlalchemy.exc import OperationalError

    with locked_app.app_context():
        engine = _db.engine

    def fail():
        raise OperationalError("INSERT", {}, driver.OperationalError("disk I/O error"))

    probe = Visitor(locked_app, "congres-2026", 100)
    with on_write(engine, 10**6, lambda: None) as writes:
        assert probe.send().status_code == 302
    count = len(writes)
    assert count >= 2, writes  # the registration and its e-mail at least
    outcomes = {probe.data["email"]: 302}
    for k in range(1, count + 1):
        visitor = Visitor(locked_app, "congres-2026", k)
        with on_write(engine, k, fail):
            response = visitor.send()
        assert_friendly_503(response)
        outcomes[visitor.data["email"]] = 503
    with locked_app.app_context():
        assert_outcomes(outcomes)
        _db.session.remove()


# --- PostgreSQL: the server goes away (TCP proxy cut) ---------------------------------------


@pytest.fixture
def proxied(proxied_app, factory):
    proxied_app.config.update(WTF_CSRF_ENABLED=True)
    event = factory.event(capacity=50, slug="congres-2026")
    return proxied_app, event


def test_postgresql_unreachable_in_the_middle_of_a_run_of_registrations(proxied, db_proxy):
    app, event = proxied
    visitors = [Visitor(app, event.slug, n) for n in range(8)]
    outcomes = {}
    for n, visitor in enumerate(visitors):
        if n == 3:
            db_proxy.close()  # the database goes away mid-run
        if n == 6:
            db_proxy.reopen()  # and comes back
        response = visitor.send()
        if 3 <= n < 6:
            assert_friendly_503(response)
            # The confirmation page and the form itself also say so, calmly.
            assert_friendly_503(visitor.client.get(visitor.url))
        outcomes[visitor.data["email"]] = response.status_code
    assert list(outcomes.values()) == [302] * 3 + [503] * 3 + [302] * 2
    assert_outcomes(outcomes)
    # The people turned away send again once the database is back: registered once each.
    retried = {v.data["email"]: v.send().status_code for v in visitors[3:6]}
    assert_outcomes(retried)
    assert set(retried.values()) == {302}


def test_postgresql_lost_at_any_write_of_a_registration_leaves_nothing(proxied, db_proxy):
    app, event = proxied
    with app.app_context():
        engine = _db.engine
    probe = Visitor(app, event.slug, 100)
    with on_write(engine, 10**6, lambda: None) as writes:
        assert probe.send().status_code == 302
    count = len(writes)
    assert count >= 2, writes
    outcomes = {probe.data["email"]: 302}
    for k in range(1, count + 1):
        visitor = Visitor(app, event.slug, k)
        with on_write(engine, k, db_proxy.close):
            response = visitor.send()
        db_proxy.reopen()
        assert_friendly_503(response)
        outcomes[visitor.data["email"]] = 503
    assert_outcomes(outcomes)


def test_postgresql_lost_right_after_the_commit_keeps_the_registration(
    proxied, db_proxy, runner, mail_outbox
):
    """The registration is committed, then the database goes away before the e-mail is sent:
    the person gets their success page, the registration is there, and the confirmation waits
    in the outbox for `flask mail send-pending`."""
    app, event = proxied
    visitor = Visitor(app, event.slug, 1)

    def cut_after_commit(session):
        # The request's own commit (not the test's session, not a savepoint's release).
        if has_request_context() and not session.in_nested_transaction():
            db_proxy.close()

    sa_event.listen(_db.session, "after_commit", cut_after_commit)
    try:
        response = visitor.send()
    finally:
        sa_event.remove(_db.session, "after_commit", cut_after_commit)
    assert response.status_code == 302
    db_proxy.reopen()
    _db.session.rollback()
    registration = _db.session.scalar(
        select(Registration).where(Registration.email == visitor.data["email"])
    )
    assert registration is not None
    [message] = _db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    )
    assert message.status in ("pending", "sending")
    assert_nothing_half_written()
    mail_outbox.clear()
    _db.session.execute(
        OutboxMessage.__table__.update().values(status="pending")
    )  # (a "sending" row older than 10 minutes is retried too: not waited for here)
    _db.session.commit()
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert [m.to for m in mail_outbox] == [[visitor.data["email"]]]


def test_postgresql_outage_shows_organisers_the_friendly_503_too(proxied, db_proxy, factory, db):
    """A logged-in organiser's pages: loading the user is what fails, and the error page
    used to need it (base.html) and crashed into a bare 500."""
    app, event = proxied
    org = factory.organisation()
    db.session.add(db.session.merge(event))
    user = factory.user(org, "manager")
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": factories.DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    token = TOKEN.search(client.get("/organiser/events/new").get_data(as_text=True)).group(1)
    db_proxy.close()
    for response in (
        client.get("/organiser/"),
        client.post("/organiser/events/new", data={"csrf_token": token}),
    ):
        assert_friendly_503(response)
    # An expired form (CSRF) during the outage: its own friendly page, not a crash.
    response = client.post("/organiser/events/new", data={})
    assert response.status_code == 400
    assert "Votre session a expiré" in html.unescape(response.get_data(as_text=True))
    db_proxy.reopen()
    assert client.get("/organiser/").status_code == 200  # still logged in


def test_sqlite_lock_shows_organisers_the_friendly_503_too(sqlite_app_factory):
    app = sqlite_app_factory("organiser.db", SQLITE_BUSY_TIMEOUT_MS=150)
    with app.app_context():
        org = factories.organisation()
        event = factories.event(organisers=[org])
        user = factories.user(org, "manager")
        email, event_id = user.email, event.id
        _db.session.remove()
    client = app.test_client()
    login = {"email": email, "password": factories.DEFAULT_PASSWORD}
    assert client.post("/auth/login", data=login).status_code == 302
    with sqlite_write_lock(app.db_path):
        assert_friendly_503(client.post(f"/organiser/events/{event_id}/publish"))
    assert client.post(f"/organiser/events/{event_id}/publish").status_code == 302
    with app.app_context():
        assert _db.session.get(Event, event_id).status == "published"
        _db.session.remove()


# --- in Chromium: the 503 page, and the form still filled in when going back ----------------


@pytest.fixture
def locked_server(locked_app):
    port = free_port()
    locked_app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    with serving(locked_app, port) as url:
        yield url


@pytest.mark.browser
@pytest.mark.phone
def test_in_chromium_the_503_is_friendly_and_back_keeps_what_was_typed(
    browser, locked_server, locked_app
):
    context = browser.new_context(
        base_url=locked_server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        page.goto("/events/congres-2026/register")
        typed = person(7)
        for key in ("first_name", "last_name", "email", "organisation_name", "job_title"):
            page.locator(f"#{key}").fill(typed[key])
        page.locator("#category").select_option("biotech")
        page.locator("#region").select_option("idf")
        page.get_by_label(re.compile("J’ai lu la politique de confidentialité")).check()
        with sqlite_write_lock(locked_app.db_path):
            with page.expect_navigation():
                page.get_by_role("button", name="S’inscrire").click()
            assert "Service momentanément indisponible" in page.content()
            assert "Rien n’a été enregistré" in html.unescape(page.content())
            page.go_back()
        page.wait_for_url("**/register")
        for key in ("first_name", "last_name", "email", "organisation_name", "job_title"):
            assert page.locator(f"#{key}").input_value() == typed[key], key
        assert page.locator("#category").input_value() == "biotech"
        # Sent again, now that the database is back: registered.
        with page.expect_navigation():
            page.get_by_role("button", name="S’inscrire").click()
        assert "Merci, votre inscription est enregistrée" in html.unescape(page.content())
    finally:
        context.close()
    with locked_app.app_context():
        assert_outcomes({typed["email"]: 302})
        _db.session.remove()
