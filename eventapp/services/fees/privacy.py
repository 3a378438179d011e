"""Retention of the personal data of fees and payment, with the registrations' own rules
(services/privacy): a booking payment's justification and proof go when its booking is anonymised
(erasure or the retention purge); a bank line's payer name, IBAN and text go once the line is
matched or dealt with (services/fees/bank.py), and at the latest with the event's purge."""

from __future__ import annotations

from sqlalchemy import select, update

from eventapp import events
from eventapp.extensions import db
from eventapp.models import BankLine, Booking, BookingPayment, Registration


def _scrub_justifications(where) -> None:
    anonymised = select(Booking.id).where(Booking.anonymised_at.is_not(None))
    db.session.execute(
        update(BookingPayment)
        .where(where, BookingPayment.booking_id.in_(anonymised))
        .values(justification=None, proof_name=None, proof_type=None, proof_data=None)
        .execution_options(synchronize_session=False)
    )


@events.subscribe("registration.erased", phase="before_commit")
def _on_erasure(event: events.DomainEvent) -> None:
    booking_id = db.session.scalar(
        select(Registration.booking_id).where(Registration.id == event["registration_id"])
    )
    if booking_id is not None:
        _scrub_justifications(BookingPayment.booking_id == booking_id)


@events.subscribe("privacy.purged", phase="before_commit")
def _on_purge(event: events.DomainEvent) -> None:
    _scrub_justifications(BookingPayment.event_id == event["event_id"])
    db.session.execute(
        update(BankLine)
        .where(BankLine.event_id == event["event_id"])
        .values(payer_name=None, payer_iban=None, text=None)
        .execution_options(synchronize_session=False)
    )
