"""The badge designer's layouts: an event's `Design` (its BadgeDesign row) says the sheet, which
elements a badge shows in which order (category band, organisation logo, event, name,
organisation, QR code) and the name's and organisation's sizes; `draw_designed` lays a badge
out as a column of rows (services/badges draws the default design's fixed boxes)."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PIL import Image
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import ActorCategory, BadgeDesign, Event, Registration, User
from eventapp.services import audit, tickets
from eventapp.services.badge_sheets import (
    CATEGORY_COLOURS,
    INK,
    LAYOUTS,
    MUTED,
    Layout,
    band_text_colour,
)
from eventapp.services.pdf import PT, TextFitter, draw_qr, fit_lines, printable
from eventapp.text import person_name

if TYPE_CHECKING:  # fpdf2 (and numpy under it): loaded by the code that draws a PDF
    from fpdf import FPDF

# The formats whose default badge has fixed boxes (services/badges.BOXES).
FIXED_BOXES = ("a4", "a6")

ELEMENTS = ("band", "logo", "event", "name", "organisation", "qr")
DEFAULT_ELEMENTS = ("band", "event", "name", "organisation", "qr")
SIZES = ("s", "m", "l")
# Share of the badge's height a row asks for (before the rows are fitted to the badge).
ROW_SHARES = {
    "band": 0.17,
    "logo": 0.14,
    "event": 0.11,
    "name": {"s": 0.2, "m": 0.27, "l": 0.34},
    "organisation": {"s": 0.11, "m": 0.16, "l": 0.22},
}
NAME_MAX_PT = {"s": 0.6, "m": 0.8, "l": 1.0}  # × the largest size the name's row allows


@dataclass(frozen=True)
class Design:
    """What a badge shows, in which order, at which sizes, and the sheet it is printed on."""

    layout: str = "a4"
    elements: tuple[str, ...] = DEFAULT_ELEMENTS
    name_size: str = "m"
    organisation_size: str = "m"

    def __post_init__(self):
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown badge layout {self.layout!r}")
        if "name" not in self.elements or not set(self.elements) <= set(ELEMENTS):
            raise ValueError(f"a badge shows the name, among {ELEMENTS}: {self.elements!r}")
        if len(set(self.elements)) != len(self.elements):
            raise ValueError("each element once")
        if self.name_size not in SIZES or self.organisation_size not in SIZES:
            raise ValueError("sizes are s, m or l")

    @property
    def is_default(self) -> bool:
        """The fixed boxes of the A4 8-up and A6 badges (`BOXES`) draw it."""
        return (
            self.layout in FIXED_BOXES
            and self.elements == DEFAULT_ELEMENTS
            and self.name_size == self.organisation_size == "m"
        )

    def with_layout(self, layout: str | None) -> Design:
        return self if not layout or layout == self.layout else replace(self, layout=layout)


def design_for(event: Event) -> Design:
    """The event's saved design, or the default one."""
    row = db.session.scalar(select(BadgeDesign).where(BadgeDesign.event_id == event.id))
    if row is None:
        return Design()
    try:
        return Design(row.layout, tuple(row.fields), row.name_size, row.organisation_size)
    except ValueError:  # a layout or element retired since: the default rather than a 500
        return Design()


def save_design(event: Event, user: User, design: Design) -> BadgeDesign:
    """Keep `design` as the event's (one row per event), in the caller's transaction."""
    row = db.session.scalar(select(BadgeDesign).where(BadgeDesign.event_id == event.id))
    if row is None:
        row = BadgeDesign(event_id=event.id)
        db.session.add(row)
    row.layout = design.layout
    row.fields = list(design.elements)
    row.name_size = design.name_size
    row.organisation_size = design.organisation_size
    row.updated_by_id = user.id
    db.session.flush()
    audit.record("badges.designed", user=user, event_id=event.id, layout=design.layout)
    return row


def event_logo(event: Event) -> bytes | None:
    """The lead organisation's logo (the PNG the app re-encoded), if it has one."""
    from eventapp.services.messaging import lead_organisation

    organisation = lead_organisation(event)
    return organisation.logo_png if organisation is not None else None


@dataclass(frozen=True)
class _Row:
    element: str
    top: float
    height: float
    width: float  # narrower beside the QR code of a landscape badge


def _rows(design: Design, w: float, h: float, pad: float) -> tuple[list[_Row], tuple | None]:
    """The rows of a designed badge from its top, and the QR code's square (x, y, size): the
    last row of a portrait badge, the bottom-right corner of a landscape one (the rows beside
    it are narrowed)."""
    inner = w - 2 * pad
    landscape = w > h * 1.2
    elements = [e for e in design.elements if e != "qr" or not landscape]
    shares = []
    for element in elements:
        if element == "qr":
            shares.append(None)
            continue
        share = ROW_SHARES[element]
        if isinstance(share, dict):
            share = share[design.name_size if element == "name" else design.organisation_size]
        shares.append(share * h)
    qr_size = None
    if "qr" in design.elements:
        qr_size = min(h * 0.42, w * 0.3) if landscape else min(inner * 0.55, h * 0.36)
    fixed = sum(x for x in shares if x is not None) + (
        qr_size + 2 if qr_size and not landscape else 0
    )
    room = h - 2 * pad
    scale = min(1.0, room / fixed) if fixed else 1.0
    gap = max((room - fixed * scale) / (len(elements) + 1), 0)
    rows, y = [], pad + gap
    qr_box = None
    for element, share in zip(elements, shares, strict=True):
        if element == "qr":
            size = qr_size * scale
            qr_box = ((w - size) / 2, y, size)
            rows.append(_Row(element, y, size + 2, inner))
            y += size + 2 + gap
            continue
        height = share * scale
        rows.append(_Row(element, y, height, inner))
        y += height + gap
    if landscape and qr_size:
        size = qr_size
        qr_box = (w - size - 1, h - size - 1, size)
        rows = [
            replace(row, width=inner - size - 1) if row.top + row.height > h - size - 1 else row
            for row in rows
        ]
    return rows, qr_box


def draw_designed(
    pdf: FPDF,
    text: TextFitter,
    layout: Layout,
    x: float,
    y: float,
    registration: Registration,
    event_title: str,
    design: Design,
    logo: bytes | None,
    extra: str = "",
) -> None:
    """`extra`: the answers chosen for the badge, on the organisation's line(s)."""
    w, h = layout.width, layout.height
    pad = max(min(w, h) * 0.06, 2)
    rows, qr_box = _rows(design, w, h, pad)
    for row in rows:
        top, height, width = y + row.top, row.height, row.width
        if row.element == "band":
            colour = CATEGORY_COLOURS.get(
                registration.category, CATEGORY_COLOURS[ActorCategory.OTHER]
            )
            pdf.set_fill_color(*colour)
            pdf.rect(x, top, w, height, style="F")
            pdf.set_text_color(*band_text_colour(colour))
            size = min(height * 0.6 / PT, 18)
            label = text.fit(
                str(registration.category.label), w - 2 * pad, height - 1, size, 6, "B"
            )
            label_top = top + (height - len(label.lines) * label.line_height) / 2
            text.draw(label, x + pad, label_top, w - 2 * pad, "B", align="C")
        elif row.element == "logo" and logo:
            _draw_logo(pdf, logo, x + pad, top, width, height)
        elif row.element == "event":
            pdf.set_text_color(*MUTED)
            size = min(height / (PT * 1.15), 14)  # a line under the name, not a headline
            fitted = text.fit(event_title, width, height, size, size * 0.6, max_lines=2)
            text.draw(fitted, x + pad, top, width, align="C")
        elif row.element == "name":
            pdf.set_text_color(*INK)
            first = printable(pdf, registration.first_name, "B")
            last = printable(pdf, person_name("", registration.last_name), "B")
            biggest = height / (2 * PT * 1.1) * NAME_MAX_PT[design.name_size] / 0.8
            name = fit_lines(text, [first, last], width, height, min(biggest, 48), "B", wrap_each=2)
            name_top = top + (height - len(name.lines) * name.line_height) / 2
            text.draw(name, x + pad, name_top, width, "B", align="C")
        elif row.element == "organisation" and (registration.organisation_name or extra):
            pdf.set_text_color(*MUTED)
            organisation = printable(
                pdf, " · ".join(t for t in (registration.organisation_name, extra) if t)
            )
            size = min(height / (PT * 1.15), 18)
            # Down to a small size rather than shortened: an organisation is read in full.
            org = text.fit(organisation, width, height, size, min(size, 5), max_lines=2)
            text.draw(org, x + pad, top, width, align="C")
    if qr_box is not None:
        qx, qy, size = qr_box
        draw_qr(pdf, tickets.qr_code(registration), x + qx, y + qy, size)


def _draw_logo(pdf: FPDF, logo: bytes, x: float, y: float, width: float, height: float) -> None:
    with Image.open(io.BytesIO(logo)) as image:
        ratio = image.width / image.height if image.height else 1
    draw_w = min(width, height * ratio)
    draw_h = draw_w / ratio
    pdf.image(io.BytesIO(logo), x + (width - draw_w) / 2, y + (height - draw_h) / 2, draw_w, draw_h)
