"""The sheets badges are printed on (formats, positions, cut marks) and the category colours
they share (services/badges draws the default badge, services/badge_designs the designed ones)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventapp.models import ActorCategory

if TYPE_CHECKING:  # fpdf2 (and numpy under it): loaded by the code that draws a PDF
    from fpdf import FPDF

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


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def band_text_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black, whichever contrasts more with the band (WCAG contrast ratio)."""
    lum = luminance(rgb)
    on_white = (1.05) / (lum + 0.05)
    on_black = (lum + 0.05) / (luminance(INK) + 0.05)
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
    row_gutter: float | None = None  # label sheets: no gap between rows

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    "a4": Layout("a4", "A4", 90, 60, 2, 4, 10, True),
    "a6": Layout("a6", "A6", 105, 148, 1, 1, 0, False),
    # Four A6 badges on an A4 sheet, cut along the middle lines.
    "a4x4": Layout("a4x4", "A4", 105, 148, 2, 2, 0, False),
    # Label sheets of 2 x 7 labels of 99.1 x 38.1 mm (the common A4 address-label format).
    "labels": Layout("labels", "A4", 99.1, 38.1, 2, 7, 2.5, False, row_gutter=0),
}
PAGE_SIZES = {"A4": (210, 297), "A6": (105, 148)}
CUT_MARK = 4.0  # length, mm
CUT_GAP = 1.0  # distance from the badge corner, mm


def positions(layout: Layout) -> list[tuple[float, float]]:
    page_w, page_h = PAGE_SIZES[layout.page]
    row_gutter = layout.gutter if layout.row_gutter is None else layout.row_gutter
    block_w = layout.columns * layout.width + (layout.columns - 1) * layout.gutter
    block_h = layout.rows * layout.height + (layout.rows - 1) * row_gutter
    left, top = (page_w - block_w) / 2, (page_h - block_h) / 2
    return [
        (left + c * (layout.width + layout.gutter), top + r * (layout.height + row_gutter))
        for r in range(layout.rows)
        for c in range(layout.columns)
    ]


def cut_marks(pdf: FPDF, x: float, y: float, w: float, h: float) -> None:
    for cx in (x, x + w):
        for cy in (y, y + h):
            dx = -1 if cx == x else 1
            dy = -1 if cy == y else 1
            pdf.line(cx + dx * CUT_GAP, cy, cx + dx * (CUT_GAP + CUT_MARK), cy)
            pdf.line(cx, cy + dy * CUT_GAP, cx, cy + dy * (CUT_GAP + CUT_MARK))
