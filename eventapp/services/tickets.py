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

This module also holds the PDF helpers shared with the badges (fonts, text fitting, QR drawing).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF

from eventapp.i18n import format_range
from eventapp.models import Registration, RegistrationStatus
from eventapp.services.mail import attachment_builder

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
FONT_FAMILY = "DejaVu"
SIGNATURE_BYTES = 12
_SALT = b"eventapp-ticket-v1:"
_CODE = r"[A-Za-z0-9_-]{8,32}"
_SIGNED = re.compile(rf"^({_CODE})\.([A-Za-z0-9_-]{{16}})$")
_BARE = re.compile(rf"^{_CODE}$")
# E-mails that carry the ticket: a new confirmed registration, and a promotion from the list.
TICKET_MAIL_KINDS = frozenset({"confirmed", "promoted"})
QR_BORDER = 4  # quiet zone, in modules (the QR standard asks for 4)


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


def draw_qr(pdf: FPDF, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """Draw a QR code as vector rectangles (sharp at any print size) in a size x size square
    that includes the quiet zone. Runs of dark modules are merged across rows, and the whole
    code goes out as one PDF path: a badge sheet of 500 codes stays small and fast to build."""
    matrix = qr.matrix
    count = len(matrix)
    module = size / (count + 2 * QR_BORDER)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    # PDF user space: points, origin at the bottom left of the page.
    k, page_height = pdf.k, pdf.h
    left = (x + QR_BORDER * module) * k
    top = (page_height - y - QR_BORDER * module) * k
    step = module * k
    ops: list[str] = []
    open_runs: dict[tuple[int, int], int] = {}  # (first column, end column) -> first row

    def emit(run, first_row, end_row):
        start, end = run
        ops.append(
            f"{left + start * step:.3f} {top - first_row * step:.3f} "
            f"{(end - start) * step:.3f} {-(end_row - first_row) * step:.3f} re"
        )

    for row_index, row in enumerate(matrix):
        runs = set()
        col = 0
        while col < count:
            if row[col]:
                start = col
                while col < count and row[col]:
                    col += 1
                runs.add((start, col))
            else:
                col += 1
        for run in [r for r in open_runs if r not in runs]:
            emit(run, open_runs.pop(run), row_index)
        for run in runs:
            open_runs.setdefault(run, row_index)
    for run, first_row in open_runs.items():
        emit(run, first_row, count)
    # One filled path for the whole code. fpdf2 has no public call for a raw path; _out() is
    # what its own rect() uses (fpdf2 is pinned; the QR decoding tests guard this).
    pdf._out(" ".join(ops) + " f")


# --- PDF helpers (shared with badges) ---------------------------------------------------------


def new_pdf(title: str, lang: str, **kwargs) -> FPDF:
    pdf = FPDF(unit="mm", **kwargs)
    pdf.add_font(FONT_FAMILY, "", FONT_DIR / "DejaVuSans-Europe.ttf")
    pdf.add_font(FONT_FAMILY, "B", FONT_DIR / "DejaVuSans-Bold-Europe.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("eventapp")
    pdf.set_author("eventapp")
    return pdf


@contextlib.contextmanager
def pdf_document(title: str, lang: str, **kwargs) -> Iterator[FPDF]:
    """A new document (see new_pdf); the font files fpdf2 opens are closed at the end (it
    leaves them open)."""
    pdf = new_pdf(title, lang, **kwargs)
    try:
        yield pdf
    finally:
        close_fonts(pdf)


def close_fonts(pdf: FPDF) -> None:
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


PT = 25.4 / 72  # one point in mm


@dataclass
class Fitted:
    size: float  # points
    lines: list[str]
    widths: list[float]  # mm, one per line
    line_height: float  # mm


class TextFitter:
    """Fits text into boxes: the largest size (max_size down to min_size, by half points) at
    which it holds on one line; failing that, the largest size at which it wraps into the box;
    failing that, min_size with the last line shortened with an ellipsis.

    Text width grows linearly with the font size, so each string is measured once (at 10 pt)
    and sizes are tried by arithmetic; results are memoised (a sheet of 500 badges repeats the
    event's title and the category names)."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self._widths: dict[tuple[str, str], float] = {}
        self._fitted: dict[tuple, Fitted] = {}

    def unit_width(self, text: str, style: str) -> float:
        """Width in mm of `text` at 1 pt."""
        key = (text, style)
        if key not in self._widths:
            self.pdf.set_font(FONT_FAMILY, style, 10)
            self._widths[key] = self.pdf.get_string_width(text) / 10
        return self._widths[key]

    def fit(
        self,
        text: str,
        width: float,
        height: float,
        max_size: float,
        min_size: float,
        style: str = "",
        max_lines: int = 3,
        leading: float = 1.15,
    ) -> Fitted:
        text = " ".join((text or "").split())
        key = (text, width, height, max_size, min_size, style, max_lines, leading)
        if key not in self._fitted:
            self._fitted[key] = self._fit(*key)
        return self._fitted[key]

    def _fit(self, text, width, height, max_size, min_size, style, max_lines, leading) -> Fitted:
        sizes = []
        size = max_size
        while size >= min_size - 1e-9:
            sizes.append(round(size, 2))
            size -= 0.5
        if not text:
            return Fitted(max_size, [], [], max_size * leading * PT)
        whole = self.unit_width(text, style)
        for size in sizes:
            if size * leading * PT <= height and whole * size <= width:
                return Fitted(size, [text], [whole * size], size * leading * PT)
        words = text.split(" ")
        word_widths = [self.unit_width(word, style) for word in words]
        space = self.unit_width(" ", style)
        for size in sizes:
            line_height = size * leading * PT
            room = min(max_lines, int(height / line_height + 1e-9))
            lines = _wrap_words(words, word_widths, space, width / size) if room else None
            if lines is not None and len(lines) <= room:
                return Fitted(
                    size,
                    [" ".join(words[i:j]) for i, j, _w in lines],
                    [w * size for _i, _j, w in lines],
                    line_height,
                )
        return self._squeeze(text, width, height, min_size, style, max_lines, leading)

    def _squeeze(self, text, width, height, size, style, max_lines, leading) -> Fitted:
        """Last resort at the smallest size: cut words wider than the line, and end the last
        line that fits with an ellipsis."""
        pdf = self.pdf
        pdf.set_font(FONT_FAMILY, style, size)
        line_height = size * leading * PT
        room = max(1, min(max_lines, int(height / line_height + 1e-9)))
        lines = wrap(pdf, text, width)
        if len(lines) > room:
            last = " ".join(lines[room - 1 :])
            while last and pdf.get_string_width(last + "…") > width:
                last = last[:-1]
            lines = [*lines[: room - 1], last.rstrip() + "…"]
        return Fitted(size, lines, [pdf.get_string_width(line) for line in lines], line_height)

    def draw(self, fitted: Fitted, x: float, y: float, width: float, style="", align="L") -> float:
        """Draw fitted lines in a box of `width` from its top (x, y); returns the y below."""
        pdf = self.pdf
        pdf.set_font(FONT_FAMILY, style, fitted.size)
        size_mm = fitted.size * PT
        for line, line_width in zip(fitted.lines, fitted.widths, strict=True):
            offset = {"C": (width - line_width) / 2, "R": width - line_width}.get(align, 0)
            # Baseline placed as fpdf2's cell() does: centred in the line, 0.3 em below.
            pdf.text(x + max(offset, 0), y + fitted.line_height / 2 + 0.3 * size_mm, line)
            y += fitted.line_height
        return y


def _wrap_words(words, widths, space, limit):
    """Greedy word wrap on widths measured at 1 pt, for a line `limit` mm wide at 1 pt.
    Returns [(first word, end word, width)] or None if a single word is wider than a line."""
    lines = []
    start, current = 0, 0.0
    for index, word_width in enumerate(widths):
        if word_width > limit:
            return None
        if index == start:
            current = word_width
        elif current + space + word_width <= limit:
            current += space + word_width
        else:
            lines.append((start, index, current))
            start, current = index, word_width
    lines.append((start, len(words), current))
    return lines


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap at the current font; a word wider than the line is cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while pdf.get_string_width(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def fit_text(pdf: FPDF, text: str, width: float, height: float, *args, **kwargs) -> Fitted:
    """One-off fit_text (see TextFitter)."""
    return TextFitter(pdf).fit(text, width, height, *args, **kwargs)


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
