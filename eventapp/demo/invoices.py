"""Demo data of invoices (issue 15): Medicen, which leads the 2026 congress, gets its legal
details; each paid demo booking of the congress gets billing details (its attendee's
organisation), its invoice on the day it was paid, and a credit note on the day of a refund,
all numbered in date order in Medicen's sequence. Idempotent: a booking invoiced already is
left alone (a second load issues nothing)."""

from __future__ import annotations

import zlib

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    BillingDetails,
    Booking,
    BookingPayment,
    Event,
    IssuedDocument,
    Organisation,
    PaymentState,
    PaymentTransaction,
    Registration,
)
from eventapp.services.invoicing import issuing, records

CONGRESS = "congres-france-bioproduction-2026"
INVOICED = (PaymentState.PAID, PaymentState.PARTLY_REFUNDED, PaymentState.REFUNDED)
CITIES = (
    ("Service financier", "75013", "Paris"),
    ("Direction des achats", "69007", "Lyon"),
    ("Service comptabilité", "91000", "Évry-Courcouronnes"),
    ("Comptabilité fournisseurs", "67000", "Strasbourg"),
    ("Service des achats", "31400", "Toulouse"),
)
MEDICEN = {
    "legal_name": "Medicen Paris Region",
    "legal_address": "Immeuble Le Dahlia\n15 rue de la Santé\n75014 Paris",
    "siret": "44306184100047",
    "vat_number": "FR64443061841",
    "legal_form": "Association loi 1901",
}


def _legal_details(org: Organisation) -> None:
    for name, value in MEDICEN.items():
        if not getattr(org, name):
            setattr(org, name, value)


def _billing(booking: Booking, registration: Registration) -> None:
    if records.billing_of(booking.id) is not None:
        return
    street, postcode, city = CITIES[zlib.crc32(str(booking.id).encode()) % len(CITIES)]
    company = registration.organisation_name
    db.session.add(
        BillingDetails(
            booking_id=booking.id,
            buyer_kind="business" if company else "individual",
            name=company or registration.full_name,
            address=f"{street}\n{10 + booking.id % 80} avenue de la Recherche",
            postcode=postcode,
            city=city,
            country_code="FR",
        )
    )


def load(orgs: dict[str, Organisation]) -> int:
    """Invoices and credit notes of the paid congress; returns how many were issued."""
    event = db.session.scalar(select(Event).where(Event.slug == CONGRESS))
    if event is None or orgs.get("medicen") is None:
        return 0
    _legal_details(orgs["medicen"])
    invoiced = select(IssuedDocument.payment_id).where(IssuedDocument.payment_id.is_not(None))
    rows = db.session.execute(
        select(BookingPayment, Booking, Registration)
        .join(Booking, Booking.id == BookingPayment.booking_id)
        .join(Registration, Registration.booking_id == Booking.id)
        .where(
            BookingPayment.event_id == event.id,
            BookingPayment.state.in_(INVOICED),
            BookingPayment.total_cents > 0,
            BookingPayment.id.not_in(invoiced),
        )
        .order_by(BookingPayment.id)
    ).all()
    if not rows:
        return 0
    moves = []  # (day, order, payment id, payment, refund)
    seen = set()
    for payment, booking, registration in rows:
        if payment.id in seen:  # a group booking: one row per attendee
            continue
        seen.add(payment.id)
        _billing(booking, registration)
        transactions = db.session.scalars(
            select(PaymentTransaction)
            .where(PaymentTransaction.payment_id == payment.id)
            .order_by(PaymentTransaction.id)
        ).all()
        for transaction in transactions:
            day = records.paris_date(transaction.created_at)
            if transaction.kind == "payment":
                moves.append((day, 0, payment.id, payment, None))
            elif transaction.kind == "refund":
                moves.append((day, 1, payment.id, payment, transaction))
    db.session.flush()
    issued = 0
    for day, _order, _id, payment, refund in sorted(moves, key=lambda m: m[:3]):
        if refund is None:
            if issuing.invoice_of(payment.id) is None:
                # Issued as it was when paid: in full, before any refund.
                kept = payment.refunded_cents
                payment.refunded_cents = 0
                try:
                    issuing.issue_invoice(payment, issue_date=day)
                finally:
                    payment.refunded_cents = kept
                issued += 1
        else:
            invoice = issuing.invoice_of(payment.id)
            if invoice is not None:
                issuing.issue_credit_note(
                    invoice, refund.amount_cents, refund=refund, issue_date=day
                )
                issued += 1
    db.session.flush()
    return issued
