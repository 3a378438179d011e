"""Tickets: a signed, unguessable code in a QR code (PNG and one-page PDF), on the manage page
and in the confirmation e-mail; revoked by cancellation; a waitlisted person gets theirs when
promoted. The QR codes are decoded back (zxing-cpp, PDF rendered with pypdfium2) and checked in.
"""

import io

import pypdfium2
import pytest
import zxingcpp
from flask import render_template
from PIL import Image

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import Registration, RegistrationStatus, User
from eventapp.services import checkin, offers, tickets
from eventapp.services import registrations as reg_service


def decode_png(data: bytes) -> list[str]:
    image = Image.open(io.BytesIO(data))
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_pdf(data: bytes, scale: float = 3) -> list[list[str]]:
    """The QR codes found on each page of a PDF, rendered at 72 * scale dpi."""
    document = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for index in range(len(document)):
            image = document[index].render(scale=scale).to_pil()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            pages.append([b.text for b in found])
        return pages
    finally:
        document.close()


def pdf_text(data: bytes) -> str:
    """The text of every page. PDFium reads a hyphen that ends a line as a soft hyphen and
    returns U+FFFE in its place: put the hyphen back (a ticket code may end with "-")."""
    document = pypdfium2.PdfDocument(data)
    try:
        text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        return text.replace("\ufffe", "-")
    finally:
        document.close()


@pytest.fixture
def event(factory):
    org = factory.organisation(short_name="Medicen")
    return factory.event(organisers=[org], title_fr="Congrès France Bioproduction", slug="cfb")


# --- the signed code --------------------------------------------------------------------------


def test_payload_is_the_random_code_with_a_signature_not_the_id_or_email(app, factory, event):
    registration = factory.registration(event, email="helene.dupont@example.org")
    payload = tickets.payload(registration)
    code, signature = payload.split(".")
    assert code == registration.ticket_code
    assert len(signature) == 16
    assert "helene" not in payload and str(registration.id) != code
    assert tickets.verify(payload) == registration.ticket_code
    # 33 characters: a small QR code, quick to scan.
    assert tickets.qr_code(registration).version <= 3


def test_a_forged_or_damaged_code_does_not_verify(app, factory, event):
    registration = factory.registration(event)
    payload = tickets.payload(registration)
    code, signature = payload.split(".")
    flipped = ("A" if code[0] != "A" else "B") + code[1:]
    assert tickets.verify(f"{flipped}.{signature}") is None
    assert tickets.verify(payload[:-1] + ("A" if payload[-1] != "A" else "B")) is None
    assert tickets.verify("https://example.org/some-other-qr") is None
    assert tickets.verify("") is None


def test_signature_depends_on_the_signing_key(app, factory, event):
    registration = factory.registration(event)
    payload = tickets.payload(registration)
    app.config["TICKET_SIGNING_KEY"] = "another key"
    try:
        assert tickets.verify(payload) is None
        assert tickets.verify(tickets.payload(registration)) == registration.ticket_code
    finally:
        app.config["TICKET_SIGNING_KEY"] = None


def test_read_accepts_a_full_payload_or_the_printed_code_typed_with_spaces(app, factory, event):
    registration = factory.registration(event)
    code = registration.ticket_code
    assert tickets.read(tickets.payload(registration)) == tickets.ReadCode(code, signed=True)
    typed = f"  {tickets.display_code(code)} "
    assert " " in typed.strip()
    assert tickets.read(typed) == tickets.ReadCode(code, signed=False)
    assert tickets.read("not a ticket at all!").code is None
    assert tickets.read(code + ".forgedsignature0").code is None


# --- routes with the manage token ------------------------------------------------------------


def test_manage_token_gives_the_qr_png_that_decodes_to_the_signed_code(client, factory, event):
    registration = factory.registration(event)
    response = client.get(f"/r/{registration.manage_token}/ticket.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert "no-store" in response.headers["Cache-Control"]
    assert decode_png(response.data) == [tickets.payload(registration)]


def test_ticket_pdf_is_one_page_whose_qr_decodes_and_checks_in(client, factory, event):
    registration = factory.registration(
        event, first_name="Hélène", last_name="Œhlenschläger", organisation_name="Sanofi"
    )
    staff = factory.user(is_admin=True)
    response = client.get(f"/r/{registration.manage_token}/ticket.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="ticket-cfb.pdf"' in response.headers["Content-Disposition"]
    pages = decode_pdf(response.data)
    assert len(pages) == 1
    assert pages[0] == [tickets.payload(registration)]
    text = pdf_text(response.data)
    assert "Hélène ŒHLENSCHLÄGER" in text
    assert "Congrès France Bioproduction" in text
    assert tickets.display_code(registration.ticket_code) in text

    with write_transaction():
        result = checkin.check_in_code(
            db.session.get(type(event), event.id),
            pages[0][0],
            user=db.session.get(User, staff.id),
            desk="Desk 1",
        )
    assert result.state == checkin.State.CHECKED_IN
    db.session.rollback()
    assert db.session.get(Registration, registration.id).checked_in_at is not None


def test_cancelled_registration_ticket_is_revoked(client, factory, event):
    registration = factory.registration(event, status="cancelled")
    for suffix in ("png", "pdf"):
        response = client.get(f"/r/{registration.manage_token}/ticket.{suffix}")
        assert response.status_code == 410
        assert "annulée" in response.get_data(as_text=True)


def test_waitlisted_registration_has_no_ticket_yet(client, factory, event):
    registration = factory.registration(event, status="waitlisted")
    response = client.get(f"/r/{registration.manage_token}/ticket.png")
    assert response.status_code == 404
    assert "dès qu" in response.get_data(as_text=True)


def test_unknown_token_is_404(client):
    assert client.get("/r/not-a-real-token/ticket.pdf").status_code == 404


def test_ticket_pdf_follows_the_reader_language(client, factory, event):
    registration = factory.registration(event)
    french = pdf_text(client.get(f"/r/{registration.manage_token}/ticket.pdf").data)
    assert "Billet" in french and "personnel" in french
    client.get("/language/en")
    english = pdf_text(client.get(f"/r/{registration.manage_token}/ticket.pdf").data)
    assert "Ticket" in english and "personal" in english


def test_ticket_partial_shows_the_qr_for_a_confirmed_registration_only(app, factory, event):
    confirmed = factory.registration(event)
    waitlisted = factory.registration(event, status="waitlisted")
    with app.test_request_context("/"):
        html = render_template(
            "registration/_ticket.html", registration=confirmed, event=confirmed.event
        )
        assert f"/r/{confirmed.manage_token}/ticket.png" in html
        assert f"/r/{confirmed.manage_token}/ticket.pdf" in html
        assert tickets.display_code(confirmed.ticket_code) in html
        assert 'alt="' in html and " style=" not in html and "<script" not in html
        empty = render_template(
            "registration/_ticket.html", registration=waitlisted, event=waitlisted.event
        )
        assert "ticket.png" not in empty


# --- the e-mails -----------------------------------------------------------------------------


def _person(n, **kw):
    values = {
        "first_name": "Léa",
        "last_name": f"Moreau{n}",
        "email": f"lea{n}@example.org",
        "category": "biotech",
        "organisation_name": "Yposkesi",
    }
    values.update(kw)
    return reg_service.Participant(**values)


def _attachments(message):
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


def test_confirmation_email_carries_the_ticket_as_png_and_pdf(app, factory, event, mail_outbox):
    with write_transaction():
        outcome = reg_service.register([db.session.get(type(event), event.id)], _person(1))[0]
        registration_id = outcome.registration.id
    assert len(mail_outbox) == 1
    files = _attachments(mail_outbox[0])
    assert files["ticket-cfb.png"][1] == "image/png"
    assert files["ticket-cfb.pdf"][1] == "application/pdf"
    registration = db.session.get(Registration, registration_id)
    assert decode_png(files["ticket-cfb.png"][0]) == [tickets.payload(registration)]
    assert decode_pdf(files["ticket-cfb.pdf"][0]) == [[tickets.payload(registration)]]


def test_english_participant_gets_an_english_ticket(app, factory, event, mail_outbox):
    with write_transaction():
        reg_service.register([db.session.get(type(event), event.id)], _person(2, language="en"))
    content, _mimetype = _attachments(mail_outbox[0])["ticket-cfb.pdf"]
    assert "Show this QR code" in pdf_text(content)


def test_waitlisted_person_gets_the_ticket_when_accepting_the_offer(app, factory, mail_outbox):
    org = factory.organisation()
    full = factory.event(organisers=[org], capacity=1, slug="full-day")
    with write_transaction():
        first = reg_service.register([db.session.get(type(full), full.id)], _person(3))[0]
        second = reg_service.register([db.session.get(type(full), full.id)], _person(4))[0]
        first_id, second_id = first.registration.id, second.registration.id
    assert second.registration.status == RegistrationStatus.WAITLISTED
    waitlisted_mail = mail_outbox[1]
    assert not [a for a in waitlisted_mail.attachments if a[0].startswith("ticket")]

    with write_transaction():
        reg_service.cancel(db.session.get(Registration, first_id))
    offer_mail = next(m for m in mail_outbox[2:] if m.to == ["lea4@example.org"])
    assert not [a for a in offer_mail.attachments if a[0].startswith("ticket")]
    with write_transaction():
        offers.accept(db.session.get(Registration, second_id))
    kinds = {m.to[0]: m for m in mail_outbox[2:]}
    promoted = kinds["lea4@example.org"]
    files = _attachments(promoted)
    assert set(files) >= {"ticket-full-day.png", "ticket-full-day.pdf"}
    registration = db.session.get(Registration, second_id)
    assert decode_png(files["ticket-full-day.png"][0]) == [tickets.payload(registration)]
    cancelled_mail = kinds["lea3@example.org"]
    assert not [a for a in cancelled_mail.attachments if a[0].startswith("ticket")]
