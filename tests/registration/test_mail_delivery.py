"""E-mail never loses a registration: a real SMTP server on loopback (aiosmtpd) receives the
confirmation with its .ics; with the server down the registration is kept, the message stays
in the outbox as failed, and `flask mail send-pending` delivers it once the server is back."""

import contextvars
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.models import Booking, OutboxMessage, Registration
from tests.support.apps import DbAwareClient, make_config
from tests.support.network import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_app(database_url):
    port = free_port()
    app = create_app(
        make_config(
            database_url,
            MAIL_BACKEND="smtp",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            MAIL_TIMEOUT=5,
        )
    )
    app.test_client_class = DbAwareClient
    yield app, port
    with app.app_context():
        _db.engine.dispose()


def _register(client, event, email="lea@example.org"):
    return client.post(
        f"/events/{event.slug}/register",
        data={
            "first_name": "Léa",
            "last_name": "Durand",
            "email": email,
            "organisation_name": "Yposkesi",
            "category": "biotech",
            "region": "idf",
            "consent": "y",
        },
    )


def _start(handler, port):
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_confirmation_goes_through_a_real_smtp_server(smtp_app, factory):
    app, port = smtp_app
    inbox = Inbox()
    controller = _start(inbox, port)
    try:
        event = factory.event(title_fr="Congrès SMTP")
        assert _register(app.test_client(), event).status_code == 302
    finally:
        controller.stop()
    [(recipients, raw)] = inbox.messages
    assert recipients == ["lea@example.org"]
    mail = message_from_bytes(raw, policy=policy.default)
    assert "Congrès SMTP" in mail["Subject"]
    token = _db.session.scalar(select(Booking.manage_token))
    assert f"/b/{token}" in mail.get_body(("plain",)).get_content()
    attachments = {part.get_filename(): part for part in mail.iter_attachments()}
    assert "events.ics" in attachments and "tickets.pdf" in attachments
    assert b"BEGIN:VCALENDAR" in attachments["events.ics"].get_payload(decode=True)
    message = _db.session.scalar(select(OutboxMessage))
    assert message.status == "sent" and message.sent_at is not None


def test_server_down_keeps_the_registration_and_send_pending_retries(smtp_app, factory):
    app, port = smtp_app  # nothing listens on this port yet
    event = factory.event()
    response = _register(app.test_client(), event)
    assert response.status_code == 302  # the participant is registered all the same
    registration = _db.session.scalar(select(Registration))
    assert registration is not None and registration.status == "confirmed"
    message = _db.session.scalar(select(OutboxMessage))
    assert message.status == "failed" and message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()

    runner = app.test_cli_runner()

    def send_pending():
        # Run the command as the CLI does: in its own app context (this SMTP app's), not in
        # the test's.
        _db.session.commit()
        return contextvars.Context().run(runner.invoke, args=["mail", "send-pending"])

    result = send_pending()
    assert result.exit_code == 1 and "1 failed" in result.output, (result.output, result.exception)

    inbox = Inbox()
    controller = _start(inbox, port)
    try:
        result = send_pending()
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    _db.session.expire_all()
    assert message.status == "sent" and message.attempts == 3
    [(recipients, raw)] = inbox.messages
    assert recipients == [registration.email]
    assert registration.booking.manage_token.encode() in raw


# --- issue 20, point 7: a mail refused for good -----------------------------------------------


class Refusing(Inbox):
    """Refuses one address for good (550) or for now (450), accepts the others."""

    def __init__(self, address, code=550):
        super().__init__()
        self.address, self.code = address, code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.address:
            return f"{self.code} 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_mail_refused_for_good_is_not_retried_and_the_organiser_is_told(smtp_app, factory, login):
    from eventapp.services import mail as mail_service

    app, port = smtp_app
    org = factory.organisation()
    manager = factory.user(org, "manager")
    event = factory.event(organisers=[org])
    inbox = Refusing("typo@exmaple.org")
    controller = _start(inbox, port)
    try:
        assert _register(app.test_client(), event, email="typo@exmaple.org").status_code == 302
        message = _db.session.scalar(select(OutboxMessage))
        assert message.status == "bounced" and message.attempts == 1
        assert "550" in message.last_error
        _db.session.commit()
        with app.app_context():
            assert mail_service.due_for_sweep() == []
            assert mail_service.send_pending() == (0, 0)  # never retried
        _db.session.expire_all()
        assert message.attempts == 1 and inbox.messages == []

        registration = _db.session.scalar(select(Registration))
        client = app.test_client()
        login(manager, c=client)
        listing = client.get(f"/organiser/events/{event.id}/attendees").get_data(as_text=True)
        assert "E-mail refusé" in listing and "corrigez l’adresse et renvoyez" in listing
        person_url = f"/organiser/events/{event.id}/attendees/{registration.id}"
        page = client.get(person_url).get_data(as_text=True)
        assert "refusé" in page and f"{person_url}/resend" in page

        # The organiser corrects the address and resends: the new message goes through.
        registration.email = "lea@example.org"
        _db.session.commit()
        response = client.post(f"{person_url}/resend")
        assert response.status_code == 302
    finally:
        controller.stop()
    _db.session.expire_all()
    first, second = _db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    assert first.status == "bounced"
    assert second.recipient == "lea@example.org" and second.status in ("pending", "sent")


def test_a_temporary_refusal_is_retried(smtp_app, factory):
    app, port = smtp_app
    controller = _start(Refusing("busy@example.org", code=450), port)
    try:
        _register(app.test_client(), factory.event(), email="busy@example.org")
    finally:
        controller.stop()
    message = _db.session.scalar(select(OutboxMessage))
    assert message.status == "failed"


@pytest.mark.parametrize(
    "error, permanent",
    [
        ("recipients_550", True),
        ("recipients_450", False),
        ("data_554", True),
        ("data_451", False),
        ("sender_550", False),
        ("connection", False),
    ],
)
def test_permanent_failures_are_told_from_temporary_ones(error, permanent):
    import smtplib

    from eventapp.services.mail import is_permanent_failure

    errors = {
        "recipients_550": smtplib.SMTPRecipientsRefused({"a@b.org": (550, b"no such user")}),
        "recipients_450": smtplib.SMTPRecipientsRefused({"a@b.org": (450, b"try later")}),
        "data_554": smtplib.SMTPDataError(554, b"rejected"),
        "data_451": smtplib.SMTPDataError(451, b"local error"),
        "sender_550": smtplib.SMTPSenderRefused(550, b"sender", "noreply@x.org"),
        "connection": ConnectionRefusedError(111, "refused"),
    }
    assert is_permanent_failure(errors[error]) is permanent
