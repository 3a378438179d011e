"""Organiser login: remember me, session renewal, cookie flags, throttling of failed attempts
(per account and per address, same answer whether the e-mail exists or not)."""

from sqlalchemy import select

from eventapp import create_app
from eventapp.models import AuditLog, User
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
        assert session["_user_id"] == user.get_id()


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


def test_five_failures_on_one_account_give_a_429_even_from_other_addresses(limited, factory):
    user = factory.user(factory.organisation())
    for n in range(5):
        assert _attempt(limited, user.email, address=f"10.0.1.{n}").status_code == 401
    blocked = _attempt(limited, user.email, address="10.0.1.99")
    assert blocked.status_code == 429
    assert 60 < int(blocked.headers["Retry-After"]) <= 15 * 60  # the rest of the 15 minutes
    text = blocked.get_data(as_text=True)
    assert "15 minutes" in text
    # Even the right password waits: the account is protected, not the guesser.
    right = _attempt(limited, user.email, password=DEFAULT_PASSWORD, address="10.0.1.100")
    assert right.status_code == 429
    # Another account is not affected.
    other = factory.user(factory.organisation())
    ok = _attempt(limited, other.email, password=DEFAULT_PASSWORD, address="10.0.1.101")
    assert ok.status_code == 302


def test_five_failures_from_one_address_give_a_429_whatever_the_account(limited, factory):
    user = factory.user(factory.organisation())
    for n in range(5):
        assert _attempt(limited, f"someone{n}@example.org", address="10.0.2.1").status_code == 401
    assert _attempt(limited, user.email, DEFAULT_PASSWORD, address="10.0.2.1").status_code == 429
    assert _attempt(limited, user.email, DEFAULT_PASSWORD, address="10.0.2.2").status_code == 302


def test_the_429_page_is_the_same_for_existing_and_unknown_emails(limited, factory):
    user = factory.user(factory.organisation())
    for _ in range(5):
        _attempt(limited, user.email, address="10.0.3.1")
        _attempt(limited, "ghost@example.org", address="10.0.4.1")
    existing = _attempt(limited, user.email, address="10.0.3.2")
    unknown = _attempt(limited, "ghost@example.org", address="10.0.4.2")
    assert existing.status_code == unknown.status_code == 429
    assert existing.get_data(as_text=True) == unknown.get_data(as_text=True)


def test_successful_logins_do_not_count(limited, factory):
    user = factory.user(factory.organisation())
    for _ in range(8):
        response = _attempt(limited, user.email, DEFAULT_PASSWORD, address="10.0.5.1")
        assert response.status_code == 302
        limited.post("/auth/logout")
