"""Prices: which categories are offered, member rates checked by e-mail domain, vouchers, and
the amounts of a booking. Amounts are integer cents; VAT is computed per line with Decimal and
rounded half up to the cent. Nothing here trusts a price sent by the browser: every amount is
computed from the stored category and voucher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, update

from eventapp.extensions import db
from eventapp.models import (
    BookingLine,
    BookingPayment,
    Event,
    EventOrganiser,
    FeeSettings,
    MemberCompany,
    PaymentState,
    PriceCategory,
    Voucher,
    VoucherKind,
)
from eventapp.services.fees.errors import FeeError

Code = FeeError.Code


def vat_of(net_cents: int, basis_points: int) -> int:
    """The VAT on a net amount, rounded half up to the cent."""
    vat = Decimal(net_cents) * Decimal(basis_points) / Decimal(10000)
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def with_vat(net_cents: int, basis_points: int) -> int:
    return net_cents + vat_of(net_cents, basis_points)


def categories(event: Event, *, active_only: bool = True) -> list[PriceCategory]:
    query = select(PriceCategory).where(PriceCategory.event_id == event.id)
    if active_only:
        query = query.where(PriceCategory.active.is_(True))
    return list(db.session.scalars(query.order_by(PriceCategory.position, PriceCategory.id)))


def offered(event: Event, now: datetime) -> list[PriceCategory]:
    """The categories a registrant may choose now (active, inside their validity dates)."""
    return [c for c in categories(event) if c.is_valid_at(now)]


def is_paid_event(event: Event) -> bool:
    """An event with price categories has a payment step; one without stays free."""
    return (
        db.session.scalar(
            select(PriceCategory.id)
            .where(PriceCategory.event_id == event.id, PriceCategory.active.is_(True))
            .limit(1)
        )
        is not None
    )


def settings_of(event: Event, *, create: bool = False) -> FeeSettings:
    """The event's payment settings; the defaults (not stored) unless `create`."""
    found = db.session.get(FeeSettings, event.id)
    if found is None:
        found = FeeSettings(
            event_id=event.id, transfer_days=10, card_minutes=30, late_refund_percent=0
        )
        if create:
            db.session.add(found)
    return found


def domain_of(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def member_of(event: Event, email: str) -> MemberCompany | None:
    """The member company of one of the event's organising organisations whose e-mail domain
    is the address's (or a parent of it: lab.example.fr matches example.fr)."""
    domain = domain_of(email)
    if not domain:
        return None
    wanted = {".".join(domain.split(".")[i:]) for i in range(domain.count("."))}
    organisers = select(EventOrganiser.organisation_id).where(
        EventOrganiser.event_id.in_([event.id, *([event.parent_id] if event.parent_id else [])])
    )
    for company in db.session.scalars(
        select(MemberCompany)
        .where(MemberCompany.organisation_id.in_(organisers))
        .order_by(MemberCompany.id)
    ):
        if wanted & {d.lower() for d in company.domains or []}:
            return company
    return None


def normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).upper()


def find_voucher(event: Event, code: str) -> Voucher:
    voucher = db.session.scalar(
        select(Voucher).where(Voucher.event_id == event.id, Voucher.code == normalise_code(code))
    )
    if voucher is None:
        raise FeeError(Code.VOUCHER_UNKNOWN, field="voucher")
    return voucher


def check_voucher(voucher: Voucher, category: PriceCategory, now: datetime) -> None:
    if (voucher.valid_from and now < voucher.valid_from) or (
        voucher.valid_until and now >= voucher.valid_until
    ):
        raise FeeError(Code.VOUCHER_NOT_VALID, field="voucher")
    if voucher.category_ids and category.id not in voucher.category_ids:
        raise FeeError(Code.VOUCHER_CATEGORY, field="voucher")


def use_voucher(voucher: Voucher, uses: int) -> None:
    """Take `uses` uses of the voucher in one conditional UPDATE: two bookings racing for its
    last use cannot both get it (the row is written by one transaction at a time; the second
    sees the first's count once it commits, PostgreSQL re-checks the condition)."""
    if voucher.max_uses is None:
        db.session.execute(
            update(Voucher).where(Voucher.id == voucher.id).values(used=Voucher.used + uses)
        )
        return
    done = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.used + uses <= Voucher.max_uses)
        .values(used=Voucher.used + uses)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise FeeError(Code.VOUCHER_USED_UP, field="voucher")
    db.session.expire(voucher, ["used"])


def release_voucher(voucher_id: int | None, uses: int) -> None:
    if voucher_id is None or uses <= 0:
        return
    db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.used >= uses)
        .values(used=Voucher.used - uses)
        .execution_options(synchronize_session=False)
    )


def discount_of(voucher: Voucher | None, net_cents: int) -> int:
    """What a voucher takes off one net price (never more than the price)."""
    if voucher is None:
        return 0
    if voucher.kind == VoucherKind.FREE:
        off = net_cents
    elif voucher.kind == VoucherKind.PERCENT:
        off = int(
            (Decimal(net_cents) * Decimal(voucher.value) / 100).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
    elif voucher.kind == VoucherKind.AMOUNT:
        off = voucher.value
    else:  # FIXED_PRICE
        off = net_cents - voucher.value
    return min(max(off, 0), net_cents)


@dataclass(frozen=True)
class LinePrice:
    unit_net_cents: int
    discount_cents: int
    net_cents: int
    vat_basis_points: int
    vat_cents: int
    total_cents: int


def line_price(category: PriceCategory, voucher: Voucher | None) -> LinePrice:
    unit = category.price_cents
    discount = discount_of(voucher, unit)
    net = unit - discount
    vat = vat_of(net, category.vat_basis_points)
    return LinePrice(unit, discount, net, category.vat_basis_points, vat, net + vat)


def places_by_category(event: Event) -> dict[int, int]:
    """Places taken per category of the event, in one GROUP BY (the rates page)."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(BookingLine.price_category_id, func.count())
        .join(BookingPayment, BookingPayment.id == BookingLine.payment_id)
        .where(
            BookingPayment.event_id == event.id,
            BookingPayment.state != PaymentState.CANCELLED,
        )
        .group_by(BookingLine.price_category_id)
    )
    return {category_id: int(count) for category_id, count in rows}


def places_taken(category: PriceCategory) -> int:
    """Lines at this price in bookings that still hold or paid their seats (read under the
    event's lock to enforce the quota)."""
    from sqlalchemy import func

    return int(
        db.session.scalar(
            select(func.count())
            .select_from(BookingLine)
            .join(BookingPayment, BookingPayment.id == BookingLine.payment_id)
            .where(
                BookingLine.price_category_id == category.id,
                BookingPayment.state != PaymentState.CANCELLED,
            )
        )
        or 0
    )


# --- what a payment covers: an event, or a tour's stages ------------------------------------


def covered_event_ids(payment: BookingPayment) -> list[int]:
    """The events whose registrations a payment prices: its event, or a tour's stages (a
    tour's rates price the booking's stages: a pass, or per stage)."""
    event = db.session.get(Event, payment.event_id)
    if event is None or not event.is_tour:
        return [payment.event_id]
    return list(db.session.scalars(select(Event.id).where(Event.parent_id == event.id)))


def payment_event_ids(event_id: int, parent_id: int | None) -> list[int]:
    """The events a registration's payment may be recorded on: its own, or its tour's."""
    return [event_id] + ([parent_id] if parent_id else [])


def payment_of_registration(registration) -> BookingPayment | None:
    """The payment pricing this registration (of its event, or of its tour)."""
    return db.session.scalar(
        select(BookingPayment)
        .where(
            BookingPayment.booking_id == registration.booking_id,
            BookingPayment.event_id.in_(
                payment_event_ids(registration.event_id, registration.event.parent_id)
            ),
        )
        .order_by(BookingPayment.id)
        .limit(1)
    )


def lock_tour_rates(tour_id: int) -> None:
    """The lock of a tour's rates and payments, taken after the stages' locks. Not the tour's
    row lock on PostgreSQL: bookings insert rows referencing the tour (FOR KEY SHARE on it),
    which a FOR UPDATE there would wait for while they wait for a stage we hold (a deadlock);
    a transaction-scoped advisory lock on the tour's id serialises the same work without
    conflicting with them. SQLite: its one write lock (lock_event_row)."""
    from sqlalchemy import text

    from eventapp.database import is_sqlite, lock_event_row

    if is_sqlite():
        lock_event_row(tour_id)
        return
    db.session.execute(text("SELECT pg_advisory_xact_lock(14014, :id)"), {"id": tour_id})
