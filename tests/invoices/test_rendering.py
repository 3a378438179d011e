"""The PDFs of documents issued from bookings, rendered from their stored snapshot with the
organisation's logo: page 1 of the invoice, the credit note and the quote goes to
tests/artifacts/ (to be looked at), and their text says what the booking is."""

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import BookingPayment, DocumentKind, IssuedDocument
from eventapp.services.fees import actions
from eventapp.services.invoicing import issuing, records
from tests.invoices.conftest import ACADEMIC_BILLING, book, pay
from tests.services import invoice_samples as samples


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(samples.page_texts(pdf)).split())


def test_invoice_credit_note_and_quote_of_a_booking_render_with_the_logo(db, congress):
    org = congress["org"]
    org.logo_png = samples.logo_png()
    db.session.commit()
    event, rate = congress["event"], congress["rates"]["academic"]
    paid = book(
        event.id, rate.id, billing={**ACADEMIC_BILLING, "purchase_order": "BC-77"}, people=2
    )
    pay(paid, congress["manager"])
    with write_transaction():
        actions.refund(_db.session.get(BookingPayment, paid), 10000, user=None)
    quoted = book(event.id, rate.id, n=2, language="en")
    with write_transaction():
        issuing.quote_for(_db.session.get(BookingPayment, quoted))

    documents = {
        d.kind: d for d in db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.id))
    }
    invoice = records.render(documents[DocumentKind.INVOICE])
    samples.save_page_png(invoice, "booking_invoice")
    text = _text(invoice)
    for expected in (
        "FACTURE",
        "F-000001",
        "Université Paris-Saclay",
        "BC-77",
        "Marie0-0 Curie",
        "Marie0-1 Curie",
        "Congrès France Bioproduction",
        "Payée par virement bancaire.",
        "SIRET 443 061 841 00047",
    ):
        assert expected in text, expected
    credit = records.render(documents[DocumentKind.CREDIT_NOTE])
    samples.save_page_png(credit, "booking_credit_note")
    text = _text(credit)
    assert "AVOIR" in text and "F-000002" in text and "F-000001" in text
    quote = records.render(documents[DocumentKind.QUOTE])
    samples.save_page_png(quote, "booking_quote_en")
    text = _text(quote)
    assert "QUOTE" in text and "D-000001" in text and "Valid until" in text
    assert samples.ARTIFACTS.joinpath("booking_invoice.png").stat().st_size > 10_000
