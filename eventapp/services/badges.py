"""Printable badges (PDF): name, organisation, actor category as a colour band AND a word (never
colour alone), event name and the ticket's QR code.

Formats: A4 sheets of 8 badges (90 x 60 mm, 2 x 4, with cut marks in the gutters), A6 one per
page (for A6 pouches or a badge printer), A4 sheets of 4 A6 badges, and A4 sheets of 14 labels
(99.1 x 38.1 mm, 2 x 7). The first and last name each start a line and only ever shrink to
fit, a very long one going on two lines between words or after a hyphen (never cut inside a
word, never ended with "…"); characters the font lacks (emoji) are dropped. The font is
DejaVu Sans (static/fonts), which covers French and the other European scripts.

The badge designer (organiser/checkin/design.py) saves an event's `Design` (a BadgeDesign row):
the format, which elements are shown and in which order (category band, organisation logo,
event, name, organisation, QR code), and the name's and organisation's sizes. The default
design draws the fixed boxes below (`_draw_badge`); any other is laid out as a column of rows
(services/badge_designs). The sheets and the category colours are in services/badge_sheets.

`build_badges_pdf(event, registrations)` is the plain entry point (the benchmark times it for
500 badges); the organiser's badges route selects who gets one with the attendee list's filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.models import ActorCategory, Event, Registration
from eventapp.services import tickets
from eventapp.services.badge_designs import (  # noqa: F401 (the designer's API, re-exported)
    DEFAULT_ELEMENTS,
    ELEMENTS,
    SIZES,
    Design,
    design_for,
    draw_designed,
    event_logo,
    save_design,
)
from eventapp.services.badge_sheets import (
    CATEGORY_COLOURS,
    INK,
    LAYOUTS,
    MUTED,
    PAGE_SIZES,
    Layout,
    band_text_colour,
    cut_marks,
    luminance,
    positions,
)
from eventapp.services.pdf import (
    FONT_FAMILY,
    TextFitter,
    draw_qr,
    fit_lines,
    pdf_document,
    printable,
)
from eventapp.text import person_name

if TYPE_CHECKING:  # fpdf2 (and numpy under it): loaded by the code that draws a PDF
    from fpdf import FPDF

_luminance = luminance  # the name the colour tests know


@dataclass(frozen=True)
class _Boxes:
    """Where each element goes on a badge, in mm from its top-left corner."""

    pad: float
    band: float
    band_sizes: tuple[float, float]
    event_top: float
    event_height: float
    event_sizes: tuple[float, float]
    name_top: float
    name_height: float
    name_sizes: tuple[float, float]
    org_top: float
    org_height: float
    org_sizes: tuple[float, float]
    qr: float
    qr_beside_org: bool


BOXES = {
    "a4": _Boxes(
        pad=4,
        band=11,
        band_sizes=(12, 7),
        event_top=12.5,
        event_height=6.5,
        event_sizes=(8, 6),
        name_top=19.5,
        name_height=15.5,
        name_sizes=(20, 10),
        org_top=36,
        org_height=20,
        org_sizes=(11, 7),
        qr=23,
        qr_beside_org=True,
    ),
    "a6": _Boxes(
        pad=6,
        band=22,
        band_sizes=(18, 10),
        event_top=25,
        event_height=12,
        event_sizes=(12, 8),
        name_top=40,
        name_height=36,
        name_sizes=(30, 16),
        org_top=79,
        org_height=17,
        org_sizes=(16, 10),
        qr=46,
        qr_beside_org=False,
    ),
}


def _draw_badge(
    pdf: FPDF,
    text: TextFitter,
    layout: Layout,
    x: float,
    y: float,
    registration: Registration,
    event_title: str,
    extra: str = "",
) -> None:
    box = BOXES[layout.key]
    w, h = layout.width, layout.height
    inner = w - 2 * box.pad

    colour = CATEGORY_COLOURS.get(registration.category, CATEGORY_COLOURS[ActorCategory.OTHER])
    pdf.set_fill_color(*colour)
    pdf.rect(x, y, w, box.band, style="F")
    pdf.set_text_color(*band_text_colour(colour))
    label = text.fit(str(registration.category.label), inner, box.band - 2, *box.band_sizes, "B")
    label_top = y + (box.band - len(label.lines) * label.line_height) / 2
    text.draw(label, x + box.pad, label_top, inner, "B", align="C")

    pdf.set_text_color(*MUTED)
    fitted = text.fit(event_title, inner, box.event_height, *box.event_sizes, max_lines=2)
    text.draw(fitted, x + box.pad, y + box.event_top, inner, align="C")

    pdf.set_text_color(*INK)
    # First name and last name (in capitals) each starting its own line, shrunk together until
    # both fit; a very long one goes on two lines, broken between words or after a hyphen,
    # rather than shrinking to an unreadable size: never cut inside a word or ended with "…";
    # characters the font lacks are dropped.
    first = printable(pdf, registration.first_name, "B")
    last = printable(pdf, person_name("", registration.last_name), "B")
    name = fit_lines(
        text, [first, last], inner, box.name_height, box.name_sizes[0], "B", wrap_each=2
    )
    name_top = y + box.name_top + (box.name_height - len(name.lines) * name.line_height) / 2
    text.draw(name, x + box.pad, name_top, inner, "B", align="C")

    org_width = inner - box.qr - 1 if box.qr_beside_org else inner
    align = "L" if box.qr_beside_org else "C"
    if extra:
        # An answer chosen for the badge (a workshop, a dietary need) under the organisation,
        # both shrunk together until they fit.
        lines = [printable(pdf, registration.organisation_name or ""), printable(pdf, extra)]
        lines = [line for line in lines if line]
        fitted = fit_lines(text, lines, org_width, box.org_height, box.org_sizes[0], "")
        text.draw(fitted, x + box.pad, y + box.org_top, org_width, align=align)
    elif registration.organisation_name:
        organisation = printable(pdf, registration.organisation_name)
        org = text.fit(organisation, org_width, box.org_height, *box.org_sizes)
        text.draw(org, x + box.pad, y + box.org_top, org_width, align=align)

    qr = tickets.qr_code(registration)
    if box.qr_beside_org:
        # The QR code's own white quiet zone is the margin at the badge's corner.
        draw_qr(pdf, qr, x + w - box.qr - 1, y + h - box.qr - 1, box.qr)
    else:
        draw_qr(pdf, qr, x + (w - box.qr) / 2, y + h - box.qr - 2, box.qr)


def build_badges_pdf(
    event: Event,
    registrations: Sequence[Registration],
    *,
    layout: str | None = None,
    lang: str = "fr",
    design: Design | None = None,
    logo: bytes | None = None,
    extras: dict[int, str] | None = None,
) -> bytes:
    """The badges of `registrations` (in the given order) as one PDF, texts in `lang`, drawn
    with `design` (default: the default design) on the `layout` sheet (default: the
    design's); `logo`: the organisation's PNG, for a design that shows it; `extras`: a line per
    registration id (the answers chosen for the badge)."""
    extras = extras or {}
    design = (design or Design()).with_layout(layout)
    sheet = LAYOUTS[design.layout]
    places = positions(sheet)
    title = event.title(lang)
    with (
        force_locale(lang),
        pdf_document(f"{_('Badges')} — {title}", lang, format=PAGE_SIZES[sheet.page]) as pdf,
    ):
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        text = TextFitter(pdf)
        for index, registration in enumerate(registrations):
            slot = index % sheet.per_page
            if slot == 0:
                pdf.add_page()
            x, y = places[slot]
            extra = extras.get(registration.id, "")
            if design.is_default:
                _draw_badge(pdf, text, sheet, x, y, registration, title, extra)
            else:
                draw_designed(pdf, text, sheet, x, y, registration, title, design, logo, extra)
            if sheet.cut_marks:
                cut_marks(pdf, x, y, sheet.width, sheet.height)
        if not registrations:
            pdf.add_page()
            pdf.set_font(FONT_FAMILY, "", 12)
            pdf.set_xy(15, 20)
            pdf.cell(text=_("No badge to print."))
        return bytes(pdf.output())
