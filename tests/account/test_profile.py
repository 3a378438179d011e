"""The profile (issue 13): name and language; the e-mail address changes only once the new
address's owner confirms from the link sent there (the old address is told); the password
change is linked from it."""

import re

from sqlalchemy import select

from eventapp.models import AuditLog, OutboxMessage, User
from tests.factories import DEFAULT_PASSWORD


def test_the_profile_changes_the_name_and_the_language(client, db, factory, login):
    user = factory.user(factory.organisation(), name="Léa Martin")
    login(user)
    response = client.get("/account/profile")
    assert "no-store" in response.headers["Cache-Control"]  # personal data: never cached
    page = response.get_data(as_text=True)
    assert 'value="Léa Martin"' in page and "/auth/password/change" in page
    assert "/account/sessions" in page and "/account/2fa" in page
    blank = client.post("/account/profile", data={"name": "", "language": "en"})
    assert blank.status_code == 422
    response = client.post("/account/profile", data={"name": "Léa Dupont", "language": "en"})
    assert response.status_code == 302
    db.session.rollback()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.language) == ("Léa Dupont", "en")
    assert "My account" in client.get("/account/profile").get_data(as_text=True)  # in English
    # The next login brings the account's language back.
    client.post("/auth/logout")
    client.get("/language/fr")
    login(user)
    assert "My account" in client.get("/account/profile").get_data(as_text=True)
    assert "user.profile_changed" in db.session.scalars(select(AuditLog.action)).all()


def _link(body: str) -> str:
    return re.search(r"http://[^\s]+(/account/email-change/[^\s]+)", body).group(1)


def test_an_e_mail_change_waits_for_the_new_address_to_confirm(client, db, factory, login):
    user = factory.user(factory.organisation(), email="lea@example.org")
    login(user)
    wrong = client.post(
        "/account/email", data={"email": "lea.new@example.org", "password": "not my password"}
    )
    assert wrong.status_code == 422
    assert 'value="lea.new@example.org"' in wrong.get_data(as_text=True)  # kept
    response = client.post(
        "/account/email", data={"email": "Lea.New@Example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).email == "lea@example.org"  # not yet
    sent = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "account.email_change")
    )
    assert sent.recipient == "lea.new@example.org"
    link = _link(sent.body_text)
    page = client.get(link)
    assert page.status_code == 200 and "lea.new@example.org" in page.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, user.id).email == "lea@example.org"  # a GET changes nothing
    assert client.post(link).status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).email == "lea.new@example.org"
    told = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "account.email_changed")
    )
    assert told.recipient == "lea@example.org"
    assert client.post(link).status_code == 410  # single use
    # The new address logs in; the old one no longer does.
    client.post("/auth/logout")
    assert (
        client.post(
            "/auth/login", data={"email": "lea.new@example.org", "password": DEFAULT_PASSWORD}
        ).status_code
        == 302
    )


def test_an_address_of_another_account_gets_no_link_and_the_same_answer(client, db, factory, login):
    factory.user(email="taken@example.org")
    user = factory.user(factory.organisation())
    login(user)
    taken = client.post(
        "/account/email", data={"email": "taken@example.org", "password": DEFAULT_PASSWORD}
    )
    free = client.post(
        "/account/email", data={"email": "free@example.org", "password": DEFAULT_PASSWORD}
    )
    assert taken.status_code == free.status_code == 302
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == ["free@example.org"]


def test_a_forged_or_old_link_is_refused(client, factory):
    assert client.get("/account/email-change/forged").status_code == 410
