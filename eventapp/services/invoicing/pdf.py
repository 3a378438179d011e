"""The printable page of an invoice, a credit note or a quote (fpdf2, A4, the embedded DejaVu
fonts of eventapp.services.pdf), every word through Flask-Babel in the document's language.

Layout, top to bottom: logo (or the seller's name) and title with number and dates; seller
and buyer blocks; one row per line (description with attendee and rate, quantity, unit price
excluding VAT, VAT rate, line total excluding VAT), the table header repeated on every page;
totals by VAT rate and the grand total; payment (due date, terms, IBAN/BIC, payment reference)
or, for a quote, its validity and an acceptance box; notes; legal mentions; on every page a
footer with the seller's legal identity and, past one page, "Page n / N". A block that does not
fit the rest of a page starts the next one, so totals and payment details are never split.

The PDF is PDF/A-3b ready: fonts embedded, an sRGB output intent (icc/), no transparency (a
logo is flattened onto white), and no glyph the font lacks (such characters print as "?").
fpdf2 is imported by the caller's call, not at start-up.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.services.invoicing import formatting as fmt
from eventapp.services.invoicing import mentions
from eventapp.services.invoicing.amounts import Amounts
from eventapp.services.invoicing.documents import Document, DocumentKind
from eventapp.services.invoicing.pdf_blocks import INK, MUTED, Writer

ICC_PROFILE = Path(__file__).resolve().parent / "icc" / "sRGB.icc"
LEFT, RIGHT, TOP, BOTTOM = 15.0, 195.0, 15.0, 276.0
WIDTH = RIGHT - LEFT
RULE, FILL = (190, 196, 204), (236, 239, 243)
# Table columns: key, width (mm), alignment. 180 mm in all.
COLUMNS = (
    ("desc", 90, "L"),
    ("qty", 14, "R"),
    ("unit", 30, "R"),
    ("vat", 16, "R"),
    ("net", 30, "R"),
)


def titles() -> dict[DocumentKind, str]:
    return {
        DocumentKind.INVOICE: _("Invoice"),
        DocumentKind.CREDIT_NOTE: _("Credit note"),
        DocumentKind.QUOTE: _("Quote"),
    }


def render_pdf(document: Document, amounts: Amounts) -> bytes:
    """The document's pages as PDF bytes (not yet Factur-X: see pdfa.facturx_pdf).

    Laid out twice: a first pass measures without drawing and counts the pages, so that each
    page's footer says "Page n / N" as the page is finished, instead of being added afterwards
    to pages fpdf2 has moved on from (its font and colour state would be the last page's)."""
    from fpdf.enums import OutputIntentSubType
    from fpdf.output import PDFICCProfile

    from eventapp.services.pdf import pdf_document

    language = document.language
    with force_locale(language):
        title = f"{titles()[document.kind]} {document.number}"
        with pdf_document(f"{title} — {document.seller.name}", language, format="A4") as pdf:
            pdf.add_output_intent(
                OutputIntentSubType.PDFA,
                output_condition_identifier="sRGB IEC61966-2.1",
                registry_name="http://www.color.org",
                dest_output_profile=PDFICCProfile(ICC_PROFILE.read_bytes(), 3, "DeviceRGB"),
                info="sRGB IEC61966-2.1",
            )
            pdf.set_author(document.seller.name)
            pdf.set_subject(title)
            pages = _Page(Writer(pdf, counting=True), document, amounts, title).draw()
            _Page(Writer(pdf), document, amounts, title, pages).draw()
            return bytes(pdf.output())


class _Page:
    def __init__(
        self, w: Writer, document: Document, amounts: Amounts, title: str, pages: int | None = None
    ):
        self.w, self.doc, self.amounts, self.title = w, document, amounts, title
        self.lang = document.language
        self.pages = pages  # None in the counting pass: no footer

    def money(self, value) -> str:
        return fmt.money(value, self.lang, self.doc.currency)

    def draw(self) -> int:
        """Draw every page; returns the number of pages."""
        w = self.w
        w.add_page()
        y = self.header()
        y = self.parties(y + 8)
        if self.doc.kind == DocumentKind.CREDIT_NOTE:
            text = _(
                "This credit note corrects invoice %(number)s of %(date)s.",
                number=self.doc.corrected_invoice_number,
                date=fmt.day(self.doc.corrected_invoice_date, self.lang),
            )
            y = w.para(LEFT, y + 4, WIDTH, text, 9.5, bold=True) - 2
        y = self.table(y + 6)
        for block in (self.totals, self.payment):
            y = self.place(block, y)
        self.notes(y)
        self.footer()
        return w.pages

    def place(self, block, y: float) -> float:
        """Draw a block where it fits whole, else at the top of a new page."""
        height = block(y, dry=True) - y
        if height <= 0:
            return y
        if y + height > BOTTOM:
            y = self.new_page()
        return block(y, dry=False)

    def new_page(self) -> float:
        w = self.w
        self.footer()
        w.add_page()
        w.line(LEFT, TOP, WIDTH, self.title, 9, bold=True, colour=MUTED)
        w.line(LEFT, TOP, WIDTH, self.doc.seller.name, 9, colour=MUTED, align="R")
        return TOP + 10

    # --- header and parties ------------------------------------------------------------------

    def header(self) -> float:
        w, doc = self.w, self.doc
        left_bottom = TOP
        if doc.seller.logo:
            left_bottom = w.logo(doc.seller.logo, LEFT, TOP, 60, 24)
        else:
            left_bottom = w.para(LEFT, TOP, 95, doc.seller.name, 15, bold=True)
        y = w.line(LEFT, TOP, WIDTH, titles()[doc.kind].upper(), 20, bold=True, align="R")
        y = w.line(
            LEFT, y + 1, WIDTH, _("No. %(number)s", number=doc.number), 11, bold=True, align="R"
        )
        rows = [(_("Issue date"), fmt.day(doc.issue_date, self.lang))]
        if doc.kind == DocumentKind.QUOTE:
            rows.append((_("Valid until"), fmt.day(doc.valid_until, self.lang)))
        elif doc.due_date and doc.kind == DocumentKind.CREDIT_NOTE:
            rows.append((_("Refund by"), fmt.day(doc.due_date, self.lang)))
        elif doc.due_date:
            rows.append((_("Due date"), fmt.day(doc.due_date, self.lang)))
        if doc.service_start:
            rows.append(
                (_("Date of service"), fmt.period(doc.service_start, doc.service_end, self.lang))
            )
        y += 2
        for label, value in rows:
            w.line(110, y, 40, label, 9, colour=MUTED)
            if w.width(label, 9) + w.width(value, 9) + 3 > RIGHT - 110:
                y += w.height(9)  # a long period goes under its label
            y = w.line(LEFT, y, WIDTH, value, 9, align="R")
        return max(y, left_bottom)

    def parties(self, y: float) -> float:
        doc, w = self.doc, self.w
        foreign = doc.seller.country_code != doc.buyer.country_code
        seller = [*self.address(doc.seller, foreign)]
        if doc.seller.legal_form:
            seller.append(doc.seller.legal_form)
        if doc.seller.siret:
            seller.append(f"SIRET {_siret(doc.seller.siret)}")
        elif doc.seller.siren:
            seller.append(f"SIREN {_siret(doc.seller.siren)}")
        if doc.seller.vat_number:
            seller.append(_("VAT number: %(number)s", number=doc.seller.vat_number))
        if doc.seller.email:
            seller.append(doc.seller.email)
        buyer = [*self.address(doc.buyer, foreign)]
        if doc.buyer_is_business:
            if doc.buyer.siren:
                buyer.append(f"SIREN {_siret(doc.buyer.siren)}")
            if doc.buyer.vat_number:
                buyer.append(_("VAT number: %(number)s", number=doc.buyer.vat_number))
        if doc.purchase_order:
            buyer.append(_("Purchase order: %(number)s", number=doc.purchase_order))
        buyer_label = _("Bill to") if doc.kind == DocumentKind.INVOICE else _("Customer")
        heights = [
            w.party(x, y, 84, label, party.name, lines, dry=True)
            for x, label, party, lines in (
                (LEFT, _("Seller"), doc.seller, seller),
                (108, buyer_label, doc.buyer, buyer),
            )
        ]
        bottom = max(heights)
        w.box(106, y - 2, RIGHT - 106, bottom - y + 4, FILL)
        w.party(LEFT, y, 84, _("Seller"), doc.seller.name, seller, dry=False)
        w.party(108, y, 84, buyer_label, doc.buyer.name, buyer, dry=False)
        return bottom + 2

    def address(self, party, with_country: bool) -> list[str]:
        from babel import Locale

        lines = [*party.address_lines, f"{party.postcode} {party.city}"]
        if with_country:
            lines.append(
                Locale.parse(self.lang).territories.get(party.country_code, party.country_code)
            )
        return lines

    # --- lines -------------------------------------------------------------------------------

    def table_header(self, y: float) -> float:
        labels = {
            "desc": _("Description"),
            "qty": _("Qty"),
            "unit": _("Unit price excl. VAT"),
            "vat": _("VAT"),
            "net": _("Total excl. VAT"),
        }
        return self.w.row(LEFT, y, COLUMNS, labels, 8, bold=True, fill=FILL)

    def table(self, y: float) -> float:
        from eventapp.services.invoicing.facturx import line_details

        y = self.table_header(y)
        for amount in self.amounts.lines:
            line = amount.line
            cells = {
                "desc": line.description,
                "qty": fmt.quantity(line.quantity, self.lang),
                "unit": fmt.money(line.unit_price, self.lang, self.doc.currency, exact=True),
                "vat": fmt.rate(amount.rate, self.lang),
                "net": self.money(amount.net),
            }
            # Attendee and rate on one line: a 60-line invoice stays a few pages long.
            details = [" · ".join(line_details(line))] if line_details(line) else []
            height = self.w.row(LEFT, y, COLUMNS, cells, 9, details=details, dry=True) - y
            if y + height > BOTTOM:
                y = self.table_header(self.new_page())
            y = self.w.row(LEFT, y, COLUMNS, cells, 9, details=details, rule=RULE)
        return y

    # --- blocks after the lines --------------------------------------------------------------

    def totals(self, y: float, dry: bool) -> float:
        a, w = self.amounts, self.w
        rows = [(_("Total excl. VAT"), self.money(a.total_excl_vat), False)]
        if self.doc.seller.vat_registered:
            for group in a.groups:
                label = _(
                    "VAT %(rate)s on %(base)s",
                    rate=fmt.rate(group.rate, self.lang),
                    base=self.money(group.taxable),
                )
                rows.append((label, self.money(group.vat), False))
        total_label = {
            DocumentKind.INVOICE: _("Total incl. VAT"),
            DocumentKind.CREDIT_NOTE: _("Total credited incl. VAT"),
            DocumentKind.QUOTE: _("Total incl. VAT"),
        }[self.doc.kind]
        if not self.doc.seller.vat_registered:
            total_label = _("Total")
        rows.append((total_label, self.money(a.total_incl_vat), True))
        if a.prepaid:
            rows.append((_("Already paid"), self.money(a.prepaid), False))
            rows.append((_("Amount due"), self.money(a.due), True))
        y += 4
        for label, value, strong in rows:
            y = w.total_row(105, y, RIGHT - 105, label, value, strong, fill=FILL, dry=dry)
        if not self.doc.seller.vat_registered:
            y = w.para(105, y + 1, RIGHT - 105, mentions.franchise_text(), 8.5, dry=dry, align="R")
        return y

    def payment(self, y: float, dry: bool) -> float:
        doc, a, w = self.doc, self.amounts, self.w
        lines: list[tuple[str, bool]] = []
        if doc.kind == DocumentKind.QUOTE:
            heading = _("Validity and acceptance")
            lines.append(
                (
                    _(
                        "This quote is valid until %(date)s.",
                        date=fmt.day(doc.valid_until, self.lang),
                    ),
                    True,
                )
            )
        elif doc.kind == DocumentKind.INVOICE and a.due == 0:
            heading = _("Payment")
            lines.append((_("Paid in full. Thank you."), True))
        else:
            heading = _("Payment") if doc.kind == DocumentKind.INVOICE else _("Refund")
            if doc.due_date and doc.kind == DocumentKind.CREDIT_NOTE:
                lines.append((_("Refund by %(date)s", date=fmt.day(doc.due_date, self.lang)), True))
            elif doc.due_date:
                lines.append((_("Due date: %(date)s", date=fmt.day(doc.due_date, self.lang)), True))
        if doc.payment_terms:
            lines.append((doc.payment_terms, False))
        if doc.kind in (DocumentKind.INVOICE, DocumentKind.QUOTE) and a.due > 0 and doc.seller.iban:
            lines.append((_("By bank transfer to %(holder)s", holder=doc.seller.name), False))
            bank = f"IBAN {fmt.grouped(doc.seller.iban)}"
            if doc.seller.bic:
                bank += f" · BIC {doc.seller.bic}"
            lines.append((bank, True))
        if doc.payment_reference and doc.kind != DocumentKind.CREDIT_NOTE:
            lines.append(
                (
                    _(
                        "Payment reference to quote with your transfer: %(ref)s",
                        ref=doc.payment_reference,
                    ),
                    True,
                )
            )
        quote = doc.kind == DocumentKind.QUOTE
        top = y + 6
        y = w.line(LEFT, top, WIDTH, heading, 10, bold=True, dry=dry) + 1
        for text, strong in lines:
            y = w.para(LEFT, y, 112 if quote else WIDTH, text, 9, bold=strong, dry=dry)
        if quote:
            # The buyer signs here to accept the quote (what institutions send back).
            if not dry:
                w.box(135, top, RIGHT - 135, 30, None, RULE)
                w.para(
                    137,
                    top + 2,
                    RIGHT - 139,
                    _("Accepted: date, signature and stamp"),
                    8,
                    colour=MUTED,
                )
            y = max(y, top + 30)
        return y

    def notes(self, y: float) -> float:
        """The document's notes, then the legal mentions (smaller): each paragraph placed
        whole, so that many or long notes run on to the next page instead of the footer."""
        paragraphs = [(note, 9, INK) for note in self.doc.notes]
        mentions_texts = [m.text for m in mentions.legal_mentions(self.doc) if m.subject_code]
        paragraphs += [(text, 7.5, MUTED) for text in mentions_texts]
        for index, (text, size, colour) in enumerate(paragraphs):
            gap = 5 if index in (0, len(self.doc.notes)) else (1 if size == 9 else 0)
            height = self.w.para(LEFT, 0, WIDTH, text, size, dry=True)
            y += gap
            if y + height > BOTTOM:
                y = self.new_page()
            y = self.w.para(LEFT, y, WIDTH, text, size, colour=colour)
        return y

    def footer(self) -> None:
        """The seller's legal identity on every page and, past one page, "Page n / N"."""
        if self.pages is None:
            return
        w, seller = self.w, self.doc.seller
        parts = [seller.name, seller.legal_form]
        if seller.siret:
            parts.append(f"SIRET {_siret(seller.siret)}")
        elif seller.siren:
            parts.append(f"SIREN {_siret(seller.siren)}")
        if seller.vat_number:
            parts.append(_("VAT number: %(number)s", number=seller.vat_number))
        identity = " · ".join(filter(None, parts))
        w.rule(LEFT, 283, RIGHT, RULE)
        width = WIDTH - 25 if self.pages > 1 else WIDTH
        w.line(LEFT, 284.5, width, w.ellipsis(identity, width, 7), 7, colour=MUTED)
        if self.pages > 1:
            number = w.pages
            text = _("Page %(page)s / %(pages)s", page=number, pages=self.pages)
            w.line(LEFT, 284.5, WIDTH, text, 7, colour=MUTED, align="R")


def _siret(number: str | None) -> str:
    """443 061 841 00047: the SIREN in threes, then the establishment's five digits."""
    text = number or ""
    return " ".join([text[0:3], text[3:6], text[6:9], text[9:]]).strip()
