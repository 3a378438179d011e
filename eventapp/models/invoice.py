"""Invoices, credit notes and quotes (issue 15), and the buyer's billing details.

- `IssuedDocument`: one invoice, credit note or quote, issued by an organisation. Its number
  comes from the organisation's counter (`DocumentCounter`, one row per organisation and
  series, taken under a lock: services/invoicing/numbering.py). Invoices and credit notes share
  the series "invoice" (one chronological, continuous sequence, CGI annexe II art. 242 nonies
  A); quotes have their own, "quote". The document is a snapshot (`content`: seller, buyer,
  lines, dates, mentions) from which its PDF is rendered, always the same: once issued it is
  never changed nor deleted (the listeners below refuse it); a correction is a credit note.
- `BillingDetails`: what the booker gave for the invoice (name, address, VAT and purchase
  order numbers), editable until the booking's invoice is issued.

Personal data: billing details are deleted when their booking is anonymised (erasure, the
retention purge: services/invoicing/billing.py). An issued document keeps its buyer's name and
address: invoices are accounting records kept ten years (Code de commerce, art. L123-22); no
e-mail address is stored in a document.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.models.base import Base, TimestampMixin, str_enum, utcnow
from eventapp.models.enums import LabelledEnum

INVOICE_SERIES = "invoice"  # invoices and credit notes: one sequence
QUOTE_SERIES = "quote"


class DocumentKind(LabelledEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    QUOTE = "quote"

    @classmethod
    def _labels(cls):
        return {
            cls.INVOICE: _l("Invoice"),
            cls.CREDIT_NOTE: _l("Credit note"),
            cls.QUOTE: _l("Quote"),
        }

    @property
    def series(self) -> str:
        return QUOTE_SERIES if self == DocumentKind.QUOTE else INVOICE_SERIES


class DocumentCounter(Base):
    """The last number given in one series of an organisation (locked to take the next)."""

    __tablename__ = "document_counter"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    series: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class ImmutableDocument(RuntimeError):
    """An issued invoice, credit note or quote cannot be changed or deleted."""


class IssuedDocument(Base):
    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("organisation_id", "series", "sequence_number"),
        Index("ix_issued_document_organisation_id_issue_date", "organisation_id", "issue_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))
    series: Mapped[str] = mapped_column(String(10))
    sequence_number: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    issue_date: Mapped[date]
    due_date: Mapped[date | None]
    valid_until: Mapped[date | None]  # a quote's validity
    language: Mapped[str] = mapped_column(String(2), default="fr")
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="SET NULL"), index=True
    )
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_payment.id", ondelete="SET NULL"), index=True
    )
    # A credit note: the invoice it corrects, and the refund it records (one credit note each).
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_document.id", ondelete="SET NULL"), index=True
    )
    refund_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_transaction.id", ondelete="SET NULL"), unique=True
    )
    # An invoice issued after a quote (against a purchase order).
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_document.id", ondelete="SET NULL"), index=True
    )
    buyer_name: Mapped[str] = mapped_column(String(200))
    purchase_order: Mapped[str | None] = mapped_column(String(60))
    payment_reference: Mapped[str | None] = mapped_column(String(40))
    net_cents: Mapped[int]
    vat_cents: Mapped[int]
    total_cents: Mapped[int]  # VAT included
    prepaid_cents: Mapped[int] = mapped_column(default=0)  # paid when issued
    # [{"rate": "20.00", "taxable_cents": 39000, "vat_cents": 7800}, ...]
    vat_breakdown: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # The document as issued (services/invoicing/records.py turns it back into a Document).
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def file_name(self) -> str:
        prefix = {
            DocumentKind.INVOICE: "invoice",
            DocumentKind.CREDIT_NOTE: "credit-note",
            DocumentKind.QUOTE: "quote",
        }[self.kind]
        return f"{prefix}-{self.number}.pdf"


@event.listens_for(IssuedDocument, "before_update")
def _refuse_update(_mapper, _connection, target) -> None:
    raise ImmutableDocument(f"document {target.number} is issued: it cannot be changed")


@event.listens_for(IssuedDocument, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:
    raise ImmutableDocument(f"document {target.number} is issued: it cannot be deleted")


class BuyerKind(LabelledEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"

    @classmethod
    def _labels(cls):
        return {
            cls.INDIVIDUAL: _l("An individual (the invoice in my name)"),
            cls.BUSINESS: _l("A company or an institution"),
        }


class BillingDetails(TimestampMixin, Base):
    """Who the booking's invoice is made out to (personal data: deleted with the booking's
    anonymisation)."""

    __tablename__ = "billing_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), unique=True
    )
    buyer_kind: Mapped[BuyerKind] = mapped_column(str_enum(BuyerKind, 12))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)  # street lines, one a line
    postcode: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(100))
    country_code: Mapped[str] = mapped_column(String(2), default="FR")
    vat_number: Mapped[str | None] = mapped_column(String(20))
    purchase_order: Mapped[str | None] = mapped_column(String(60))

    @property
    def is_business(self) -> bool:
        return self.buyer_kind == BuyerKind.BUSINESS
