"""The buyer's billing details of a booking: given at booking (a paid event), changed on the
booking page until the booking's invoice is issued (after that a correction is a credit note
and a new invoice, made by the organiser).

Retention: the details are personal data; they are deleted when the booking is anonymised
(a person's erasure, the event's retention purge), like the payment's justification. The
invoices keep their own copy of the buyer (accounting records, kept ten years)."""

from __future__ import annotations

from sqlalchemy import delete, select

from eventapp import events
from eventapp.extensions import db
from eventapp.models import BillingDetails, Booking, BookingPayment, Registration
from eventapp.services import audit
from eventapp.services.invoicing.issuing import Code, InvoiceError, invoice_of
from eventapp.services.invoicing.records import billing_of

FIELDS = (
    "buyer_kind",
    "name",
    "address",
    "postcode",
    "city",
    "country_code",
    "vat_number",
    "purchase_order",
)


def save(booking: Booking, details: dict, *, payment: BookingPayment | None = None) -> bool:
    """Create or change the booking's billing details; refused once it is invoiced. Returns
    whether anything changed."""
    if payment is not None and invoice_of(payment.id) is not None:
        raise InvoiceError(Code.ALREADY_INVOICED)
    billing = billing_of(booking.id)
    if billing is None:
        db.session.add(BillingDetails(booking_id=booking.id, **{k: details[k] for k in FIELDS}))
        db.session.flush()
        return True
    changed = [name for name in FIELDS if getattr(billing, name) != details[name]]
    for name in changed:
        setattr(billing, name, details[name])
    if changed:
        db.session.flush()
        audit.record(
            "invoice.billing_changed",
            actor="participant",
            event_id=booking.event_id,
            booking_id=booking.id,
            fields=changed,
        )
    return bool(changed)


def _delete_for(where) -> None:
    anonymised = select(Booking.id).where(Booking.anonymised_at.is_not(None))
    db.session.execute(
        delete(BillingDetails)
        .where(where, BillingDetails.booking_id.in_(anonymised))
        .execution_options(synchronize_session=False)
    )


@events.subscribe("registration.erased", phase="before_commit")
def _on_erasure(event: events.DomainEvent) -> None:
    booking_id = db.session.scalar(
        select(Registration.booking_id).where(Registration.id == event["registration_id"])
    )
    if booking_id is not None:
        _delete_for(BillingDetails.booking_id == booking_id)


@events.subscribe("privacy.purged", phase="before_commit")
def _on_purge(event: events.DomainEvent) -> None:
    of_event = select(Booking.id).where(Booking.event_id == event["event_id"])
    _delete_for(BillingDetails.booking_id.in_(of_event))
