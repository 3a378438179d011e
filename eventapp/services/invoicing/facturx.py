"""The Factur-X XML (UN/CEFACT CII D16B, Factur-X 1.0 profile EN 16931) of an invoice or a credit
note, and its embedding into a PDF/A-3 with the `factur-x` package.

What goes where (EN 16931 business terms):
- BT-23 the French "cadre de facturation" (S1 service invoice, S2 already paid), BT-24 the
  EN 16931 guideline, BT-1 number, BT-3 type code 380 invoice / 381 credit note (positive
  amounts), BT-2 issue date, BT-22 notes: the document's notes, then the legal mentions with
  their subject codes (PMD penalties, PMT €40 indemnity, AAB no early-payment discount).
- Seller and buyer: BT-29/46 SIRET (scheme 0009), BT-30/47 SIREN (scheme 0002), BT-31/48 VAT
  number (VA), BT-33 the seller's legal form, BT-34/49 e-mail (scheme EM). A seller without a
  VAT number (franchise, art. 293 B) gives its SIREN as tax registration (BT-32, FC): EN 16931
  BR-E-02 asks for one, and a French company's tax identifier is its SIREN.
- BT-13 purchase-order number, BT-25/26 the invoice a credit note corrects, BT-72 the
  service date and BG-14 the service period (the event's dates).
- BG-16 payment means 58 (SEPA credit transfer) with the seller's IBAN (BT-84) and BIC (BT-86)
  when an amount is due, BT-83 payment reference, BT-9 due date, BT-20 payment terms.
- BG-23 one tax breakdown per category and rate (S, Z, or E with the reason "TVA non applicable,
  art. 293 B du CGI" and code VATEX-FR-FRANCHISE), BG-22 totals from `amounts`.
lxml and factur-x are imported inside the functions (idle web workers stay light).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.services.invoicing import mentions
from eventapp.services.invoicing.amounts import EXEMPT, Amounts, compute_amounts
from eventapp.services.invoicing.documents import Document, DocumentKind, Party, validate

PROFILE = "en16931"  # the factur-x package's name for the EN 16931 (COMFORT) level
GUIDELINE_ID = "urn:cen.eu:en16931:2017"
TYPE_CODES = {DocumentKind.INVOICE: "380", DocumentKind.CREDIT_NOTE: "381"}
SEPA_CREDIT_TRANSFER = "58"
UNIT_ONE = "C62"  # UN/ECE rec. 20 "one": a registration is counted in units

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def amount_text(value: Decimal) -> str:
    return f"{value:.2f}"


def decimal_text(value: Decimal, places: int = 0) -> str:
    """A quantity, price or rate in plain notation, with at least `places` decimals and no
    other trailing zero ("20", "5.5", "390.00" for a price, "45.455")."""
    text = format(value.normalize(), "f")
    whole, _dot, fraction = text.partition(".")
    fraction = fraction.ljust(places, "0")
    return f"{whole}.{fraction}" if fraction else whole


class _Builder:
    def __init__(self):
        from lxml import etree

        self.etree = etree

    def el(self, parent, tag: str, text: str | None = None, **attributes):
        prefix, name = tag.split(":")
        node = self.etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attributes)
        if text is not None:
            node.text = text
        return node

    def date(self, parent, tag: str, value: dt.date, kind: str = "udt"):
        holder = self.el(parent, tag)
        self.el(holder, f"{kind}:DateTimeString", value.strftime("%Y%m%d"), format="102")


def build_cii_xml(document: Document) -> bytes:
    """The CII XML (UTF-8 bytes) of an invoice or a credit note, profile EN 16931.
    Raises InvoiceDataError for incomplete data and ValueError for a quote."""
    if not document.is_factur_x:
        raise ValueError("A quote is not a Factur-X document")
    validate(document)
    amounts = compute_amounts(document)
    b = _Builder()
    root = b.etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    context = b.el(root, "rsm:ExchangedDocumentContext")
    process = b.el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
    b.el(process, "ram:ID", business_process(document, amounts))
    b.el(b.el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_ID)

    header = b.el(root, "rsm:ExchangedDocument")
    b.el(header, "ram:ID", document.number)
    b.el(header, "ram:TypeCode", TYPE_CODES[document.kind])
    b.date(header, "ram:IssueDateTime", document.issue_date)
    with force_locale(document.language):
        notes = mentions.document_notes(document)
        exemption = mentions.franchise_text()
        terms = document.payment_terms or _default_terms(document)
    for note in notes:
        included = b.el(header, "ram:IncludedNote")
        b.el(included, "ram:Content", note.text)
        if note.subject_code:
            b.el(included, "ram:SubjectCode", note.subject_code)

    transaction = b.el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(amounts.lines, start=1):
        _line(b, transaction, index, line, document.language)

    agreement = b.el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(b, agreement, "ram:SellerTradeParty", document.seller, seller=True)
    _party(b, agreement, "ram:BuyerTradeParty", document.buyer, seller=False)
    if document.purchase_order:
        order = b.el(agreement, "ram:BuyerOrderReferencedDocument")
        b.el(order, "ram:IssuerAssignedID", document.purchase_order)
    delivery = b.el(transaction, "ram:ApplicableHeaderTradeDelivery")
    if document.service_start:
        event = b.el(delivery, "ram:ActualDeliverySupplyChainEvent")
        b.date(event, "ram:OccurrenceDateTime", document.service_start)

    settlement = b.el(transaction, "ram:ApplicableHeaderTradeSettlement")
    if document.payment_reference:
        b.el(settlement, "ram:PaymentReference", document.payment_reference)
    b.el(settlement, "ram:InvoiceCurrencyCode", document.currency)
    if document.kind == DocumentKind.INVOICE and amounts.due > 0:
        means = b.el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        b.el(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        account = b.el(means, "ram:PayeePartyCreditorFinancialAccount")
        b.el(account, "ram:IBANID", document.seller.iban)
        if document.seller.bic:
            bank = b.el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            b.el(bank, "ram:BICID", document.seller.bic)
    for group in amounts.groups:
        tax = b.el(settlement, "ram:ApplicableTradeTax")
        b.el(tax, "ram:CalculatedAmount", amount_text(group.vat))
        b.el(tax, "ram:TypeCode", "VAT")
        if group.category == EXEMPT:
            b.el(tax, "ram:ExemptionReason", exemption)
        b.el(tax, "ram:BasisAmount", amount_text(group.taxable))
        b.el(tax, "ram:CategoryCode", group.category)
        if group.category == EXEMPT:
            b.el(tax, "ram:ExemptionReasonCode", mentions.FRANCHISE_CODE)
        b.el(tax, "ram:RateApplicablePercent", decimal_text(group.rate))
    if document.service_start and document.service_end:
        period = b.el(settlement, "ram:BillingSpecifiedPeriod")
        b.date(period, "ram:StartDateTime", document.service_start)
        b.date(period, "ram:EndDateTime", document.service_end)
    if terms or document.due_date:
        payment_terms = b.el(settlement, "ram:SpecifiedTradePaymentTerms")
        if terms:
            b.el(payment_terms, "ram:Description", terms)
        if document.due_date:
            b.date(payment_terms, "ram:DueDateDateTime", document.due_date)
    _totals(b, settlement, amounts, document.currency)
    if document.kind == DocumentKind.CREDIT_NOTE:
        invoice = b.el(settlement, "ram:InvoiceReferencedDocument")
        b.el(invoice, "ram:IssuerAssignedID", document.corrected_invoice_number)
        b.date(invoice, "ram:FormattedIssueDateTime", document.corrected_invoice_date, "qdt")
    return b.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def business_process(document: Document, amounts: Amounts) -> str:
    """BT-23, the French e-invoicing "cadre de facturation": S1 a service invoice, S2 one
    already paid when issued (a card payment before the invoice)."""
    if document.kind == DocumentKind.INVOICE and amounts.due == 0:
        return "S2"
    return "S1"


def _default_terms(document: Document) -> str | None:
    if document.kind == DocumentKind.INVOICE and document.due_date:
        return _("Payment by bank transfer.") if document.seller.iban else None
    return None


def _line(b: _Builder, parent, index: int, amount, language: str) -> None:
    line = amount.line
    item = b.el(parent, "ram:IncludedSupplyChainTradeLineItem")
    b.el(b.el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    product = b.el(item, "ram:SpecifiedTradeProduct")
    b.el(product, "ram:Name", line.description)
    with force_locale(language):
        details = line_details(line)
    if details:
        b.el(product, "ram:Description", " — ".join(details))
    agreement = b.el(item, "ram:SpecifiedLineTradeAgreement")
    price = b.el(agreement, "ram:NetPriceProductTradePrice")
    b.el(price, "ram:ChargeAmount", decimal_text(line.unit_price, 2))
    delivery = b.el(item, "ram:SpecifiedLineTradeDelivery")
    b.el(delivery, "ram:BilledQuantity", decimal_text(line.quantity), unitCode=UNIT_ONE)
    settlement = b.el(item, "ram:SpecifiedLineTradeSettlement")
    tax = b.el(settlement, "ram:ApplicableTradeTax")
    b.el(tax, "ram:TypeCode", "VAT")
    b.el(tax, "ram:CategoryCode", amount.category)
    b.el(tax, "ram:RateApplicablePercent", decimal_text(amount.rate))
    summation = b.el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    b.el(summation, "ram:LineTotalAmount", amount_text(amount.net))


def line_details(line) -> list[str]:
    """The attendee and the price category, as printed under a line (call under
    force_locale)."""
    details = []
    if line.attendee:
        details.append(_("Attendee: %(name)s", name=line.attendee))
    if line.category:
        details.append(_("Rate: %(category)s", category=line.category))
    return details


def _party(b: _Builder, parent, tag: str, party: Party, *, seller: bool) -> None:
    node = b.el(parent, tag)
    if party.siret:
        b.el(node, "ram:GlobalID", party.siret, schemeID="0009")
    b.el(node, "ram:Name", party.name)
    if seller and party.legal_form:
        b.el(node, "ram:Description", party.legal_form)
    if party.siren:
        organisation = b.el(node, "ram:SpecifiedLegalOrganization")
        b.el(organisation, "ram:ID", party.siren, schemeID="0002")
    address = b.el(node, "ram:PostalTradeAddress")
    b.el(address, "ram:PostcodeCode", party.postcode)
    lines = list(party.address_lines)
    # CII has three address lines; a longer address is joined into the third.
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    for tag_name, text in zip(("LineOne", "LineTwo", "LineThree"), lines, strict=False):
        b.el(address, f"ram:{tag_name}", text)
    b.el(address, "ram:CityName", party.city)
    b.el(address, "ram:CountryID", party.country_code)
    if party.email:
        b.el(b.el(node, "ram:URIUniversalCommunication"), "ram:URIID", party.email, schemeID="EM")
    if party.vat_number:
        b.el(b.el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_number, schemeID="VA")
    elif seller and not party.vat_registered and party.siren:
        b.el(b.el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.siren, schemeID="FC")


def _totals(b: _Builder, parent, amounts: Amounts, currency: str) -> None:
    totals = b.el(parent, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    b.el(totals, "ram:LineTotalAmount", amount_text(amounts.total_excl_vat))
    b.el(totals, "ram:TaxBasisTotalAmount", amount_text(amounts.total_excl_vat))
    b.el(totals, "ram:TaxTotalAmount", amount_text(amounts.total_vat), currencyID=currency)
    b.el(totals, "ram:GrandTotalAmount", amount_text(amounts.total_incl_vat))
    if amounts.prepaid:
        b.el(totals, "ram:TotalPrepaidAmount", amount_text(amounts.prepaid))
    b.el(totals, "ram:DuePayableAmount", amount_text(amounts.due))


def check_xml(xml: bytes) -> None:
    """The factur-x package's XSD check of the EN 16931 profile (raises on an invalid XML)."""
    import facturx

    facturx.xml_check_xsd(xml, flavor="factur-x", level=PROFILE)
