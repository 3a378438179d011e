"""Two-factor login: turned on with a first code, then asked after the password; ten
single-use recovery codes; turning it off needs the password and sends an e-mail; an
organisation can require it."""

import re

import pyotp
from sqlalchemy import select

from eventapp.models import AuditLog, RecoveryCode, User
from tests.factories import DEFAULT_PASSWORD


def _secret_from(page: str) -> str:
    return re.search(r"<code>([A-Z2-7]{16,})</code>", page).group(1)


def _turn_on(client, db, user) -> list[str]:
    page = client.get("/account/2fa").get_data(as_text=True)
    assert "data:image/svg+xml" in page
    secret = _secret_from(page)
    wrong = client.post("/account/2fa", data={"code": "000000"})
    assert wrong.status_code == 422
    done = client.post("/account/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(
        r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>", done.get_data(as_text=True)
    )
    assert len(codes) == 10
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret
    return secret, codes


def _password_step(client, user):
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/2fa"
    assert client.get("/organiser/").status_code == 302  # not logged in yet


def test_a_manager_turns_on_totp_and_logs_in_with_a_code_then_a_recovery_code(
    client, db, factory, login, mail_outbox
):
    user = factory.user(factory.organisation(), "manager")
    login(user)
    secret, codes = _turn_on(client, db, user)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only digests are kept
    client.post("/auth/logout")

    _password_step(client, user)
    assert client.post("/login/2fa", data={"code": "123456"}).status_code == 401
    assert client.get("/organiser/").status_code == 302
    response = client.post("/login/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/organiser/").status_code == 200
    client.post("/auth/logout")

    _password_step(client, user)
    assert client.post("/login/2fa", data={"code": codes[0]}).status_code == 302
    assert client.get("/organiser/").status_code == 200
    client.post("/auth/logout")
    _password_step(client, user)
    assert client.post("/login/2fa", data={"code": codes[0]}).status_code == 401  # used up
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert "user.2fa_enabled" in actions and "user.recovery_code_used" in actions


def test_the_second_step_needs_the_password_step_first(client, factory):
    assert client.get("/login/2fa").headers["Location"].endswith("/auth/login")
    assert client.post("/login/2fa", data={"code": "123456"}).status_code == 302


def test_turning_it_off_needs_the_password_and_tells_the_person(
    client, db, factory, login, mail_outbox
):
    user = factory.user(factory.organisation(), "manager")
    login(user)
    _turn_on(client, db, user)
    assert client.post("/account/2fa", data={"password": "wrong one"}).status_code == 422
    assert client.post("/account/2fa", data={"password": DEFAULT_PASSWORD}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is None
    assert db.session.scalar(select(RecoveryCode)) is None
    assert mail_outbox[-1].to == [user.email] and "deux facteurs" in mail_outbox[-1].subject


def test_an_organisation_that_requires_it_sends_members_to_set_it_up(client, db, factory):
    org = factory.organisation(require_2fa=True)
    user = factory.user(org, "manager")
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/account/2fa"


def test_a_member_who_must_use_it_is_sent_to_set_it_up_from_every_page(client, db, factory, login):
    """Required after the member logged in: every signed-in page sends them to the set-up
    (the API answers 403), until it is on; the set-up itself and public pages stay open."""
    org = factory.organisation()
    user = factory.user(org, "manager")
    event = factory.event(organisers=[org])
    login(user)
    assert client.get("/organiser/").status_code == 200
    org.require_2fa = True
    db.session.commit()
    for url in ("/organiser/", f"/organiser/events/{event.id}/attendees", "/account/profile"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/2fa"
    assert client.get(f"/api/organiser/events/{event.id}/counts").status_code == 403
    assert client.get("/account/2fa").status_code == 200
    assert client.get("/").status_code == 200
    _turn_on(client, db, user)
    assert client.get("/organiser/").status_code == 200


def test_administrators_must_use_it_under_production_only(client, db, factory, app, monkeypatch):
    """Issue 13: administrators must use two-factor login under APP_CONFIG=production (its
    config says so); elsewhere, as in development, they may log in with a password."""
    from config import Config, DevelopmentConfig, ProductionConfig

    assert ProductionConfig.ADMIN_2FA_REQUIRED is True
    assert not getattr(DevelopmentConfig, "ADMIN_2FA_REQUIRED", False)
    assert not getattr(Config, "ADMIN_2FA_REQUIRED", False)
    admin = factory.user(is_admin=True)
    manager = factory.user(factory.organisation(), "manager")
    # Development-like: a password is enough.
    response = client.post("/auth/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] != "/account/2fa"
    client.post("/auth/logout")
    # Production's setting: the administrator is sent to set it up, from every page...
    monkeypatch.setitem(app.config, "ADMIN_2FA_REQUIRED", True)
    response = client.post("/auth/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/account/2fa"
    for url in ("/organiser/", "/admin/organisations", "/account/profile"):
        redirected = client.get(url)
        assert redirected.status_code == 302 and redirected.headers["Location"] == "/account/2fa"
    _turn_on(client, db, admin)
    assert client.get("/admin/organisations").status_code == 200
    client.post("/auth/logout")
    # ... while an organiser of an organisation that does not require it is not.
    response = client.post(
        "/auth/login", data={"email": manager.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] != "/account/2fa"
