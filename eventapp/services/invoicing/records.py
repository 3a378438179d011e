"""Between the database and the document engine: the seller from the organisation's profile,
the buyer from the booking's billing details, the lines from the booking's payment; a
`Document` stored as a JSON snapshot in `IssuedDocument.content` and read back to render it.

The snapshot holds everything printed except the logo, which is the organisation's current one
(an image, not a mention). Money goes in as integer cents and comes back as Decimal.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    BillingDetails,
    Booking,
    BookingLine,
    BookingPayment,
    Event,
    IssuedDocument,
    Organisation,
    PriceCategory,
    Registration,
)
from eventapp.services.invoicing.amounts import Amounts
from eventapp.services.invoicing.documents import Document, DocumentKind, Line, Party

PARIS = ZoneInfo("Europe/Paris")
_POSTCODE_CITY = re.compile(r"^(?:F-)?(\d{4,5})\s+(.+)$")


def attendee_name(first_name: str | None, last_name: str | None) -> str:
    """An invoice line's attendee, as typed (a credit note finds the line it credits by it)."""
    return f"{first_name or ''} {last_name or ''}".strip()


def today() -> dt.date:
    """The issue date: today in France (an invoice paid at 00:30 in Paris is dated that day)."""
    return dt.datetime.now(PARIS).date()


def paris_date(value: dt.datetime) -> dt.date:
    return value.astimezone(PARIS).date()


def split_address(text: str | None) -> tuple[tuple[str, ...], str, str]:
    """Street lines, postcode and city of an address typed on several lines, the last one
    "75013 Paris" (the postcode and city are what the invoice needs separately)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if lines:
        match = _POSTCODE_CITY.match(lines[-1])
        if match:
            return tuple(lines[:-1]), match.group(1), match.group(2)
    return tuple(lines), "", ""


def seller_of(organisation: Organisation, *, with_logo: bool = False) -> Party:
    street, postcode, city = split_address(organisation.legal_address)
    siret = organisation.siret or None
    return Party(
        name=organisation.legal_name or organisation.name,
        address_lines=street,
        postcode=postcode,
        city=city,
        country_code="FR",
        siret=siret if siret and len(siret) == 14 else None,
        siren=siret[:9] if siret else None,
        vat_number=organisation.vat_number,
        email=organisation.contact_email,
        iban=organisation.iban,
        bic=organisation.bic,
        legal_form=organisation.legal_form,
        # An organisation without a VAT number is under the franchise (art. 293 B du CGI).
        vat_registered=bool(organisation.vat_number),
        logo=organisation.logo_png if with_logo else None,
    )


def buyer_of(booking: Booking, billing: BillingDetails | None) -> tuple[Party, bool, str | None]:
    """(buyer, is a business, purchase-order number)."""
    if billing is None:
        return Party(booking.full_name, (), "", ""), False, None
    business = billing.is_business
    return (
        Party(
            name=billing.name,
            address_lines=tuple(billing.address.splitlines()),
            postcode=billing.postcode,
            city=billing.city,
            country_code=billing.country_code,
            vat_number=billing.vat_number if business else None,
        ),
        business,
        billing.purchase_order,
    )


def billing_of(booking_id: int) -> BillingDetails | None:
    return db.session.scalar(select(BillingDetails).where(BillingDetails.booking_id == booking_id))


def payment_lines(payment: BookingPayment, event: Event, language: str) -> list[Line]:
    rows = db.session.execute(
        select(BookingLine, Registration.first_name, Registration.last_name, PriceCategory)
        .outerjoin(Registration, Registration.id == BookingLine.registration_id)
        .outerjoin(PriceCategory, PriceCategory.id == BookingLine.price_category_id)
        .where(BookingLine.payment_id == payment.id)
        .order_by(BookingLine.id)
    ).all()
    return [
        Line.from_cents(
            event.title(language),
            line.net_cents,
            Decimal(line.vat_basis_points).scaleb(-2),
            attendee=attendee_name(first, last) or None,
            category=category.name(language) if category else None,
        )
        for line, first, last, category in rows
    ]


# --- the snapshot ------------------------------------------------------------------------------


def _party_dict(party: Party) -> dict:
    return {
        "name": party.name,
        "address_lines": list(party.address_lines),
        "postcode": party.postcode,
        "city": party.city,
        "country_code": party.country_code,
        "siren": party.siren,
        "siret": party.siret,
        "vat_number": party.vat_number,
        "legal_form": party.legal_form,
        "email": party.email,
        "iban": party.iban,
        "bic": party.bic,
        "vat_registered": party.vat_registered,
    }


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def to_content(document: Document) -> dict:
    return {
        "kind": str(document.kind),
        "number": document.number,
        "issue_date": _date(document.issue_date),
        "seller": _party_dict(document.seller),
        "buyer": _party_dict(document.buyer),
        "lines": [
            {
                "description": line.description,
                "unit_price": str(line.unit_price),
                "vat_rate": str(line.vat_rate),
                "quantity": str(line.quantity),
                "attendee": line.attendee,
                "category": line.category,
            }
            for line in document.lines
        ],
        "due_date": _date(document.due_date),
        "valid_until": _date(document.valid_until),
        "language": document.language,
        "currency": document.currency,
        "buyer_is_business": document.buyer_is_business,
        "purchase_order": document.purchase_order,
        "payment_terms": document.payment_terms,
        "payment_reference": document.payment_reference,
        "prepaid": str(document.prepaid),
        "corrected_invoice_number": document.corrected_invoice_number,
        "corrected_invoice_date": _date(document.corrected_invoice_date),
        "notes": list(document.notes),
        "service_start": _date(document.service_start),
        "service_end": _date(document.service_end),
    }


def _read_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def from_content(content: dict, logo: bytes | None = None) -> Document:
    seller = dict(content["seller"])
    return Document(
        kind=DocumentKind(content["kind"]),
        number=content["number"],
        issue_date=_read_date(content["issue_date"]),
        seller=Party(**{**seller, "address_lines": tuple(seller["address_lines"])}, logo=logo),
        buyer=Party(
            **{**content["buyer"], "address_lines": tuple(content["buyer"]["address_lines"])}
        ),
        lines=tuple(
            Line(
                description=line["description"],
                unit_price=Decimal(line["unit_price"]),
                vat_rate=Decimal(line["vat_rate"]),
                quantity=Decimal(line["quantity"]),
                attendee=line["attendee"],
                category=line["category"],
            )
            for line in content["lines"]
        ),
        due_date=_read_date(content["due_date"]),
        valid_until=_read_date(content["valid_until"]),
        language=content["language"],
        currency=content["currency"],
        buyer_is_business=content["buyer_is_business"],
        purchase_order=content["purchase_order"],
        payment_terms=content["payment_terms"],
        payment_reference=content["payment_reference"],
        prepaid=Decimal(content["prepaid"]),
        corrected_invoice_number=content["corrected_invoice_number"],
        corrected_invoice_date=_read_date(content["corrected_invoice_date"]),
        notes=tuple(content["notes"]),
        service_start=_read_date(content["service_start"]),
        service_end=_read_date(content["service_end"]),
    )


def cents(value: Decimal) -> int:
    return int((value * 100).to_integral_exact())


def breakdown(amounts: Amounts) -> list[dict]:
    return [
        {
            "category": group.category,
            "rate": str(group.rate),
            "taxable_cents": cents(group.taxable),
            "vat_cents": cents(group.vat),
        }
        for group in amounts.groups
    ]


def document_of(record: IssuedDocument) -> Document:
    """The stored document, with the issuing organisation's logo (for rendering)."""
    logo = db.session.scalar(
        select(Organisation.logo_png).where(Organisation.id == record.organisation_id)
    )
    return from_content(record.content, logo=logo)


def render(record: IssuedDocument) -> bytes:
    """The PDF of a stored document: Factur-X for an invoice or a credit note."""
    from eventapp.services import invoicing

    document = document_of(record)
    renderer = {
        DocumentKind.INVOICE: invoicing.render_invoice,
        DocumentKind.CREDIT_NOTE: invoicing.render_credit_note,
        DocumentKind.QUOTE: invoicing.render_quote,
    }[document.kind]
    return renderer(document)
