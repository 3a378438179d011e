"""Tickets: a signed, unguessable code in a QR code, as a PNG and as a one-page PDF.

The QR code holds "<ticket_code>.<signature>". `ticket_code` is the registration's random
identifier (never its id nor its e-mail); the signature is an HMAC-SHA256 of it with
TICKET_SIGNING_KEY (or SECRET_KEY), truncated to 96 bits, so anyone holding the key can tell a
genuine ticket from a forged or damaged one without the database. Whether a ticket still admits
someone is decided at check-in by the registration's status: cancelling the registration revokes
its ticket, and only confirmed registrations get one (a waitlisted person gets theirs in the
"promoted" e-mail).

The payload is kept short (33 characters, a version-3 QR code) so that phone cameras and desk
scanners read it fast, even printed small on a badge.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno
from flask import current_app
from flask_babel import gettext as _

from eventapp.i18n import format_range
from eventapp.models import Registration, RegistrationStatus
from eventapp.services.mail import attachment_builder
from eventapp.services.pdf import FONT_FAMILY, QR_BORDER, TextFitter, draw_qr, pdf_document

if TYPE_CHECKING:  # fpdf2 (and numpy under it): loaded by the code that draws a PDF
    from fpdf import FPDF

SIGNATURE_BYTES = 12
_SALT = b"eventapp-ticket-v1:"
_CODE = r"[A-Za-z0-9_-]{8,32}"
_SIGNED = re.compile(rf"^({_CODE})\.([A-Za-z0-9_-]{{16}})$")
_BARE = re.compile(rf"^{_CODE}$")
# E-mails that carry the ticket: a new confirmed registration, a promotion from the list, and
# the reminder before the event (services/reminders).
TICKET_MAIL_KINDS = frozenset({"confirmed", "promoted", "reminder"})


# --- signing ---------------------------------------------------------------------------------


def _key() -> bytes:
    key = current_app.config.get("TICKET_SIGNING_KEY") or current_app.config["SECRET_KEY"]
    if not key:
        raise RuntimeError("Tickets need TICKET_SIGNING_KEY or SECRET_KEY.")
    return key.encode() if isinstance(key, str) else key


def signature(code: str) -> str:
    digest = hmac.new(_key(), _SALT + code.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode("ascii")


def payload(registration: Registration) -> str:
    """What the QR code holds."""
    return f"{registration.ticket_code}.{signature(registration.ticket_code)}"


def verify(text: str) -> str | None:
    """The ticket code if `text` is a genuinely signed ticket payload, else None (no database
    needed)."""
    match = _SIGNED.match((text or "").strip())
    if not match:
        return None
    code, given = match.groups()
    return code if hmac.compare_digest(given, signature(code)) else None


@dataclass(frozen=True)
class ReadCode:
    """What a desk read or was typed: the ticket code to look up, and whether a signature came
    with it. `code` is None when nothing usable was read (a forged or damaged QR code, another
    QR code, garbage)."""

    code: str | None
    signed: bool


def read(text: str) -> ReadCode:
    """Parse what a scanner or a person entered: a full signed payload (camera, USB scanner) or
    the bare code printed under the QR code (typed, spaces allowed)."""
    text = (text or "").strip()
    if "." in text:
        return ReadCode(verify(text), signed=True)
    bare = re.sub(r"\s+", "", text)
    return ReadCode(bare if _BARE.match(bare) else None, signed=False)


def lookup_forms(read: ReadCode) -> list[str]:
    """The codes a read may designate: a signed one exactly; a typed one also in capitals
    without its separators (today's codes are case-insensitive and grouped), and as typed
    (the mixed-case codes made before)."""
    if read.code is None:
        return []
    if read.signed:
        return [read.code]
    return sorted({read.code, read.code.upper(), read.code.replace("-", "").upper()})


def display_code(code: str) -> str:
    """The code as printed for people to read out or type: groups of four."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def has_ticket(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED


# --- QR code ---------------------------------------------------------------------------------


def qr_code(registration: Registration) -> segno.QRCode:
    return _qr_for(payload(registration))


@functools.lru_cache(maxsize=2048)
def _qr_for(text: str) -> segno.QRCode:
    # Encoding is the costly part of a badge (segno tries the 8 masks, as the standard asks);
    # the e-mail's PNG and PDF and a reprinted badge sheet reuse it. make_qr: never a Micro QR
    # (phone decoders and jsQR do not read those).
    return segno.make_qr(text, error="m")


def png(registration: Registration, scale: int = 10) -> bytes:
    out = io.BytesIO()
    qr_code(registration).save(out, kind="png", scale=scale, border=QR_BORDER)
    return out.getvalue()


# --- the ticket PDF --------------------------------------------------------------------------

BRAND = (10, 79, 143)
INK = (27, 36, 48)
MUTED = (74, 85, 100)


def pdf(registration: Registration, lang: str) -> bytes:
    """A one-page A4 ticket in `lang` (the caller sets the locale: the reader's language on the
    manage page, the participant's in e-mails)."""
    event = registration.event
    title = event.title(lang)
    with pdf_document(f"{_('Ticket')} — {title}", lang, format="A4") as doc:
        _draw_ticket(doc, registration, title)
        return bytes(doc.output())


def pdf_of_many(registrations, lang: str) -> bytes:
    """One PDF with a page per registration's ticket (a booking's tickets, in one file)."""
    with pdf_document(_("Tickets"), lang, format="A4") as doc:
        for registration in registrations:
            _draw_ticket(doc, registration, registration.event.title(lang))
        return bytes(doc.output())


def _draw_ticket(doc: FPDF, registration: Registration, title: str) -> None:
    event = registration.event
    doc.add_page()
    width = 210 - 2 * 20

    doc.set_fill_color(*BRAND)
    doc.rect(0, 0, 210, 26, style="F")
    doc.set_text_color(255, 255, 255)
    doc.set_font(FONT_FAMILY, "B", 18)
    doc.set_xy(20, 7)
    doc.cell(width / 2, 12, "eventapp")
    doc.set_font(FONT_FAMILY, "B", 16)
    doc.set_xy(20 + width / 2, 7)
    doc.cell(width / 2, 12, _("Ticket"), align="R")

    text = TextFitter(doc)
    doc.set_text_color(*INK)
    y = text.draw(text.fit(title, width, 26, 22, 13, "B"), 20, 34, width, "B")
    doc.set_text_color(*MUTED)
    doc.set_font(FONT_FAMILY, "", 12)
    doc.set_xy(20, y + 2)
    doc.cell(width, 7, format_range(event.starts_at, event.ends_at, with_time=True))
    y += 9
    place = ", ".join(p for p in (event.venue, event.address, event.city) if p)
    if place:
        y = text.draw(text.fit(place, width, 12, 12, 9), 20, y + 1, width)

    y = max(y + 8, 66)
    doc.set_draw_color(*MUTED)
    doc.set_line_width(0.3)
    doc.line(20, y, 190, y)
    doc.set_text_color(*INK)
    name = text.fit(registration.full_name, width, 20, 24, 14, "B", max_lines=2)
    y = text.draw(name, 20, y + 5, width, "B")
    details = " · ".join(
        p for p in (registration.organisation_name, registration.category.label) if p
    )
    doc.set_text_color(*MUTED)
    y = text.draw(text.fit(details, width, 12, 13, 9, max_lines=2), 20, y + 1, width)

    size = 80
    qr_y = max(y + 6, 112)
    draw_qr(doc, qr_code(registration), (210 - size) / 2, qr_y, size)
    doc.set_text_color(*INK)
    doc.set_font(FONT_FAMILY, "", 11)
    doc.set_xy(20, qr_y + size + 2)
    doc.cell(width, 6, _("Code: %(code)s", code=display_code(registration.ticket_code)), align="C")

    doc.set_text_color(*MUTED)
    notes = [
        _("Show this QR code at the entrance, on your phone or printed."),
        _("It is personal: do not share it."),
        _(
            "This ticket is valid while your registration is confirmed; cancelling the "
            "registration revokes it."
        ),
    ]
    y = qr_y + size + 14
    for note in notes:
        y = text.draw(text.fit(note, width, 12, 10, 8), 20, y, width, align="C")


@attachment_builder
def ticket_attachments(registration: Registration, kind: str) -> list[tuple[str, str, bytes]]:
    """The ticket, as a PNG and a PDF, for the e-mails that confirm a place."""
    if kind not in TICKET_MAIL_KINDS or not has_ticket(registration):
        return []
    name = f"ticket-{registration.event.slug}"
    return [
        (f"{name}.png", "image/png", png(registration)),
        (f"{name}.pdf", "application/pdf", pdf(registration, registration.language or "fr")),
    ]
