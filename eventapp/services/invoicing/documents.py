"""The plain data an invoice, a credit note or a quote is made of (no database here).

The models build these from a booking and the organisation's profile; the engine turns them into
amounts, CII XML and PDFs. `validate(document)` states what a French invoice must carry (CGI
art. 242 nonies A, Code de commerce L441-9) and what EN 16931 needs to accept it, and raises
`InvoiceDataError` listing every problem at once, in the document's language.

Money: `Line.unit_price` is a `Decimal` in euros, excluding VAT (`Line.from_cents` takes integer
cents); quantities are `int` or `Decimal`; VAT rates are `Decimal` percentages (20, 10, 5.5, 0).
A float or a bool anywhere is refused: money is never float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from flask_babel import force_locale
from flask_babel import gettext as _

LANGUAGES = ("fr", "en")


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    QUOTE = "quote"


class InvoiceDataError(ValueError):
    """The data cannot make a valid document; `problems` lists every reason (translated)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


def _compact(value: str | None) -> str | None:
    """Identifiers (SIREN, VAT number, IBAN, BIC) without spaces or dots, upper case."""
    value = "".join((value or "").split()).replace(".", "").replace("-", "").upper()
    return value or None


@dataclass(frozen=True)
class Party:
    """A seller or a buyer. The seller also carries its bank details, whether it is registered
    for VAT (if not, VAT is "non applicable, art. 293 B du CGI") and its logo (PNG/JPEG bytes).

    `legal_form` is printed as given, e.g. "Association loi 1901" or "SAS au capital de
    50 000 € — RCS Évry 123 456 789". `siren` is derived from `siret` when only that is given."""

    name: str
    address_lines: tuple[str, ...]
    postcode: str
    city: str
    country_code: str = "FR"
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    legal_form: str | None = None
    email: str | None = None
    iban: str | None = None
    bic: str | None = None
    vat_registered: bool = True
    logo: bytes | None = field(default=None, repr=False)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "name", _clean(self.name) or "")
        set_(self, "address_lines", tuple(filter(None, map(_clean, self.address_lines))))
        set_(self, "postcode", _clean(self.postcode) or "")
        set_(self, "city", _clean(self.city) or "")
        set_(self, "country_code", (_compact(self.country_code) or ""))
        for name in ("siren", "siret", "vat_number", "iban", "bic"):
            set_(self, name, _compact(getattr(self, name)))
        set_(self, "legal_form", _clean(self.legal_form))
        set_(self, "email", _clean(self.email))
        if self.siren is None and self.siret:
            set_(self, "siren", self.siret[:9])


def _exact(value, what: str, *, allow_int: bool = True) -> Decimal:
    if isinstance(value, (bool, float)):
        raise TypeError(f"{what} must be a Decimal, never {type(value).__name__}")
    if isinstance(value, int) and allow_int:
        return Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number")
    return value


@dataclass(frozen=True)
class Line:
    """One line, usually one registration: `description` names what is sold (the event),
    `attendee` and `category` (the price category) are printed under it."""

    description: str
    unit_price: Decimal
    vat_rate: Decimal
    quantity: Decimal = Decimal(1)
    attendee: str | None = None
    category: str | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "description", _clean(self.description) or "")
        set_(self, "attendee", _clean(self.attendee))
        set_(self, "category", _clean(self.category))
        # An int price would be ambiguous (euros or cents?): Decimal euros, or from_cents().
        set_(self, "unit_price", _exact(self.unit_price, "unit_price", allow_int=False))
        set_(self, "vat_rate", _exact(self.vat_rate, "vat_rate"))
        set_(self, "quantity", _exact(self.quantity, "quantity"))

    @classmethod
    def from_cents(cls, description: str, unit_price_cents: int, vat_rate, **kwargs) -> Line:
        if isinstance(unit_price_cents, bool) or not isinstance(unit_price_cents, int):
            raise TypeError("unit_price_cents must be an int")
        return cls(description, Decimal(unit_price_cents).scaleb(-2), vat_rate, **kwargs)


@dataclass(frozen=True)
class Document:
    """An invoice, a credit note or a quote.

    `due_date` is the payment due date (invoice; optional on a credit note); `valid_until`
    the end of a quote's validity. `prepaid` is what the buyer already paid (a card payment
    before the invoice): the amount due is the total minus it. A credit note names the
    invoice it corrects (`corrected_invoice_number`, `corrected_invoice_date`) and carries
    positive amounts: its type (381) says they are credited, as EN 16931 expects.
    `service_start` (and `service_end`) are the event's dates: the date of the service, which
    a French invoice states when it differs from the issue date."""

    kind: DocumentKind
    number: str
    issue_date: dt.date
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    due_date: dt.date | None = None
    valid_until: dt.date | None = None
    language: str = "fr"
    currency: str = "EUR"
    buyer_is_business: bool = True
    purchase_order: str | None = None
    payment_terms: str | None = None
    payment_reference: str | None = None
    prepaid: Decimal = Decimal(0)
    corrected_invoice_number: str | None = None
    corrected_invoice_date: dt.date | None = None
    notes: tuple[str, ...] = ()
    service_start: dt.date | None = None
    service_end: dt.date | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "kind", DocumentKind(self.kind))
        set_(self, "lines", tuple(self.lines))
        set_(self, "notes", tuple(filter(None, map(_clean, self.notes))))
        for name in ("number", "purchase_order", "payment_terms", "payment_reference"):
            set_(self, name, _clean(getattr(self, name)))
        set_(self, "corrected_invoice_number", _clean(self.corrected_invoice_number))
        set_(self, "prepaid", _exact(self.prepaid, "prepaid"))

    @property
    def is_factur_x(self) -> bool:
        return self.kind in (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE)


def validate(document: Document) -> None:
    """Raise InvoiceDataError if `document` lacks a mention the law or EN 16931 requires, or
    carries an impossible value. Messages are in the document's language."""
    from eventapp.services.invoicing.amounts import compute_amounts

    language = document.language if document.language in LANGUAGES else "fr"
    with force_locale(language):
        problems = _problems(document)
        if not problems:
            amounts = compute_amounts(document)
            if document.prepaid < 0 or document.prepaid > amounts.total_incl_vat:
                problems.append(_("The amount already paid must be between zero and the total."))
            elif (
                document.kind == DocumentKind.INVOICE
                and amounts.due > 0
                and not document.seller.iban
            ):
                problems.append(_("The seller's IBAN is needed for an invoice still to be paid."))
    if problems:
        raise InvoiceDataError(problems)


def _problems(doc: Document) -> list[str]:
    problems: list[str] = []
    if doc.language not in LANGUAGES:
        problems.append(_("The document's language must be French or English."))
    if doc.currency != "EUR":
        problems.append(_("Only euro amounts are supported."))
    if not doc.number:
        problems.append(_("The document has no number."))
    if not doc.lines:
        problems.append(_("The document has no line."))
    for index, line in enumerate(doc.lines, start=1):
        if not line.description:
            problems.append(_("Line %(n)s has no description.", n=index))
        if line.quantity <= 0:
            problems.append(_("Line %(n)s: the quantity must be positive.", n=index))
        if line.unit_price < 0:
            problems.append(_("Line %(n)s: the unit price cannot be negative.", n=index))
        if not Decimal(0) <= line.vat_rate < 100:
            problems.append(_("Line %(n)s: the VAT rate must be between 0 and 100.", n=index))
        if not doc.seller.vat_registered and line.vat_rate != 0:
            problems.append(
                _("Line %(n)s: a seller not registered for VAT charges no VAT.", n=index)
            )
    problems += _party_problems(doc.seller, _("seller"), seller=True)
    problems += _party_problems(doc.buyer, _("buyer"), seller=False)
    if doc.kind == DocumentKind.INVOICE and doc.due_date is None:
        problems.append(_("An invoice needs a due date."))
    if doc.due_date is not None and doc.due_date < doc.issue_date:
        problems.append(_("The due date cannot be before the issue date."))
    if doc.kind == DocumentKind.QUOTE and (
        doc.valid_until is None or doc.valid_until < doc.issue_date
    ):
        problems.append(_("A quote needs a validity date on or after its issue date."))
    if doc.is_factur_x and doc.service_start is None:
        # The date of the service (CGI annexe II art. 242 nonies A: when it differs from the
        # issue date, as an event's always does); also EN 16931's delivery date, BT-72.
        problems.append(_("An invoice or a credit note states the date of the service."))
    if doc.service_end and (doc.service_start is None or doc.service_end < doc.service_start):
        problems.append(_("The service's end date cannot be before its start."))
    if doc.kind == DocumentKind.CREDIT_NOTE:
        if not doc.corrected_invoice_number or doc.corrected_invoice_date is None:
            problems.append(_("A credit note names the invoice it corrects and its date."))
        if doc.due_date is None and not doc.payment_terms:
            # EN 16931 BR-CO-25: an amount due needs a due date or payment terms.
            problems.append(_("A credit note needs a due date or payment terms."))
    return problems


def _party_problems(party: Party, role: str, *, seller: bool) -> list[str]:
    from stdnum import bic, iban
    from stdnum.eu import vat
    from stdnum.fr import siren, siret

    problems = []
    if not party.name:
        problems.append(_("The %(role)s has no name.", role=role))
    if not party.address_lines or not party.postcode or not party.city:
        problems.append(_("The %(role)s's address is incomplete.", role=role))
    if len(party.country_code) != 2 or not party.country_code.isalpha():
        problems.append(_("The %(role)s's country must be a two-letter code.", role=role))
    if party.siren and not siren.is_valid(party.siren):
        problems.append(_("The %(role)s's SIREN number is not valid.", role=role))
    if party.siret and not (siret.is_valid(party.siret) and party.siret[:9] == party.siren):
        problems.append(_("The %(role)s's SIRET number is not valid.", role=role))
    if party.vat_number and not vat.is_valid(party.vat_number):
        problems.append(_("The %(role)s's VAT number is not valid.", role=role))
    if party.iban and not iban.is_valid(party.iban):
        problems.append(_("The %(role)s's IBAN is not valid.", role=role))
    if party.bic and not bic.is_valid(party.bic):
        problems.append(_("The %(role)s's BIC is not valid.", role=role))
    if seller:
        if party.country_code == "FR" and not party.siren:
            problems.append(_("A French seller needs its SIREN or SIRET number."))
        if party.vat_registered and not party.vat_number:
            problems.append(_("A seller registered for VAT needs its VAT number."))
        if party.logo is not None and not _readable_image(party.logo):
            problems.append(_("The seller's logo is not a readable PNG or JPEG image."))
    return problems


def _readable_image(data: bytes) -> bool:
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
            return image.format in ("PNG", "JPEG")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
