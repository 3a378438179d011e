"""Each way a booking gets paid issues its invoice in the payment's own transaction: a bank
statement line matched to the booking's reference, a card provider's webhook event (applied
once: a second delivery issues nothing), and (test_scenario) the organiser's "received"."""

import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import BookingPayment, DocumentKind, IssuedDocument
from eventapp.services.fees import payments
from eventapp.services.payments.providers import PaymentEvent, PaymentEventKind
from tests.invoices.conftest import book


def _invoices() -> list[IssuedDocument]:
    return list(
        _db.session.scalars(
            select(IssuedDocument).where(IssuedDocument.kind == DocumentKind.INVOICE)
        )
    )


def test_a_matched_bank_line_issues_the_invoice(client, db, login, congress):
    event = congress["event"]
    payment_id = book(event.id, congress["rates"]["academic"].id)
    payment = db.session.get(BookingPayment, payment_id)
    reference = payment.bank_reference.lower().replace("-", " ")
    content = (
        f"Date;Libellé;Montant;Devise\n20/10/2026;VIR UNIVERSITE MOTIF {reference};228,00;EUR\n"
    ).encode()
    login(congress["manager"])
    response = client.post(
        f"/organiser/events/{event.id}/payments/bank",
        data={"file": (io.BytesIO(content), "releve.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302)
    db.session.rollback()
    assert db.session.get(BookingPayment, payment_id).state == "paid"
    [invoice] = _invoices()
    assert invoice.payment_id == payment_id and invoice.number == "F-000001"
    assert invoice.content["payment_terms"] == "Payée par virement bancaire."


def test_a_card_webhook_issues_the_invoice_once(db, congress):
    payment_id = book(congress["event"].id, congress["rates"]["non_member"].id)
    reference = db.session.get(BookingPayment, payment_id).bank_reference
    event = PaymentEvent(
        provider="stripe",
        event_id="evt_1",
        kind=PaymentEventKind.PAID,
        booking_reference=reference,
        amount_cents=70800,
        currency="EUR",
        provider_payment_id="pi_1",
        occurred_at=datetime.now(UTC),
    )
    for _delivery in range(2):
        with write_transaction():
            payments.apply_event(event)
    [invoice] = _invoices()
    assert invoice.prepaid_cents == invoice.total_cents == 70800
    assert invoice.content["payment_terms"] == "Payée par carte."
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 1


def test_cancelling_a_paid_registration_gives_a_credit_note_for_what_is_refunded(
    client, db, congress
):
    from eventapp.models import BookingLine

    payment_id = book(congress["event"].id, congress["rates"]["academic"].id, people=2)
    with write_transaction():
        from eventapp.services.fees import actions

        payment = _db.session.get(BookingPayment, payment_id)
        actions.mark_received(
            payment, payment.total_cents, user=congress["manager"], source_key="1"
        )
    line = db.session.scalar(
        select(BookingLine)
        .where(BookingLine.payment_id == payment_id)
        .order_by(BookingLine.id.desc())
    )
    token = db.session.get(BookingPayment, payment_id).booking.manage_token
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/b/{token}/cancel/{line.registration_id}").status_code == 302
    db.session.rollback()
    [invoice] = _invoices()
    credit = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.corrects_id == invoice.id)
    )
    assert credit.kind == DocumentKind.CREDIT_NOTE and credit.total_cents == 22800
    assert [line["attendee"] for line in credit.content["lines"]] == ["Marie0-1 Curie"]


def test_cancelling_before_paying_an_invoiced_purchase_order_gives_a_credit_note(
    client, db, congress
):
    """An invoice issued against a purchase order is never changed: when one of its attendees
    cancels before the transfer arrives, a credit note takes their line off, and the booking
    owes only the rest."""
    from eventapp.models import BookingLine
    from eventapp.services.invoicing import issuing

    payment_id = book(congress["event"].id, congress["rates"]["academic"].id, people=2)
    with write_transaction():
        payment = _db.session.get(BookingPayment, payment_id)
        issuing.issue_invoice(payment, purchase_order="BC-2026-0118", user=congress["manager"])
    line = db.session.scalar(
        select(BookingLine)
        .where(BookingLine.payment_id == payment_id)
        .order_by(BookingLine.id.desc())
    )
    token = db.session.get(BookingPayment, payment_id).booking.manage_token
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/b/{token}/cancel/{line.registration_id}").status_code == 302
    db.session.rollback()
    [invoice] = _invoices()
    assert invoice.total_cents == 45600  # unchanged: 2 × 190 € + VAT
    credit = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.corrects_id == invoice.id)
    )
    assert credit.kind == DocumentKind.CREDIT_NOTE and credit.total_cents == 22800
    assert [line["attendee"] for line in credit.content["lines"]] == ["Marie0-1 Curie"]
    assert credit.number.endswith("2") and invoice.number.endswith("1")  # one sequence
    assert db.session.get(BookingPayment, payment_id).total_cents == 22800  # still owed
