"""Fees and payment (issue 14): price categories, the member directory, vouchers, what a
booking owes and what was paid or refunded, the provider events applied, bank imports.

Money is integer cents (EUR) everywhere; a VAT rate is in basis points (2000 = 20 %).
Personal data: a booking payment's justification (and proof) and a bank line's payer details;
the first is
cleared with the booking (services/fees/privacy.py, on erasure and purge), the second as
soon as the line is matched or dealt with, and at the latest with the event's retention purge
(services/fees/privacy.py).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum, utcnow
from eventapp.models.enums import LabelledEnum


class PriceKind(LabelledEnum):
    MEMBER = "member"
    NON_MEMBER = "non_member"
    ACADEMIC = "academic"
    INDUSTRIAL = "industrial"
    STUDENT = "student"
    SPEAKER = "speaker"  # speakers and partners: free
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.MEMBER: _l("Member"),
            cls.NON_MEMBER: _l("Non-member"),
            cls.ACADEMIC: _l("Academic"),
            cls.INDUSTRIAL: _l("Industrial"),
            cls.STUDENT: _l("Student"),
            cls.SPEAKER: _l("Speaker / partner"),
            cls.OTHER: _l("Other"),
        }


class Verification(LabelledEnum):
    """How a category is granted: to anyone, to members (by e-mail domain, else approval), or
    only after an organiser's approval (a justification: student card, speaker...)."""

    NONE = "none"
    MEMBER = "member"
    APPROVAL = "approval"

    @classmethod
    def _labels(cls):
        return {
            cls.NONE: _l("Open to anyone"),
            cls.MEMBER: _l("Members (checked by e-mail domain, else approval)"),
            cls.APPROVAL: _l("Only after approval"),
        }


class PaymentState(LabelledEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_PAYMENT = "awaiting_payment"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    PARTLY_REFUNDED = "partly_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"  # released at its deadline, refused, or cancelled unpaid

    @classmethod
    def _labels(cls):
        return {
            cls.AWAITING_APPROVAL: _l("Awaiting approval"),
            cls.AWAITING_PAYMENT: _l("Awaiting payment"),
            cls.PARTLY_PAID: _l("Partly paid"),
            cls.PAID: _l("Paid"),
            cls.PARTLY_REFUNDED: _l("Partly refunded"),
            cls.REFUNDED: _l("Refunded"),
            cls.CANCELLED: _l("Cancelled"),
        }


# A booking in these states holds its seats until its deadline.
HOLDING_STATES = frozenset(
    {PaymentState.AWAITING_APPROVAL, PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID}
)


class PaymentMethod(LabelledEnum):
    CARD = "card"
    TRANSFER = "transfer"
    ON_SITE = "on_site"

    @classmethod
    def _labels(cls):
        return {
            cls.CARD: _l("Card"),
            cls.TRANSFER: _l("Bank transfer"),
            cls.ON_SITE: _l("On site"),
        }


class VoucherKind(LabelledEnum):
    PERCENT = "percent"  # value: percent off (1..100)
    AMOUNT = "amount"  # value: cents off the price excluding VAT
    FIXED_PRICE = "fixed_price"  # value: the price excluding VAT, in cents
    FREE = "free"

    @classmethod
    def _labels(cls):
        return {
            cls.PERCENT: _l("Percentage off"),
            cls.AMOUNT: _l("Amount off"),
            cls.FIXED_PRICE: _l("Fixed price"),
            cls.FREE: _l("Free"),
        }


class FeeSettings(Base):
    """An event's payment settings (one row, made when its first price is added)."""

    __tablename__ = "fee_settings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    transfer_days: Mapped[int] = mapped_column(default=10)
    card_minutes: Mapped[int] = mapped_column(default=30)
    # Cancellation policy: a full refund until this date, then `late_refund_percent` of it.
    full_refund_until: Mapped[datetime | None]
    late_refund_percent: Mapped[int] = mapped_column(default=0)


class PriceCategory(TimestampMixin, Base):
    __tablename__ = "price_category"
    __table_args__ = (Index("ix_price_category_event_id_position", "event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[PriceKind] = mapped_column(str_enum(PriceKind))
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    # Price excluding VAT, in cents; 0 is a free category (speakers, partners).
    price_cents: Mapped[int] = mapped_column(default=0)
    vat_basis_points: Mapped[int] = mapped_column(default=2000)
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    quota: Mapped[int | None]  # places at this price, inside the event's capacity
    verification: Mapped[Verification] = mapped_column(
        str_enum(Verification), default=Verification.NONE
    )
    includes_fr: Mapped[str] = mapped_column(String(300), default="")
    includes_en: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # A tour's rate: False, a pass (one price per person, whatever the number of stages);
    # True, a price per stage booked. (An event on its own: one price per person.)
    per_stage: Mapped[bool] = mapped_column(default=False)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_fr

    def includes(self, locale: str) -> str:
        return self.includes_en if locale == "en" and self.includes_en else self.includes_fr

    def is_valid_at(self, now: datetime) -> bool:
        return (self.valid_from is None or now >= self.valid_from) and (
            self.valid_until is None or now < self.valid_until
        )


class MemberCompany(TimestampMixin, Base):
    """A member of an organisation (a company or institution, not a person): its e-mail
    domains give its staff the member rate."""

    __tablename__ = "member_company"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str | None] = mapped_column(String(9))
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)


class Voucher(TimestampMixin, Base):
    __tablename__ = "voucher"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[VoucherKind] = mapped_column(str_enum(VoucherKind))
    value: Mapped[int] = mapped_column(default=0)
    max_uses: Mapped[int | None]
    used: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every one
    partner: Mapped[str] = mapped_column(String(200), default="")


class BookingPayment(TimestampMixin, Base):
    """What a paid booking owes, and where its payment stands (free bookings have none)."""

    __tablename__ = "booking_payment"
    __table_args__ = (Index("ix_booking_payment_event_id_state", "event_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    state: Mapped[PaymentState] = mapped_column(str_enum(PaymentState, 24))
    method: Mapped[PaymentMethod | None] = mapped_column(str_enum(PaymentMethod))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    net_cents: Mapped[int] = mapped_column(default=0)
    vat_cents: Mapped[int] = mapped_column(default=0)
    total_cents: Mapped[int] = mapped_column(default=0)  # VAT included: what is due
    discount_cents: Mapped[int] = mapped_column(default=0)  # excluding VAT
    paid_cents: Mapped[int] = mapped_column(default=0)
    refunded_cents: Mapped[int] = mapped_column(default=0)
    price_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("price_category.id", ondelete="SET NULL"), index=True
    )
    voucher_id: Mapped[int | None] = mapped_column(
        ForeignKey("voucher.id", ondelete="SET NULL"), index=True
    )
    bank_reference: Mapped[str] = mapped_column(String(12), unique=True)
    # The deadline the seats are held until (the release job's): the transfer deadline, or
    # while a card checkout is open the checkout's own (services/fees/holds.py).
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The transfer deadline, kept while a card checkout holds the seats for less: choosing
    # the transfer again gives it back (never a new one: a card attempt extends nothing).
    transfer_due_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # Why the registrant claims the category (personal data: cleared with the booking).
    justification: Mapped[str | None] = mapped_column(Text)
    # A proof uploaded with it (a student card: PDF, JPEG or PNG, type checked by content),
    # kept in the database (never under static/), served only to the event's organisers and
    # to the booking's link; personal data, cleared with the justification.
    proof_name: Mapped[str | None] = mapped_column(String(150))
    proof_type: Mapped[str | None] = mapped_column(String(40))
    proof_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    approved_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    needs_refund: Mapped[bool] = mapped_column(default=False)
    checkout_provider: Mapped[str | None] = mapped_column(String(40))
    checkout_id: Mapped[str | None] = mapped_column(String(255), index=True)
    checkout_started_at: Mapped[datetime | None]
    checkout_attempt: Mapped[int] = mapped_column(default=0)

    booking = relationship("Booking")
    category: Mapped[PriceCategory | None] = relationship()
    voucher: Mapped[Voucher | None] = relationship()
    lines: Mapped[list[BookingLine]] = relationship(
        back_populates="payment", lazy="raise_on_sql", order_by="BookingLine.id"
    )

    @property
    def due_cents(self) -> int:
        """What remains to pay (never negative)."""
        return max(self.total_cents - self.paid_cents, 0)


class BookingLine(Base):
    """One attendee's price in a booking, computed on the server when booking."""

    __tablename__ = "booking_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("booking_payment.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    price_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("price_category.id", ondelete="SET NULL"), index=True
    )
    unit_net_cents: Mapped[int] = mapped_column(default=0)  # the category's price
    discount_cents: Mapped[int] = mapped_column(default=0)
    net_cents: Mapped[int] = mapped_column(default=0)
    vat_basis_points: Mapped[int] = mapped_column(default=2000)
    vat_cents: Mapped[int] = mapped_column(default=0)
    total_cents: Mapped[int] = mapped_column(default=0)

    payment: Mapped[BookingPayment] = relationship(back_populates="lines")


class PaymentTransaction(Base):
    """Money in (a payment) or out (a refund) of a booking. `source` makes a recording
    idempotent (a provider event, a bank line, a refund's idempotency key)."""

    __tablename__ = "payment_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("booking_payment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # payment, refund
    provider: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default="succeeded")  # pending: to do
    provider_payment_id: Mapped[str | None] = mapped_column(String(255), index=True)
    refund_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderEvent(Base):
    """A provider event applied once: a second delivery of the same id changes nothing."""

    __tablename__ = "provider_event"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BankSettings(Base):
    """An organisation's saved CSV column mapping (chosen once)."""

    __tablename__ = "bank_settings"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    csv_mapping: Mapped[dict] = mapped_column(JSON, default=dict)


class BankLine(Base):
    """A credit of an imported statement. The fingerprint makes a re-import change nothing;
    payer details are kept only while a person must look at the line."""

    __tablename__ = "bank_line"
    __table_args__ = (UniqueConstraint("event_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    booked_on: Mapped[date]
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    payer_name: Mapped[str | None] = mapped_column(String(200))
    payer_iban: Mapped[str | None] = mapped_column(String(34))
    text: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
