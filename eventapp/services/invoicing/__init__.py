"""The document engine of invoices, credit notes and quotes: plain data in, bytes out, no
database.

    render_invoice(document) -> bytes       Factur-X PDF (PDF/A-3b, CII XML profile EN 16931)
    render_credit_note(document) -> bytes   the same, type code 381
    render_quote(document) -> bytes         a plain PDF (a quote is not an invoice)
    build_cii_xml(document) -> bytes        the CII XML alone (invoice or credit note)
    compute_amounts(document) -> Amounts    line nets, VAT by rate, totals (EN 16931 rules)
    validate(document)                      raises InvoiceDataError listing what is missing

Each render validates first: an incomplete document raises InvoiceDataError (a ValueError) and
produces nothing. fpdf2, lxml and factur-x are imported when a document is rendered, never at
start-up. Rendering needs no request, but wants an app context for the translations.
"""

from __future__ import annotations

from eventapp.services.invoicing.amounts import Amounts, VatGroup, compute_amounts
from eventapp.services.invoicing.documents import (
    Document,
    DocumentKind,
    InvoiceDataError,
    Line,
    Party,
    validate,
)
from eventapp.services.invoicing.facturx import build_cii_xml

__all__ = [
    "Amounts",
    "Document",
    "DocumentKind",
    "InvoiceDataError",
    "Line",
    "Party",
    "VatGroup",
    "build_cii_xml",
    "compute_amounts",
    "render_credit_note",
    "render_invoice",
    "render_quote",
    "validate",
]


def _render_facturx(document: Document, kind: DocumentKind) -> bytes:
    from flask_babel import force_locale

    from eventapp.services.invoicing.pdf import render_pdf, titles
    from eventapp.services.invoicing.pdfa import facturx_pdf

    if document.kind != kind:
        raise ValueError(f"expected a document of kind {kind}, got {document.kind}")
    xml = build_cii_xml(document)  # validates the document
    pdf = render_pdf(document, compute_amounts(document))
    with force_locale(document.language):
        title = f"{titles()[kind]} {document.number}"
    return facturx_pdf(
        pdf,
        xml,
        title=title,
        author=document.seller.name,
        subject=f"{title} — {document.buyer.name}",
        lang="fr-FR" if document.language == "fr" else "en-GB",
    )


def render_invoice(document: Document) -> bytes:
    return _render_facturx(document, DocumentKind.INVOICE)


def render_credit_note(document: Document) -> bytes:
    return _render_facturx(document, DocumentKind.CREDIT_NOTE)


def render_quote(document: Document) -> bytes:
    from eventapp.services.invoicing.pdf import render_pdf

    if document.kind != DocumentKind.QUOTE:
        raise ValueError(f"expected a quote, got {document.kind}")
    validate(document)
    return render_pdf(document, compute_amounts(document))
