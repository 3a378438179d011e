"""Printable badges (PDF): name, organisation, actor category as a colour band AND a word (never
colour alone), event name and the ticket's QR code.

Two layouts: A4 sheets of 8 badges (90 x 60 mm, 2 x 4, with cut marks in the gutters) and A6,
one badge per page (for A6 pouches or a badge printer). Long or accented names are shrunk to fit
their box, then wrapped, then (only for absurd lengths) shortened with an ellipsis. The font is
DejaVu Sans (static/fonts), which covers French and the other European scripts.

`build_badges_pdf(event, registrations)` is the plain entry point (the benchmark times it for
500 badges); the organiser's badges route selects who gets one with the attendee list's filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from eventapp.models import ActorCategory, Event, Registration
from eventapp.services import tickets
from eventapp.services.pdf import (
    FONT_FAMILY,
    TextFitter,
    draw_qr,
    fit_lines,
    pdf_document,
    printable,
)
from eventapp.text import person_name

# One colour per actor category; the category's name is always printed on the band too.
CATEGORY_COLOURS: dict[ActorCategory, tuple[int, int, int]] = {
    ActorCategory.INDUSTRIAL: (10, 79, 143),  # blue
    ActorCategory.BIOTECH: (30, 123, 52),  # green
    ActorCategory.CDMO: (106, 27, 154),  # purple
    ActorCategory.EQUIPMENT: (240, 180, 0),  # yellow
    ActorCategory.ACADEMIC: (198, 40, 40),  # red
    ActorCategory.TECHPROVIDER: (0, 131, 143),  # teal
    ActorCategory.CLUSTER: (230, 110, 20),  # orange
    ActorCategory.UNION: (109, 76, 65),  # brown
    ActorCategory.PUBLIC: (55, 71, 79),  # slate
    ActorCategory.INVESTOR: (173, 20, 87),  # magenta
    ActorCategory.OTHER: (190, 190, 190),  # grey
}
INK = (27, 36, 48)
MUTED = (60, 68, 80)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def band_text_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black, whichever contrasts more with the band (WCAG contrast ratio)."""
    lum = _luminance(rgb)
    on_white = (1.05) / (lum + 0.05)
    on_black = (lum + 0.05) / (_luminance(INK) + 0.05)
    return (255, 255, 255) if on_white >= on_black else INK


@dataclass(frozen=True)
class Layout:
    key: str
    page: str
    width: float  # badge, mm
    height: float
    columns: int
    rows: int
    gutter: float
    cut_marks: bool

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    "a4": Layout("a4", "A4", 90, 60, 2, 4, 10, True),
    "a6": Layout("a6", "A6", 105, 148, 1, 1, 0, False),
}
PAGE_SIZES = {"A4": (210, 297), "A6": (105, 148)}
CUT_MARK = 4.0  # length, mm
CUT_GAP = 1.0  # distance from the badge corner, mm


def _positions(layout: Layout) -> list[tuple[float, float]]:
    page_w, page_h = PAGE_SIZES[layout.page]
    block_w = layout.columns * layout.width + (layout.columns - 1) * layout.gutter
    block_h = layout.rows * layout.height + (layout.rows - 1) * layout.gutter
    left, top = (page_w - block_w) / 2, (page_h - block_h) / 2
    return [
        (left + c * (layout.width + layout.gutter), top + r * (layout.height + layout.gutter))
        for r in range(layout.rows)
        for c in range(layout.columns)
    ]


def _cut_marks(pdf: FPDF, x: float, y: float, w: float, h: float) -> None:
    for cx in (x, x + w):
        for cy in (y, y + h):
            dx = -1 if cx == x else 1
            dy = -1 if cy == y else 1
            pdf.line(cx + dx * CUT_GAP, cy, cx + dx * (CUT_GAP + CUT_MARK), cy)
            pdf.line(cx, cy + dy * CUT_GAP, cx, cy + dy * (CUT_GAP + CUT_MARK))


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
    # First name and last name (in capitals) on their own lines, shrunk together until both
    # fit: a long name is never cut or ended with "…"; characters the font lacks are dropped.
    first = printable(pdf, registration.first_name, "B")
    last = printable(pdf, person_name("", registration.last_name), "B")
    name = fit_lines(text, [first, last], inner, box.name_height, box.name_sizes[0], "B")
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
    layout: str = "a4",
    lang: str = "fr",
    extras: dict[int, str] | None = None,
) -> bytes:
    """The badges of `registrations` (in the given order) as one PDF, texts in `lang`;
    `extras`: a line per registration id (the answers chosen for the badge)."""
    extras = extras or {}
    sheet = LAYOUTS[layout]
    positions = _positions(sheet)
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
            x, y = positions[slot]
            _draw_badge(
                pdf, text, sheet, x, y, registration, title, extras.get(registration.id, "")
            )
            if sheet.cut_marks:
                _cut_marks(pdf, x, y, sheet.width, sheet.height)
        if not registrations:
            pdf.add_page()
            pdf.set_font(FONT_FAMILY, "", 12)
            pdf.set_xy(15, 20)
            pdf.cell(text=_("No badge to print."))
        return bytes(pdf.output())
