"""PDF building blocks shared by tickets and badges (fpdf2): the embedded font (DejaVu Sans,
static/fonts, full French and European coverage), text fitted into boxes, QR codes drawn as
vectors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:  # fpdf2 (and numpy under it): loaded by the code that draws a PDF
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
FONT_FAMILY = "DejaVu"
QR_BORDER = 4  # quiet zone, in modules (the QR standard asks for 4)


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


def new_pdf(title: str, lang: str, **kwargs) -> FPDF:
    from fpdf import FPDF  # imported here: an idle worker does not carry fpdf2 and numpy

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


def printable(pdf: FPDF, text: str, style: str = "") -> str:
    """`text` without the characters the embedded font has no glyph for (emoji, pictographs):
    dropped cleanly rather than drawn as empty boxes, spaces kept single."""
    font = pdf.fonts[f"{FONT_FAMILY.lower()}{style}"]
    kept = "".join(ch for ch in text or "" if ch.isspace() or ord(ch) in font.cmap)
    return " ".join(kept.split())


def fit_lines(
    fitter: TextFitter,
    lines: list[str],
    width: float,
    height: float,
    max_size: float,
    style: str = "",
    leading: float = 1.1,
    wrap_each: int = 1,
) -> Fitted:
    """Each of `lines` starting its own line, all at one size: the largest (by half points,
    from max_size down) at which every line holds within `width` and all of them within
    `height`. With `wrap_each` > 1 a line may go on up to that many lines, broken only
    between words or after a hyphen ("DE LA ROCHEFOUCAULD-" / "MONTBRUN-SAINT-EXUPÉRY"),
    when that lets the text be larger. Text only ever shrinks: never cut inside a word,
    never shortened with an ellipsis."""
    lines = [line for line in (" ".join(line.split()) for line in lines) if line]
    if not lines:
        return Fitted(max_size, [], [], max_size * leading * PT)
    size = max_size
    while size > 1:
        laid = _break_lines(fitter, lines, width / size, style, wrap_each)
        if laid is not None and len(laid) * size * leading * PT <= height:
            break
        size -= 0.5
    size = max(size, 1)
    laid = _break_lines(fitter, lines, width / size, style, wrap_each) or lines
    return Fitted(
        size,
        laid,
        [fitter.unit_width(line, style) * size for line in laid],
        size * leading * PT,
    )


def _break_lines(fitter, lines, limit, style, wrap_each):
    """`lines` laid out for a line `limit` mm wide at 1 pt, each on at most `wrap_each`
    lines (breaks between words or after a hyphen), or None when they do not hold."""
    out = []
    for line in lines:
        if fitter.unit_width(line, style) <= limit:
            out.append(line)
            continue
        if wrap_each <= 1:
            return None
        # Break opportunities: after a space (dropped) or after a hyphen (kept).
        pieces = []
        for word in line.split(" "):
            parts = word.split("-")
            pieces += [(part + "-", False) for part in parts[:-1]] + [(parts[-1], True)]
        broken, current, joiner = [], "", ""
        for piece, ends_word in pieces:
            candidate = current + joiner + piece if current else piece
            if not current or fitter.unit_width(candidate, style) <= limit:
                current = candidate
            else:
                broken.append(current)
                current = piece
            joiner = " " if ends_word else ""
        broken.append(current)
        if len(broken) > wrap_each or any(
            fitter.unit_width(part, style) > limit for part in broken
        ):
            return None
        out += broken
    return out


def fit_text(pdf: FPDF, text: str, width: float, height: float, *args, **kwargs) -> Fitted:
    """One-off fit_text (see TextFitter)."""
    return TextFitter(pdf).fit(text, width, height, *args, **kwargs)
