"""The payments of an event as a file: CSV (fees/payments.py) and XLSX, with one header and
one walk over the payments in batches (streamed: constant memory whatever their number)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from flask import Response, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.fees.blueprint import bp
from eventapp.models import Booking, BookingPayment, PriceCategory
from eventapp.organiser.forms import local_zone
from eventapp.permissions import Perm, guard
from eventapp.services import exports

BATCH = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header() -> list[str]:
    return [
        _("Booking"),
        _("Name"),
        _("State"),
        _("Method"),
        _("Rate"),
        _("Excl. VAT"),
        _("VAT"),
        _("Incl. VAT"),
        _("Paid"),
        _("Refunded"),
        _("Deadline"),
        _("Transfer reference"),
        _("To refund"),
    ]


def category_names(event) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(PriceCategory.id, PriceCategory.name_fr).where(
                PriceCategory.event_id == event.id
            )
        ).all()
    )


def batches(event_id: int) -> Iterator[list[tuple[BookingPayment, Booking]]]:
    """The event's payments with their bookings, in id order, BATCH at a time (keyset)."""
    last = 0
    while True:
        batch = db.session.execute(
            select(BookingPayment, Booking)
            .join(Booking, Booking.id == BookingPayment.booking_id)
            .where(BookingPayment.event_id == event_id, BookingPayment.id > last)
            .order_by(BookingPayment.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        yield batch
        last = batch[-1][0].id


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


@bp.get("/organiser/events/<id:event_id>/payments/export.xlsx")
@guard.event(Perm.PAYMENTS)
def payments_export_xlsx(event):
    """The payments as an .xlsx sheet: amounts as numbers in euros, the deadline as a date in
    Paris time, text never read as a formula (services/exports.xlsx_table_stream)."""
    categories = category_names(event)
    event_id, zone = event.id, local_zone()

    def rows():
        for batch in batches(event_id):
            for p, b in batch:
                yield [
                    b.reference,
                    b.full_name,
                    p.state.label,
                    p.method.label if p.method else "",
                    categories.get(p.price_category_id, ""),
                    *(
                        _euros(value)
                        for value in (
                            p.net_cents,
                            p.vat_cents,
                            p.total_cents,
                            p.paid_cents,
                            p.refunded_cents,
                        )
                    ),
                    p.due_at,
                    p.bank_reference,
                    _("yes") if p.needs_refund else "",
                ]

    body = exports.xlsx_table_stream(
        _("Payments"),
        header(),
        rows(),
        zone,
        widths=(12, 28, 18, 14, 22, 12, 10, 12, 12, 12, 18, 16, 10),
        money_columns=range(5, 10),
    )
    response = Response(stream_with_context(body), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="payments-{event.slug}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response
