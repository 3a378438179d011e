"""The legal mentions of French invoices, in the document's language, shared by the PDF and the
Factur-X notes (each with its UNTDID 4451 subject code, as the French e-invoicing rules ask).

- Late-payment penalties (Code de commerce L441-10): we state the statutory minimum, three
  times the legal interest rate, due from the day after the due date. On every invoice (and
  quote).
- The €40 fixed recovery indemnity (L441-10, D441-5) and the early-payment discount terms
  (L441-9: none): business buyers only, whom these rules concern.
- The French e-invoicing rules (BR-FR-05) want all three notes (PMD, PMT, AAB) on every
  business document, credit notes included: a business buyer's credit note carries them too.
- "TVA non applicable, art. 293 B du CGI" when the seller is not registered for VAT (the
  VAT exemption reason of the Factur-X tax breakdown, and a line on the PDF).
Call these inside `force_locale(document.language)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from eventapp.services.invoicing.documents import Document, DocumentKind

# VATEX code of the French VAT franchise (art. 293 B du CGI), CEF VATEX code list.
FRANCHISE_CODE = "VATEX-FR-FRANCHISE"


@dataclass(frozen=True)
class Mention:
    subject_code: str | None  # UNTDID 4451: PMD penalties, PMT indemnity, AAB discount
    text: str


def franchise_text() -> str:
    # Kept in French in both languages: it is the wording the CGI prescribes.
    return "TVA non applicable, art. 293 B du CGI"


def legal_mentions(document: Document) -> list[Mention]:
    mentions = []
    # A quote states the terms the invoice will carry.
    invoice = document.kind in (DocumentKind.INVOICE, DocumentKind.QUOTE)
    if invoice or (document.kind == DocumentKind.CREDIT_NOTE and document.buyer_is_business):
        mentions.append(
            Mention(
                "PMD",
                _(
                    "Late payment penalties, due from the day after the due date: three "
                    "times the French legal interest rate."
                ),
            )
        )
        if document.buyer_is_business:
            mentions.append(
                Mention(
                    "PMT",
                    _(
                        "Fixed indemnity for recovery costs in case of late payment: €40 "
                        "(Code de commerce, art. L441-10 and D441-5)."
                    ),
                )
            )
            mentions.append(Mention("AAB", _("No discount for early payment.")))
    if not document.seller.vat_registered:
        mentions.append(Mention(None, franchise_text()))
    return mentions


def document_notes(document: Document) -> list[Mention]:
    """Every note of the Factur-X XML: the document's own notes, then the legal mentions."""
    return [Mention(None, note) for note in document.notes] + [
        mention for mention in legal_mentions(document) if mention.subject_code
    ]
