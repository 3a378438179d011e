"""Messages to the filtered attendee list: write, preview, send through the outbox; the log
shows who received what."""

import pytest
from sqlalchemy import select

from eventapp.models import AuditLog, Mailing, OutboxMessage


@pytest.fixture
def event(factory, login):
    org = factory.organisation(name="Polepharma")
    login(factory.user(org))
    event = factory.event(organisers=[org], title_fr="Congrès France Bioproduction 2026")
    factory.registration(event, first_name="Léa", last_name="Durand", status="confirmed")
    factory.registration(
        event, first_name="Hugo", last_name="Martin", status="confirmed", language="en"
    )
    factory.registration(event, first_name="Inès", last_name="Petit", status="waitlisted")
    factory.registration(event, first_name="Paul", last_name="Roux", status="cancelled")
    factory.registration(event, first_name="Anon", last_name="Yme", email=None, status="confirmed")
    return event


MESSAGE = {
    "subject": "Infos pratiques",
    "body": "Bonjour {first_name},\nL'accueil ouvre à 8h30 pour {event}.",
}


def test_preview_then_send_to_the_filtered_list(client, db, event, mail_outbox):
    url = f"/organiser/events/{event.id}/mailings/new"
    form = client.get(url, query_string={"status": "confirmed"}).get_data(as_text=True)
    assert "À 2 personnes" in form  # the anonymised one cannot be written to
    preview = client.post(url, data={**MESSAGE, "status": "confirmed", "step": "preview"})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Bonjour Léa," in page and "Congrès France Bioproduction 2026" in page
    assert "Envoyer à 2 personnes" in page
    assert db.session.scalar(select(Mailing)) is None  # nothing sent by a preview
    sent = client.post(url, data={**MESSAGE, "status": "confirmed", "step": "send"})
    assert sent.status_code == 302
    mailing = db.session.scalar(select(Mailing))
    assert mailing.recipients_count == 2 and mailing.filters == {"status": "confirmed"}
    messages = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.mailing_id == mailing.id))
    )
    assert len(messages) == 2 and len(mail_outbox) == 2
    lea = next(m for m in messages if "Léa" in m.body_text)
    assert "Bonjour Léa," in lea.body_text and "/r/" in lea.body_text  # their manage link
    hugo = next(m for m in messages if "Hugo" in m.body_text)
    assert "You receive this message because" in hugo.body_text  # footer in their language
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "mailing.sent"))
    assert entry.details["recipients"] == 2
    # The log shows who received it.
    log = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Léa DURAND" in log and "Hugo MARTIN" in log and "PETIT" not in log
    assert "Envoyé" in log
    index = client.get(f"/organiser/events/{event.id}/mailings").get_data(as_text=True)
    assert "Infos pratiques" in index


def test_default_audience_is_everyone_registered_but_not_the_cancelled(
    client, db, event, mail_outbox
):
    url = f"/organiser/events/{event.id}/mailings/new"
    assert client.post(url, data={**MESSAGE, "step": "send"}).status_code == 302
    # Two confirmed + one waitlisted; not the cancelled one, not the anonymised one.
    assert sorted(m.body.split(",")[0] for m in mail_outbox) == [
        "Bonjour Hugo",
        "Bonjour Inès",
        "Bonjour Léa",
    ]


def test_an_empty_message_is_refused_and_kept(client, db, event):
    url = f"/organiser/events/{event.id}/mailings/new"
    response = client.post(url, data={"subject": "", "body": "Texte gardé", "step": "preview"})
    assert response.status_code == 400
    assert "Texte gardé" in response.get_data(as_text=True)
    assert db.session.scalar(select(Mailing)) is None


def test_going_back_to_edit_keeps_the_text(client, event):
    url = f"/organiser/events/{event.id}/mailings/new"
    response = client.post(url, data={**MESSAGE, "step": "edit"})
    assert response.status_code == 200
    assert "Bonjour {first_name}" in response.get_data(as_text=True)


def test_the_log_of_a_message_names_its_whole_audience(client, db, event, mail_outbox):
    """A message sent to those not checked in says so in its log (the filter was dropped)."""
    url = f"/organiser/events/{event.id}/mailings/new"
    sent = client.post(url, data={**MESSAGE, "checked_in": "no", "step": "send"})
    assert sent.status_code == 302
    log = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "pas encore arrivés" in log


def test_unknown_placeholders_are_refused_with_the_valid_ones(client, db, event):
    """Issue 20, point 9: {prenom} was sent as is; French spellings are now aliases, and an
    unknown {word} is refused (400, the text kept) with the list of valid ones."""
    url = f"/organiser/events/{event.id}/mailings/new"
    refused = client.post(
        url,
        data={"subject": "Infos", "body": "Bonjour {prénom_usuel}, à {ville} !", "step": "preview"},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "{prénom_usuel}, {ville}" in page and "{first_name} ({prenom})" in page
    assert "Bonjour {prénom_usuel}, à {ville} !" in page  # the form keeps the text
    french = client.post(
        url,
        data={"subject": "Pour {Prénom}", "body": "Bonjour {prenom} {NOM} ({organisation}), "
              "bienvenue à {événement}.", "status": "confirmed", "step": "preview"},
    )  # fmt: skip
    assert french.status_code == 200
    text = french.get_data(as_text=True)
    assert "Pour Léa" in text and "Bonjour Léa Durand (" in text
    assert "bienvenue à Congrès France Bioproduction 2026." in text


def test_send_a_test_to_me(client, db, event, mail_outbox):
    url = f"/organiser/events/{event.id}/mailings/new"
    response = client.post(url, data={**MESSAGE, "status": "confirmed", "step": "test"})
    assert response.status_code == 200
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert len(messages) == 1 and messages[0].kind == "mailing_test"
    assert messages[0].recipient.startswith("user") or "@" in messages[0].recipient
    assert messages[0].subject == "[Essai] Infos pratiques"
    assert "Bonjour Léa," in messages[0].body_text  # as the first recipient will get it
    assert db.session.scalar(select(Mailing)) is None  # not a mailing


def test_replies_go_to_the_organiser_who_wrote(client, db, event, mail_outbox):
    """Issue 20, point 9: the sender is the platform's address, so replies were lost."""
    from eventapp.models import User

    url = f"/organiser/events/{event.id}/mailings/new"
    assert (
        client.post(url, data={**MESSAGE, "status": "confirmed", "step": "send"}).status_code == 302
    )
    author = db.session.get(User, db.session.scalar(select(Mailing)).created_by_id)
    assert len(mail_outbox) == 2
    assert all(sent.reply_to == [author.email] for sent in mail_outbox)
    assert mail_outbox[0].from_email != author.email


def test_messages_have_html_and_text_parts_signed_by_the_lead_organisation(
    client, db, event, mail_outbox
):
    url = f"/organiser/events/{event.id}/mailings/new"
    client.post(url, data={**MESSAGE, "status": "confirmed", "step": "send"})
    sent = mail_outbox[0]
    html = sent.alternatives[0][0]
    assert sent.alternatives[0][1] == "text/html"
    assert "<p>Polepharma</p>" in html and "\nPolepharma\n" in sent.body
