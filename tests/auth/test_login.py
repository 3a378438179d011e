"""Organiser login: remember me, session renewal, cookie flags, throttling of failed attempts
(per account and per address, same answer whether the e-mail exists or not)."""

from datetime import timedelta

from sqlalchemy import select, update

from eventapp import create_app
from eventapp.account import sessions
from eventapp.auth import throttle
from eventapp.models import AuditLog, LoginThrottle, OutboxMessage, User, utcnow
from tests.factories import DEFAULT_PASSWORD

WRONG = "wrong password!"


def _cookie(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


def test_login_logout_and_next_redirect(client, factory):
    user = factory.user(factory.organisation())
    response = client.post(
        "/auth/login?next=/organiser/events/new",
        data={"email": f"  {user.email.upper()} ", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/events/new"
    assert client.get("/organiser/").status_code == 200
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/organiser/").status_code == 302


def test_login_refuses_foreign_next_targets(client, factory):
    user = factory.user(factory.organisation())
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert (
        response.headers["Location"] == "/organiser/start"
    )  # the landing: check-in staff go on to the desk


def test_wrong_password_and_unknown_email_get_the_same_answer(client, factory):
    user = factory.user(factory.organisation())
    wrong = client.post("/auth/login", data={"email": user.email, "password": "nope nope nope"})
    unknown = client.post(
        "/auth/login", data={"email": "nobody@example.org", "password": "nope nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in wrong.get_data(as_text=True)
    # The pages differ only by the e-mail typed back into the form.
    assert wrong.get_data(as_text=True).replace(user.email, "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")


def test_the_form_keeps_the_email_typed(client):
    page = client.post(
        "/auth/login", data={"email": "lea@example.org", "password": "wrong password"}
    ).get_data(as_text=True)
    assert 'value="lea@example.org"' in page


def test_remember_me_sets_a_long_lived_httponly_cookie(client, factory):
    user = factory.user(factory.organisation())
    plain = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert _cookie(plain, "remember_token") is None
    client.post("/auth/logout")
    remembered = client.post(
        "/auth/login",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"},
    )
    cookie = _cookie(remembered, "remember_token")
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_remember_cookie_alone_logs_back_in_until_the_password_changes(app, db, factory):
    user = factory.user(factory.organisation())
    first = app.test_client()
    first.post(
        "/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"}
    )
    remember = first.get_cookie("remember_token")
    fresh = app.test_client()  # a new browser session with only the remember cookie
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/organiser/").status_code == 200
    user = db.session.get(User, user.id)
    user.set_password("another long password")
    db.session.commit()
    again = app.test_client()
    again.set_cookie("remember_token", remember.value)
    assert again.get("/organiser/").status_code == 302


def test_session_cookie_flags_and_renewal_at_login(client, factory):
    user = factory.user(factory.organisation())
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "en"
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    cookie = _cookie(response, "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session  # a fresh session (no fixation)
        assert session["lang"] == "en"  # the reader's language choice is kept
        # "id:session token:key of this session" (eventapp.account.sessions)
        assert session["_user_id"].startswith(f"{user.id}:{user.session_token}:")


def test_secure_cookies_in_production(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/eventapp-prod-cookies.db")
    config = type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://events.example.fr",
            "SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/eventapp-prod.db",
            "RATELIMIT_ENABLED": False,  # else production needs Redis (tests/jobs)
        },
    )
    prod = create_app(config)
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["REMEMBER_COOKIE_SECURE"] is True
    assert prod.config["REMEMBER_COOKIE_HTTPONLY"] is True


def test_login_is_recorded(client, db, factory):
    user = factory.user(factory.organisation())
    client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.login"))
    assert entry.user_id == user.id
    assert db.session.get(User, user.id, populate_existing=True).last_login_at is not None


# --- throttling -----------------------------------------------------------------------------


def _attempt(client, email, password=WRONG, address="10.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _wait(db, seconds=0):
    """Pretend the delays given so far are over (the counters stay)."""
    db.session.execute(update(LoginThrottle).values(blocked_until=None))
    db.session.commit()


def test_three_failures_from_one_address_are_free_then_the_delays_grow(limited, db, factory):
    user = factory.user(factory.organisation())
    for _ in range(throttle.PAIR_FREE - 1):
        assert _attempt(limited, user.email).status_code == 401
    assert _attempt(limited, user.email).status_code == 401  # the third: a 1 s delay from now
    blocked = _attempt(limited, user.email)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "Patientez 1 seconde." in blocked.get_data(as_text=True)
    delays = []
    for _ in range(4):
        _wait(db)
        assert _attempt(limited, user.email).status_code == 401
        row = db.session.scalar(
            select(LoginThrottle).where(
                LoginThrottle.key == throttle.pair_key(user.email, "10.0.0.1")
            )
        )
        delays.append(round((row.blocked_until - row.last_failure_at).total_seconds()))
        db.session.rollback()
    assert delays == [2, 4, 8, 16]  # growing
    assert throttle.delay_after(100, throttle.PAIR_FREE) == throttle.MAX_DELAY


def test_guesses_from_elsewhere_never_lock_the_owner_out_of_a_known_browser(
    limited, app, db, factory, login
):
    user = factory.user(factory.organisation())
    # The owner logged in once with their browser (it keeps a signed cookie).
    owner = app.test_client()
    owner.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    owner.post("/auth/logout")
    # An attacker tries from many addresses: the account is slowed down for unknown browsers.
    for n in range(throttle.ACCOUNT_FREE + 1):
        _wait(db)
        assert _attempt(limited, user.email, address=f"10.0.1.{n}").status_code == 401
    stranger = _attempt(limited, user.email, password=DEFAULT_PASSWORD, address="10.0.1.200")
    assert stranger.status_code == 429
    # The owner, from their known browser and their own address, gets in at once.
    cookie = owner.get_cookie(sessions.DEVICE_COOKIE)
    assert cookie is not None
    limited.set_cookie(sessions.DEVICE_COOKIE, cookie.value)
    response = _attempt(limited, user.email, password=DEFAULT_PASSWORD, address="10.9.9.9")
    assert response.status_code == 302
    # A forged cookie does not pass for a known browser.
    limited.post("/auth/logout")
    limited.set_cookie(sessions.DEVICE_COOKIE, "forged.cookie")
    assert _attempt(limited, user.email, DEFAULT_PASSWORD, address="10.9.9.8").status_code == 429


def test_the_owner_is_told_by_e_mail_after_repeated_failures_once(limited, db, factory):
    user = factory.user(factory.organisation())
    for n in range(throttle.NOTIFY_AFTER + 3):
        _wait(db)
        _attempt(limited, user.email, address=f"10.0.2.{n}")
    told = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.recipient) for m in told] == [("account.failed_logins", user.email)]
    assert "tentatives de connexion échouées" in told[0].body_text
    assert "n’est pas bloqué" in told[0].body_text
    # Nobody is told about an address without an account (and nothing differs on the page).
    for n in range(throttle.NOTIFY_AFTER + 1):
        _wait(db)
        _attempt(limited, "ghost@example.org", address=f"10.0.3.{n}")
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_password_reset_clears_the_account_s_counters(limited, db, factory):
    from eventapp.services import accounts

    user = factory.user(factory.organisation())
    for n in range(throttle.ACCOUNT_FREE + 1):
        _wait(db)
        _attempt(limited, user.email, address=f"10.0.4.{n}")
    assert _attempt(limited, user.email, DEFAULT_PASSWORD, address="10.0.4.99").status_code == 429
    token = accounts.reset_token(user)
    response = limited.post(
        f"/auth/password/reset/{token}",
        data={"new_password": "a brand new password", "confirm": "a brand new password"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(LoginThrottle)) is None
    ok = _attempt(limited, user.email, "a brand new password", address="10.0.4.98")
    assert ok.status_code == 302


def test_a_venue_s_shared_address_is_not_locked_by_one_person_s_mistakes(limited, db, factory):
    """Behind one Wi-Fi address, one person's wrong passwords slow down that person's account
    only: a colleague logs in at once."""
    guesser = factory.user(factory.organisation())
    colleague = factory.user(factory.organisation())
    for _ in range(throttle.PAIR_FREE + 2):
        _attempt(limited, guesser.email, address="10.0.5.1")
    ok = _attempt(limited, colleague.email, DEFAULT_PASSWORD, address="10.0.5.1")
    assert ok.status_code == 302


def test_the_429_page_is_the_same_for_existing_and_unknown_emails(limited, db, factory):
    user = factory.user(factory.organisation())
    for _ in range(throttle.PAIR_FREE):
        _attempt(limited, user.email, address="10.0.3.1")
        _attempt(limited, "ghost@example.org", address="10.0.4.1")
    db.session.execute(update(LoginThrottle).values(blocked_until=utcnow() + timedelta(minutes=10)))
    db.session.commit()
    existing = _attempt(limited, user.email, address="10.0.3.1")
    unknown = _attempt(limited, "ghost@example.org", address="10.0.4.1")
    assert existing.status_code == unknown.status_code == 429
    assert existing.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert "Patientez 10 minutes" in existing.get_data(as_text=True)
    # (measured a moment apart: the seconds may differ by one)
    assert abs(int(existing.headers["Retry-After"]) - int(unknown.headers["Retry-After"])) <= 1


def test_one_address_trying_many_accounts_is_stopped_by_the_address_limit(
    app, database_url, factory, monkeypatch
):
    from eventapp.extensions import limiter
    from tests.support.apps import DbAwareClient, make_config

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    other = create_app(
        make_config(
            database_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            LOGIN_ADDRESS_LIMIT="5 per 15 minutes",
        )
    )
    other.test_client_class = DbAwareClient
    limiter.reset()
    client = other.test_client()
    user = factory.user(factory.organisation())
    try:
        for n in range(5):
            assert (
                _attempt(client, f"someone{n}@example.org", address="10.0.6.1").status_code == 401
            )
        assert _attempt(client, user.email, DEFAULT_PASSWORD, address="10.0.6.1").status_code == 429
        assert _attempt(client, user.email, DEFAULT_PASSWORD, address="10.0.6.2").status_code == 302
    finally:
        limiter.reset()
        with other.app_context():
            from eventapp.extensions import db as _db

            _db.engine.dispose()


def test_successful_logins_do_not_count(limited, factory):
    user = factory.user(factory.organisation())
    for _ in range(8):
        response = _attempt(limited, user.email, DEFAULT_PASSWORD, address="10.0.5.1")
        assert response.status_code == 302
        limited.post("/auth/logout")


def test_failures_racing_in_real_threads_are_all_counted(app, db, factory):
    """Ten wrong passwords sent at the same moment: each one counts (one atomic upsert per
    counter, the row locked on PostgreSQL, the write serialised on SQLite), so parallel guesses
    cannot slip between a read and a write."""
    from eventapp.extensions import db as _db
    from tests.support.races import race

    email = factory.user(factory.organisation()).email  # read here: threads get plain values
    app.config["RATELIMIT_ENABLED"] = True  # the throttle follows rate limiting (off in tests)
    try:

        def guess(n):
            throttle.failed(email, "10.0.7.1", None)
            _db.session.remove()

        errors, _results = race(app, guess, 10)
    finally:
        app.config["RATELIMIT_ENABLED"] = False
    assert errors == []
    db.session.rollback()
    rows = {r.key: r.failures for r in db.session.scalars(select(LoginThrottle))}
    assert rows[throttle.pair_key(email, "10.0.7.1")] == 10
    assert rows[throttle.account_key(email)] == 10
