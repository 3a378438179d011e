"""Active sessions (issue 13): each login is a server-side session, listed on the sessions
page; one can be logged out from another browser, or all at once ("log out everywhere", which
ends "remember me" too); logout ends the session even if its cookie was copied. The login
history keeps the time, the address's first bytes and the browser, for LOGIN_HISTORY_DAYS; a
login from a new browser e-mails the owner (through the outbox, by a job)."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.account import sessions
from eventapp.models import AuditLog, LoginRecord, OutboxMessage, UserSession, utcnow
from eventapp.privacy.retention import purge_expired
from tests.factories import DEFAULT_PASSWORD

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _log_in(client, user, agent=FIREFOX, address="192.0.2.17", remember=False):
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post(
        "/auth/login",
        data=data,
        headers={"User-Agent": agent},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 302
    return response


def test_the_sessions_page_lists_each_browser_and_logs_one_out(app, client, db, factory):
    user = factory.user(factory.organisation())
    phone = app.test_client()
    _log_in(client, user)
    _log_in(phone, user, agent=SAFARI, address="2001:db8:85a3::8a2e:370:7334")
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "Firefox · Linux" in page and "Safari · iOS" in page
    assert "192.0.2.x" in page and "2001:0db8:85a3:…" in page
    assert "192.0.2.17" not in page and "7334" not in page  # never the whole address
    assert "Cette session" in page
    phone_row = db.session.scalar(select(UserSession).where(UserSession.browser == "Safari · iOS"))
    assert client.post(f"/account/sessions/{phone_row.id}/end").status_code == 302
    assert phone.get("/organiser/").status_code == 302  # the phone is logged out
    assert client.get("/organiser/").status_code == 200  # this browser is not
    # Ending it again, or another account's session: 404.
    assert client.post(f"/account/sessions/{phone_row.id}/end").status_code == 404
    other = factory.user(factory.organisation())
    _log_in(app.test_client(), other)
    theirs = db.session.scalar(select(UserSession).where(UserSession.user_id == other.id))
    assert client.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    db.session.rollback()
    assert db.session.get(UserSession, theirs.id).ended_at is None
    ended = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.session_ended"))
    assert [(e.user_id, e.details["session_id"]) for e in ended] == [(user.id, phone_row.id)]


def test_log_out_everywhere_ends_every_session_and_remember_me(app, client, db, factory):
    user = factory.user(factory.organisation())
    remembered = app.test_client()
    _log_in(remembered, user, remember=True)
    cookie = remembered.get_cookie("remember_token")
    assert cookie is not None
    _log_in(client, user)
    response = client.post("/account/sessions/end-all")
    assert response.headers["Location"].endswith("/auth/login")
    assert client.get("/organiser/").status_code == 302
    assert remembered.get("/organiser/").status_code == 302
    # The "remember me" cookie alone, in a fresh browser, no longer logs in.
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/organiser/").status_code == 302
    db.session.rollback()
    assert sessions.live(user) == []
    assert db.session.scalars(
        select(AuditLog.user_id).where(AuditLog.action == "user.sessions_ended")
    ).all() == [user.id]


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, db, factory):
    user = factory.user(factory.organisation())
    _log_in(client, user)
    stolen = client.get_cookie("session")
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get("/organiser/").status_code == 302


def test_the_login_history_and_a_new_browser_e_mail(app, client, db, factory):
    user = factory.user(factory.organisation())
    _log_in(client, user)  # the first login ever: nobody to warn
    client.post("/auth/logout")
    _log_in(client, user)  # the same browser (its cookie): not new
    assert db.session.scalars(select(OutboxMessage)).all() == []
    _log_in(app.test_client(), user, agent=SAFARI, address="198.51.100.4")  # a new browser
    told = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.recipient) for m in told] == [("account.new_browser", user.email)]
    assert "Safari · iOS" in told[0].body_text and "198.51.100.x" in told[0].body_text
    assert "/account/sessions" in told[0].body_text
    records = db.session.scalars(select(LoginRecord).where(LoginRecord.user_id == user.id)).all()
    assert len(records) == 3
    assert {r.network for r in records} == {"192.0.2.x", "198.51.100.x"}
    page = client.get("/account/sessions").get_data(as_text=True)
    assert page.count("198.51.100.x") == 2  # its session and its line in the history


def test_the_login_history_and_ended_sessions_are_kept_for_their_retention_only(
    app, client, db, factory
):
    user = factory.user(factory.organisation())
    _log_in(client, user)
    client.post("/auth/logout")
    days = app.config["LOGIN_HISTORY_DAYS"]
    old = utcnow() - timedelta(days=days + 1)
    for record in db.session.scalars(select(LoginRecord)):
        record.created_at = old
    for row in db.session.scalars(select(UserSession)):
        row.ended_at = old
    db.session.commit()
    _log_in(client, user)  # a recent login and its live session stay
    purge_expired()
    db.session.rollback()
    assert len(db.session.scalars(select(LoginRecord)).all()) == 1
    assert len(db.session.scalars(select(UserSession)).all()) == 1
    assert client.get("/organiser/").status_code == 200


def test_the_network_and_browser_are_coarse():
    assert sessions.network_of("203.0.113.200") == "203.0.113.x"
    assert sessions.network_of("2001:db8::1") == "2001:0db8:0000:…"
    assert sessions.network_of("not an address") == "?"
    assert sessions.browser_of(FIREFOX) == "Firefox · Linux"
    edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"
    assert sessions.browser_of(edge) == "Edge · Windows"
