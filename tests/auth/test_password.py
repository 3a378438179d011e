"""Password reset by e-mailed, time-limited, single-use token; password change ending other
sessions; the `users` command-line tools."""

import re

import pytest
from sqlalchemy import func, select

from eventapp.models import AuditLog, Membership, OutboxMessage, User
from eventapp.services import accounts
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "un nouveau mot de passe"


def _reset_link(db, user):
    message = db.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.recipient == user.email, OutboxMessage.kind == "account.password_reset"
        )
        .order_by(OutboxMessage.id.desc())
    )
    assert message is not None
    match = re.search(r"https?://\S+/auth/password/reset/(\S+)", message.body_text)
    return "/auth/password/reset/" + match.group(1), message


def test_reset_by_email_sets_a_new_password_and_the_link_works_once(
    client, db, factory, mail_outbox
):
    user = factory.user(factory.organisation())
    response = client.post("/auth/password/forgot", data={"email": user.email.upper()})
    assert response.status_code == 302
    assert len(mail_outbox) == 1 and mail_outbox[0].to == [user.email]
    link, message = _reset_link(db, user)
    assert "Réinitialiser" in message.subject or "mot de passe" in message.subject
    assert user.email not in link  # no personal data in the URL
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    # The new password works, the old one does not.
    assert (
        client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    ).status_code == 401
    assert (
        client.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD})
    ).status_code == 302
    client.post("/auth/logout")
    # The same link is dead now (bound to the old password hash).
    assert client.get(link).status_code == 410
    again = client.post(
        link, data={"new_password": "yet another one!", "confirm": "yet another one!"}
    )
    assert again.status_code == 410
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.user_id == user.id)))
    assert {"user.password_reset_requested", "user.password_reset"} <= actions


def test_unknown_email_gets_the_same_answer_and_no_mail(client, db, factory, mail_outbox):
    user = factory.user(factory.organisation())
    known = client.post("/auth/password/forgot", data={"email": user.email})
    unknown = client.post("/auth/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(mail_outbox) == 1
    page_known = client.get("/auth/login").get_data(as_text=True)
    assert "Si un compte organisateur existe" in page_known


def test_reset_links_expire(app, db, factory, monkeypatch, client):
    user = factory.user(factory.organisation())
    token = accounts.reset_token(user)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    assert client.get(f"/auth/password/reset/{token}").status_code == 410
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 3600)
    assert client.get(f"/auth/password/reset/{token}").status_code == 200


def test_forged_or_disabled_reset_links_are_refused(client, db, factory):
    user = factory.user(factory.organisation())
    token = accounts.reset_token(user)
    assert client.get(f"/auth/password/reset/{token[:-3]}abc").status_code == 410
    assert client.get("/auth/password/reset/nonsense").status_code == 410
    user = db.session.get(User, user.id)
    user.active = False
    db.session.commit()
    assert client.get(f"/auth/password/reset/{token}").status_code == 410


def test_reset_form_checks_the_new_password(client, db, factory):
    user = factory.user(factory.organisation())
    link = f"/auth/password/reset/{accounts.reset_token(user)}"
    short = client.post(link, data={"new_password": "court", "confirm": "court"})
    assert short.status_code == 400
    assert "au moins 10 caractères" in short.get_data(as_text=True)
    mismatch = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": "autre chose!"})
    assert mismatch.status_code == 400
    as_email = client.post(link, data={"new_password": user.email, "confirm": user.email})
    assert as_email.status_code == 400
    assert db.session.get(User, user.id).check_password(DEFAULT_PASSWORD)


def test_change_password_keeps_this_session_and_ends_the_others(app, client, db, factory, login):
    user = factory.user(factory.organisation())
    other_device = app.test_client()
    login(user, c=other_device)
    login(user)
    wrong = client.post(
        "/auth/password/change",
        data={
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400
    response = client.post(
        "/auth/password/change",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/organiser/").status_code == 200  # still logged in here
    assert other_device.get("/organiser/").status_code == 302  # logged out there
    assert db.session.get(User, user.id, populate_existing=True).check_password(NEW_PASSWORD)


def test_change_password_needs_a_login(client):
    response = client.get("/auth/password/change")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_reset_requests_are_rate_limited(limited, db, factory):
    user = factory.user(factory.organisation())
    codes = [
        limited.post(
            "/auth/password/forgot",
            data={"email": user.email},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        ).status_code
        for n in range(7)
    ]
    assert codes[:5] == [302] * 5 and codes[5:] == [429, 429]
    queued = select(func.count()).select_from(OutboxMessage)
    assert db.session.scalar(queued.where(OutboxMessage.recipient == user.email)) == 5
    # The same from one address, whatever the e-mail.
    codes = [
        limited.post(
            "/auth/password/forgot",
            data={"email": f"x{n}@example.org"},
            environ_base={"REMOTE_ADDR": "10.1.1.1"},
        ).status_code
        for n in range(6)
    ]
    assert codes[-1] == 429


# --- command line ---------------------------------------------------------------------------


def test_cli_creates_managers_checkin_staff_and_admins(runner, db, factory):
    org = factory.organisation(slug="polepharma")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Marie@Polepharma.example",
            "--organisation",
            "polepharma",
            "--role",
            "checkin",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "marie@polepharma.example"))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.organisation_id == org.id and membership.role == "checkin"
    assert user.check_password("a long password") and not user.is_admin

    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "root@example.org",
            "--admin",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "root@example.org")).is_admin


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email", "--organisation", "polepharma"], "email"),
        (["--email", "a@example.org", "--organisation", "nowhere"], "unknown organisation"),
        (["--email", "a@example.org"], "--organisation"),
        (["--email", "a@example.org", "--organisation", "polepharma", "--role", "boss"], "role"),
    ],
)
def test_cli_refuses_bad_input(runner, factory, args, message):
    factory.organisation(slug="polepharma")
    result = runner.invoke(args=["users", "create", *args, "--password", "a long password"])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_refuses_short_passwords_and_duplicates(runner, factory):
    factory.organisation(slug="polepharma")
    base = ["users", "create", "--email", "a@example.org", "--organisation", "polepharma"]
    assert "10 characters" in runner.invoke(args=[*base, "--password", "short"]).output
    assert runner.invoke(args=[*base, "--password", "a long password"]).exit_code == 0
    again = runner.invoke(args=[*base, "--password", "a long password"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_cli_set_password_logs_out_other_sessions(app, runner, db, factory, login):
    user = factory.user(factory.organisation())
    login(user)
    client = app.test_client()
    login(user, c=client)
    result = runner.invoke(
        args=["users", "set-password", "--email", user.email, "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert db.session.get(User, user.id, populate_existing=True).check_password(NEW_PASSWORD)
    assert client.get("/organiser/").status_code == 302
    missing = runner.invoke(
        args=["users", "set-password", "--email", "x@example.org", "--password", NEW_PASSWORD]
    )
    assert missing.exit_code != 0 and "no account" in missing.output


def test_guessing_the_current_password_is_throttled(limited, db, factory, login):
    """A stolen session cannot try passwords on the change form: wrong ones count like failed
    logins (5 per 15 minutes), per account."""
    user = factory.user(factory.organisation())
    login(user, c=limited)

    def change(current):
        return limited.post(
            "/auth/password/change",
            data={
                "current_password": current,
                "new_password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )

    assert [change(f"guess {n}").status_code for n in range(5)] == [400] * 5
    blocked = change(DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    assert db.session.get(User, user.id, populate_existing=True).check_password(DEFAULT_PASSWORD)
