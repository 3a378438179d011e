"""Drawing primitives for the invoice pages: text lines and wrapped paragraphs measured before
they are drawn (every call takes `dry=True` to return the height it would use, so a block can
move whole to the next page), table rows, total rows, boxes and the logo.

Text is drawn at explicit positions (no fpdf2 cell flow, automatic page breaks are off), and
every string goes through `safe()`: a character the embedded font lacks would print as an
empty .notdef box, which PDF/A forbids, so it is replaced by "?".
"""

from __future__ import annotations

from io import BytesIO

from eventapp.services.pdf import FONT_FAMILY, PT

INK, MUTED = (27, 36, 48), (78, 86, 98)
LEADING = 1.3
PAD = 1.6  # mm, inside table cells


class Writer:
    """Draws on `pdf`; with `counting`, measures and counts pages but draws nothing (the
    layout pass that tells how many pages the document has)."""

    def __init__(self, pdf, counting: bool = False):
        self.pdf = pdf
        self.counting = counting
        self.pages = 0
        self._widths: dict[tuple[str, float, bool], float] = {}
        regular = pdf.fonts[FONT_FAMILY.lower()].ttfont.getBestCmap()
        bold = pdf.fonts[f"{FONT_FAMILY.lower()}B"].ttfont.getBestCmap()
        self.glyphs = frozenset(regular) & frozenset(bold)

    def add_page(self) -> None:
        self.pages += 1
        if not self.counting:
            self.pdf.add_page()

    def safe(self, text: str | None) -> str:
        return "".join(c if ord(c) in self.glyphs else "?" for c in text or "")

    def font(self, size: float, bold: bool = False, colour=INK) -> None:
        self.pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)

    @staticmethod
    def height(size: float) -> float:
        return size * LEADING * PT

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """Width in mm, memoised: a 60-line table measures the same words again and again."""
        key = (text, size, bold)
        if key not in self._widths:
            self.pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
            self._widths[key] = self.pdf.get_string_width(self.safe(text))
        return self._widths[key]

    def line(self, x, y, width, text, size, bold=False, colour=INK, align="L", dry=False):
        """One line of text in a box `width` wide whose top is `y`; returns the y below it."""
        if not dry and not self.counting and text:
            offset = {"R": width - self.width(text, size, bold)}.get(align, 0)
            if align == "C":
                offset = (width - self.width(text, size, bold)) / 2
            text = self.safe(text)
            self.font(size, bold, colour)
            # Baseline as fpdf2's cell() puts it: mid-line, 0.3 em below.
            self.pdf.text(x + max(offset, 0), y + self.height(size) / 2 + 0.3 * size * PT, text)
        return y + self.height(size)

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        """Greedy wrap on ordinary spaces only: a no-break space (French "20 %", "1 234 €",
        "15 octobre") never breaks; a word wider than the line is cut."""

        def measure(candidate: str) -> float:
            return self.width(candidate, size, bold)

        lines: list[str] = []
        current = ""
        for word in self.safe(text).split(" "):
            if not word:
                continue
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while measure(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        if current:
            lines.append(current)
        return lines

    def para(self, x, y, width, text, size, bold=False, colour=INK, align="L", dry=False):
        for line in self.wrap(text, width, size, bold):
            y = self.line(x, y, width, line, size, bold, colour, align, dry)
        return y

    def ellipsis(self, text: str, width: float, size: float) -> str:
        if self.width(text, size) <= width:
            return text
        while text and self.width(text + "…", size) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def box(self, x, y, w, h, fill=None, border=None) -> None:
        if self.counting:
            return
        if fill:
            self.pdf.set_fill_color(*fill)
        if border:
            self.pdf.set_draw_color(*border)
            self.pdf.set_line_width(0.3)
        style = ("F" if fill else "") + ("D" if border else "")
        if style:
            self.pdf.rect(x, y, w, h, style=style)

    def rule(self, x1, y, x2, colour, width: float = 0.2) -> None:
        if self.counting:
            return
        self.pdf.set_draw_color(*colour)
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y, x2, y)

    def party(self, x, y, width, label, name, lines, dry=False) -> float:
        y = self.line(x, y, width, label.upper(), 7.5, bold=True, colour=MUTED, dry=dry) + 0.5
        y = self.para(x, y, width, name, 10.5, bold=True, dry=dry) + 0.3
        for text in lines:
            y = self.para(x, y, width, text, 9, dry=dry)
        return y

    def row(
        self, x, y, columns, cells, size, *, bold=False, fill=None, details=(), rule=None, dry=False
    ) -> float:
        """A table row: each cell wraps in its column; `details` are smaller lines under the
        first column's text. Returns the y below the row."""
        wrapped = {
            key: self.wrap(cells[key], width - 2 * PAD, size, bold) for key, width, _a in columns
        }
        first = columns[0][0]
        detail_lines = [
            line for text in details for line in self.wrap(text, columns[0][1] - 2 * PAD, size - 1)
        ]
        heights = [len(lines) * self.height(size) for lines in wrapped.values()]
        heights[0] += len(detail_lines) * self.height(size - 1)
        bottom = y + max(heights) + 2 * PAD
        if dry:
            return bottom
        if fill:
            self.box(x, y, sum(width for _k, width, _a in columns), bottom - y, fill)
        left = x
        for key, width, align in columns:
            top = y + PAD
            for text in wrapped[key]:
                top = self.line(left + PAD, top, width - 2 * PAD, text, size, bold, align=align)
            if key == first:
                for text in detail_lines:
                    top = self.line(left + PAD, top, width - 2 * PAD, text, size - 1, colour=MUTED)
            left += width
        if rule:
            self.rule(x, bottom, left, rule)
        return bottom

    def total_row(self, x, y, width, label, value, strong, fill=None, dry=False) -> float:
        size = 10 if strong else 9
        value_width = self.width(value, size, strong) + 2 * PAD
        lines = self.wrap(label, width - value_width - 3 * PAD, size, strong)
        bottom = y + len(lines) * self.height(size) + 2 * PAD
        if dry:
            return bottom
        if strong and fill:
            self.box(x, y, width, bottom - y, fill)
        top = y + PAD
        self.line(x, top, width - PAD, value, size, strong, align="R")
        for text in lines:
            top = self.line(x + PAD, top, width, text, size, strong)
        return bottom

    def logo(self, data: bytes, x, y, max_w, max_h) -> float:
        """The logo scaled into max_w × max_h (aspect kept), flattened onto white and
        re-encoded as PNG: no transparency, no CMYK or palette image in a PDF/A."""
        from PIL import Image

        if self.counting:
            with Image.open(BytesIO(data)) as image:
                scale = min(max_w / image.width, max_h / image.height)
                return y + image.height * scale
        with Image.open(BytesIO(data)) as image:
            image.load()
            rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        scale = min(max_w / flat.width, max_h / flat.height)
        w, h = flat.width * scale, flat.height * scale
        buffer = BytesIO()
        flat.save(buffer, format="PNG")
        self.pdf.image(BytesIO(buffer.getvalue()), x=x, y=y, w=w, h=h)
        return y + h
