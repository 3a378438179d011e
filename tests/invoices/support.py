"""An issued invoice for the security walks (tests/security): the organisation gets complete
legal details, the registration's booking a payment of one line and billing details, and the
invoice is issued through the service (numbered under the lock)."""

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import BillingDetails, BookingLine, BookingPayment, Organisation
from eventapp.services.invoicing import issuing
from tests.invoices.conftest import LEGAL


def with_legal_details(org: Organisation) -> None:
    for name, value in LEGAL.items():
        if name != "name":
            setattr(org, name, value)


def payment_for(org, event, registration, *, reference: str) -> BookingPayment:
    """An unpaid booking payment (120 € incl. VAT) of the registration's booking, with billing
    details; committed."""
    with_legal_details(org)
    payment = BookingPayment(
        booking_id=registration.booking_id,
        event_id=event.id,
        state="awaiting_payment",
        bank_reference=reference,
        net_cents=10000,
        vat_cents=2000,
        total_cents=12000,
    )
    db.session.add(payment)
    db.session.flush()
    db.session.add_all(
        [
            BookingLine(
                payment_id=payment.id,
                registration_id=registration.id,
                unit_net_cents=10000,
                net_cents=10000,
                vat_basis_points=2000,
                vat_cents=2000,
                total_cents=12000,
            ),
            BillingDetails(
                booking_id=registration.booking_id,
                buyer_kind="individual",
                name="Léa Durand",
                address="12 avenue Jean Jaurès",
                postcode="69007",
                city="Lyon",
                country_code="FR",
            ),
        ]
    )
    db.session.commit()
    return payment


def issued_invoice(org, event, registration, *, reference: str):
    payment_id = payment_for(org, event, registration, reference=reference).id
    with write_transaction():
        record = issuing.issue_invoice(
            db.session.get(BookingPayment, payment_id), purchase_order="BC-1"
        )
        return record.id
