"""Issuing invoices, credit notes and quotes for bookings (issue 15).

Rules:
- The issuer is the organisation that sells: the event's lead organiser (the one whose IBAN
  the transfer instructions give, services/fees/bank.lead_organisation).
- An invoice is issued in the transaction of the payment that completes the booking (a card
  webhook, a matched bank line, an organiser's "received"): `on_payment(payment)`, called by
  services/fees/payments.py. Or earlier, by the organiser, against a purchase order
  (`issue_invoice(payment, purchase_order=…)`): it is then to be paid by transfer, and the
  payment that completes it issues nothing more. One invoice per booking payment.
- A refund produces a credit note for that amount, in the same sequence, referencing the
  invoice (`on_refund`, called by services/fees/actions.refund: the organiser's refunds and a
  participant's cancellation); a surplus refunded (an over-payment) credits nothing.
- A test booking (an event still in draft: its organisers trying their own form) never
  consumes a number.
- The document is checked (documents.validate) before a number is taken: incomplete legal
  details never leave a gap. A payment is never refused because its invoice cannot be made:
  `on_payment` records why (`invoice.blocked` in the audit log), and the organiser issues it
  from the invoices page once the organisation's profile is complete.
- Numbers are taken under the counter's lock (numbering.py), last, just before the insert.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import (
    Booking,
    BookingPayment,
    DocumentKind,
    Event,
    EventStatus,
    IssuedDocument,
    Organisation,
    PaymentMethod,
    PaymentState,
    PaymentTransaction,
    User,
)
from eventapp.services import audit
from eventapp.services.errors import ServiceError
from eventapp.services.invoicing import records
from eventapp.services.invoicing.amounts import compute_amounts
from eventapp.services.invoicing.documents import Document, InvoiceDataError, Line, validate
from eventapp.services.invoicing.documents import DocumentKind as EngineKind
from eventapp.services.invoicing.numbering import take_number

log = logging.getLogger(__name__)


class InvoiceError(ServiceError):
    kind = "invoice"

    class Code(StrEnum):
        INCOMPLETE = "incomplete"
        ALREADY_INVOICED = "already_invoiced"
        NOTHING_TO_INVOICE = "nothing_to_invoice"
        TEST_BOOKING = "test_booking"
        NO_ISSUER = "no_issuer"

    MESSAGES = {
        Code.INCOMPLETE: lambda info: _(
            "The document cannot be issued: %(problems)s", problems=info["problems"]
        ),
        Code.ALREADY_INVOICED: _l("This booking already has its invoice."),
        Code.NOTHING_TO_INVOICE: _l("This booking has nothing to invoice."),
        Code.TEST_BOOKING: _l("A booking of an event in draft is a test: it gets no document."),
        Code.NO_ISSUER: _l("The event has no organiser to issue the document."),
    }
    STATUS = {Code.INCOMPLETE: 422}


Code = InvoiceError.Code
INVOICED_STATES = frozenset({PaymentState.PAID})


def issuer_of(event: Event) -> Organisation | None:
    from eventapp.services.fees.bank import lead_organisation

    return lead_organisation(event)


def is_test_booking(event: Event) -> bool:
    return event.status == EventStatus.DRAFT


def invoice_of(payment_id: int) -> IssuedDocument | None:
    return db.session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.payment_id == payment_id,
            IssuedDocument.kind == DocumentKind.INVOICE,
        )
    )


def quote_of(payment_id: int) -> IssuedDocument | None:
    return db.session.scalar(
        select(IssuedDocument)
        .where(IssuedDocument.payment_id == payment_id, IssuedDocument.kind == DocumentKind.QUOTE)
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    )


def _language(booking: Booking) -> str:
    return "en" if (booking.language or "fr").startswith("en") else "fr"


def _service_dates(event: Event) -> tuple[dt.date, dt.date]:
    return records.paris_date(event.starts_at), records.paris_date(event.ends_at)


def _terms(payment: BookingPayment, kind: EngineKind, paid: bool, days: int) -> str:
    if kind == EngineKind.QUOTE:
        return _(
            "Payment by bank transfer within %(days)s days of the invoice, quoting the payment "
            "reference.",
            days=days,
        )
    if kind == EngineKind.CREDIT_NOTE:
        if payment.method == PaymentMethod.CARD:
            return _("Refunded to the card used for the payment.")
        return _("Refunded by bank transfer.")
    if paid:
        if payment.method == PaymentMethod.CARD:
            return _("Paid by card.")
        return _("Paid by bank transfer.")
    return _(
        "Payment by bank transfer within %(days)s days, quoting the payment reference.",
        days=days,
    )


def _store(
    document: Document,
    *,
    organisation: Organisation,
    payment: BookingPayment | None,
    booking: Booking,
    **links,
) -> IssuedDocument:
    """Validate, take the number (under the lock), store the snapshot."""
    validate(document)  # with a placeholder number: nothing taken if incomplete
    kind = DocumentKind(str(document.kind))
    sequence, number = take_number(organisation.id, kind)
    document = Document(**{**document.__dict__, "number": number})
    amounts = compute_amounts(document)
    record = IssuedDocument(
        organisation_id=organisation.id,
        kind=kind,
        series=kind.series,
        sequence_number=sequence,
        number=number,
        issue_date=document.issue_date,
        due_date=document.due_date,
        valid_until=document.valid_until,
        language=document.language,
        event_id=payment.event_id if payment else None,
        booking_id=booking.id,
        payment_id=payment.id if payment else None,
        buyer_name=document.buyer.name[:200],
        purchase_order=document.purchase_order,
        payment_reference=document.payment_reference,
        net_cents=records.cents(amounts.total_excl_vat),
        vat_cents=records.cents(amounts.total_vat),
        total_cents=records.cents(amounts.total_incl_vat),
        prepaid_cents=records.cents(amounts.prepaid),
        vat_breakdown=records.breakdown(amounts),
        content=records.to_content(document),
        **links,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _context(payment: BookingPayment):
    event = db.session.get(Event, payment.event_id)
    booking = db.session.get(Booking, payment.booking_id)
    if is_test_booking(event):
        raise InvoiceError(Code.TEST_BOOKING)
    organisation = issuer_of(event)
    if organisation is None:
        raise InvoiceError(Code.NO_ISSUER)
    return event, booking, organisation


def _incomplete(error: InvoiceDataError) -> InvoiceError:
    return InvoiceError(Code.INCOMPLETE, problems=" ".join(error.problems))


def build_invoice(
    payment: BookingPayment,
    *,
    purchase_order: str | None = None,
    issue_date: dt.date | None = None,
    kind: EngineKind = EngineKind.INVOICE,
) -> tuple[Document, Event, Booking, Organisation]:
    """The invoice (or quote) a payment would get now, numbered "?" (nothing stored)."""
    from eventapp.services.fees import pricing

    event, booking, organisation = _context(payment)
    language = _language(booking)
    billing = records.billing_of(booking.id)
    buyer, business, billing_po = records.buyer_of(booking, billing)
    issued = issue_date or records.today()
    days = pricing.settings_of(event).transfer_days
    start, end = _service_dates(event)
    with force_locale(language):
        lines = tuple(records.payment_lines(payment, event, language))
        draft = Document(
            kind=kind,
            number="?",
            issue_date=issued,
            seller=records.seller_of(organisation),
            buyer=buyer,
            lines=lines,
            language=language,
            buyer_is_business=business,
            purchase_order=(purchase_order or billing_po or None),
            payment_reference=payment.bank_reference,
            service_start=start,
            service_end=end if end != start else None,
            notes=(_("Booking %(reference)s", reference=booking.reference),),
        )
        total = compute_amounts(draft).total_incl_vat
        paid = Decimal(min(max(payment.paid_cents - payment.refunded_cents, 0), 10**12)).scaleb(-2)
        prepaid = min(paid, total) if kind == EngineKind.INVOICE else Decimal(0)
        fully_paid = kind == EngineKind.INVOICE and prepaid >= total
        quote_days = current_app.config.get("QUOTE_VALID_DAYS", 30)
        document = Document(
            **{
                **draft.__dict__,
                "prepaid": prepaid,
                "payment_terms": _terms(payment, kind, fully_paid, days),
                "due_date": None
                if kind == EngineKind.QUOTE
                else (issued if fully_paid else issued + dt.timedelta(days=days)),
                "valid_until": issued + dt.timedelta(days=quote_days)
                if kind == EngineKind.QUOTE
                else None,
            }
        )
    return document, event, booking, organisation


def issue_invoice(
    payment: BookingPayment,
    *,
    purchase_order: str | None = None,
    user: User | None = None,
    quote: IssuedDocument | None = None,
    issue_date: dt.date | None = None,
) -> IssuedDocument:
    """Issue the booking's invoice (once). Raises InvoiceError when it cannot be.
    `issue_date` (today by default) is for a backfill issuing in date order (the demo)."""
    if invoice_of(payment.id) is not None:
        raise InvoiceError(Code.ALREADY_INVOICED)
    if payment.total_cents <= 0 or payment.state in (
        PaymentState.AWAITING_APPROVAL,
        PaymentState.CANCELLED,
    ):
        raise InvoiceError(Code.NOTHING_TO_INVOICE)
    document, _event, booking, organisation = build_invoice(
        payment, purchase_order=purchase_order, issue_date=issue_date
    )
    if not document.lines:
        raise InvoiceError(Code.NOTHING_TO_INVOICE)
    quote = quote or quote_of(payment.id)
    try:
        record = _store(
            document,
            organisation=organisation,
            payment=payment,
            booking=booking,
            quote_id=quote.id if quote else None,
        )
    except InvoiceDataError as error:
        raise _incomplete(error) from error
    if record.prepaid_cents < record.total_cents and record.due_date is not None:
        _hold_until_due(payment, record.due_date)
    audit.record(
        "invoice.issued",
        user=user,
        actor=None if user else "system",
        event_id=payment.event_id,
        booking_id=booking.id,
        document_id=record.id,
        number=record.number,
        total_cents=record.total_cents,
    )
    return record


def _hold_until_due(payment: BookingPayment, due: dt.date) -> None:
    """An invoice to be paid by transfer (a purchase order): the booking's seats are held until
    the invoice's due date (the end of that day in Paris), not released at the booking's own
    deadline (services/fees/holds.py), under the payment's lock like every change to it."""
    from eventapp.services.fees.payments import lock

    lock(payment)
    end = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=records.PARIS)
    if payment.due_at is None or payment.due_at < end:
        payment.due_at = end
    db.session.flush()


def _blocked(payment: BookingPayment, error: InvoiceError, what: str) -> None:
    """A document the payment called for could not be issued (incomplete legal details…): the
    payment stands; the log and the audit say why, the organiser issues it from the list."""
    log.warning("%s of booking %s not issued: %s", what, payment.booking_id, error.code)
    audit.record(
        "invoice.blocked",
        actor="system",
        event_id=payment.event_id,
        booking_id=payment.booking_id,
        code=str(error.code),
    )


def on_payment(payment: BookingPayment) -> IssuedDocument | None:
    """The payment changed (services/fees/payments.record_payment): once it is paid in full,
    the booking gets its invoice, in this transaction. Never raises for the invoice's sake."""
    if payment.state not in INVOICED_STATES or payment.total_cents <= 0:
        return None
    if invoice_of(payment.id) is not None:
        return None
    try:
        return issue_invoice(payment)
    except InvoiceError as error:
        if error.code != Code.TEST_BOOKING:
            _blocked(payment, error, "invoice")
        return None


# --- credit notes --------------------------------------------------------------------------------

HUNDRED = Decimal(100)


def _vat_of(net_cents: int, rate: Decimal) -> int:
    return int((Decimal(net_cents) * rate / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def net_for_total(total_cents: int, rate: Decimal) -> int:
    """The net amount (cents) whose VAT at `rate` brings it to `total_cents`; when no net
    reaches it exactly (a VAT rounding step), the largest net below it."""
    guess = int((Decimal(total_cents) * HUNDRED / (HUNDRED + rate)).to_integral_value())
    best = None
    for net in range(max(guess - 3, 0), guess + 4):
        total = net + _vat_of(net, rate)
        if total == total_cents:
            return net
        if total < total_cents:
            best = net
    return best or 0


def _line_total(line: Line) -> int:
    net = records.cents(line.unit_price * line.quantity)
    return net + _vat_of(net, line.vat_rate)


def credit_lines(
    invoice: Document, amount_cents: int, total_cents: int, prefer: tuple[str, ...] = ()
) -> tuple[Line, ...]:
    """What a credit note of `amount_cents` (VAT included) credits of `invoice`: every line for
    the whole amount; one attendee's line when the amount is exactly that line (a cancelled
    registration refunded in full: the attendees in `prefer` first, the last cancelled first);
    otherwise a share of each VAT rate's lines, in proportion."""
    if amount_cents >= total_cents:
        return invoice.lines
    exact = [x for x in invoice.lines if x.quantity == 1 and _line_total(x) == amount_cents]
    for name in prefer:
        for line in exact:
            if line.attendee == name:
                return (line,)
    if exact:
        return (exact[0],)
    by_rate: dict[Decimal, int] = {}
    for line in invoice.lines:
        by_rate[line.vat_rate] = by_rate.get(line.vat_rate, 0) + _line_total(line)
    lines, left = [], amount_cents
    rates = sorted(by_rate, reverse=True)
    for index, rate in enumerate(rates):
        share = (
            left
            if index == len(rates) - 1
            else int(
                (Decimal(amount_cents) * by_rate[rate] / total_cents).quantize(
                    Decimal(1), rounding=ROUND_HALF_UP
                )
            )
        )
        left -= share
        net = net_for_total(share, rate)
        if net <= 0:
            continue
        lines.append(
            Line.from_cents(
                _("Partial refund of invoice %(number)s", number=invoice.number)
                + " — "
                + invoice.lines[0].description,
                net,
                rate,
            )
        )
    return tuple(lines)


def credited_cents(invoice_id: int) -> int:
    return (
        db.session.scalar(
            select(func.coalesce(func.sum(IssuedDocument.total_cents), 0)).where(
                IssuedDocument.corrects_id == invoice_id,
                IssuedDocument.kind == DocumentKind.CREDIT_NOTE,
            )
        )
        or 0
    )


def issue_credit_note(
    invoice: IssuedDocument,
    amount_cents: int,
    *,
    user: User | None = None,
    refund: PaymentTransaction | None = None,
    reason: str | None = None,
    issue_date: dt.date | None = None,
    prefer: tuple[str, ...] = (),
) -> IssuedDocument:
    """A credit note of `amount_cents` (VAT included, at most what the invoice still carries)
    correcting `invoice`, numbered in the invoice's sequence."""
    left = invoice.total_cents - credited_cents(invoice.id)
    amount_cents = min(amount_cents, left)
    if amount_cents <= 0:
        raise InvoiceError(Code.NOTHING_TO_INVOICE)
    payment = db.session.get(BookingPayment, invoice.payment_id) if invoice.payment_id else None
    booking = db.session.get(Booking, invoice.booking_id)
    organisation = db.session.get(Organisation, invoice.organisation_id)
    original = records.from_content(invoice.content)
    issued = issue_date or records.today()
    with force_locale(original.language):
        lines = credit_lines(original, amount_cents, invoice.total_cents, prefer)
        notes = [_("Booking %(reference)s", reference=booking.reference)] if booking else []
        if reason:
            notes.append(reason)
        document = Document(
            kind=EngineKind.CREDIT_NOTE,
            number="?",
            issue_date=issued,
            seller=records.seller_of(organisation),
            buyer=original.buyer,
            lines=lines,
            due_date=issued,
            language=original.language,
            buyer_is_business=original.buyer_is_business,
            purchase_order=original.purchase_order,
            payment_terms=_terms(payment, EngineKind.CREDIT_NOTE, False, 0)
            if payment
            else _("Refunded by bank transfer."),
            payment_reference=original.payment_reference,
            corrected_invoice_number=invoice.number,
            corrected_invoice_date=invoice.issue_date,
            notes=tuple(notes),
            service_start=original.service_start,
            service_end=original.service_end,
        )
    try:
        record = _store(
            document,
            organisation=organisation,
            payment=payment,
            booking=booking,
            corrects_id=invoice.id,
            refund_transaction_id=refund.id if refund else None,
        )
    except InvoiceDataError as error:
        raise _incomplete(error) from error
    audit.record(
        "invoice.credited",
        user=user,
        actor=None if user else "system",
        event_id=invoice.event_id,
        booking_id=invoice.booking_id,
        document_id=record.id,
        number=record.number,
        corrects=invoice.number,
        total_cents=record.total_cents,
    )
    return record


def _cancelled_names(payment: BookingPayment) -> tuple[str, ...]:
    """The booking's cancelled attendees for this event, the last cancelled first (a refund
    right after a cancellation is that attendee's)."""
    from eventapp.models import Registration, RegistrationStatus

    rows = db.session.execute(
        select(Registration.first_name, Registration.last_name)
        .where(
            Registration.booking_id == payment.booking_id,
            Registration.event_id == payment.event_id,
            Registration.status == RegistrationStatus.CANCELLED,
        )
        .order_by(Registration.cancelled_at.desc(), Registration.id.desc())
    ).all()
    return tuple(records.attendee_name(first, last) for first, last in rows)


def on_refund(payment: BookingPayment, refund: PaymentTransaction) -> IssuedDocument | None:
    """A refund was recorded (services/fees/actions.refund, or one made at the provider):
    credit the invoice for what it no longer covers. Never raises for the credit note's
    sake (recorded in the audit log, the organiser issues it from the invoices page)."""
    invoice = invoice_of(payment.id)
    if invoice is None:
        return None
    if payment.paid_cents < invoice.total_cents:
        return None  # a part payment given back: the invoice is still owed, nothing credited
    kept = max(payment.paid_cents - payment.refunded_cents, 0)
    owed_credit = max(invoice.total_cents - kept, 0) - credited_cents(invoice.id)
    amount = min(refund.amount_cents, owed_credit)
    if amount <= 0:
        return None  # a surplus (over-payment) refunded: the invoice stands
    try:
        return issue_credit_note(invoice, amount, refund=refund, prefer=_cancelled_names(payment))
    except InvoiceError as error:
        _blocked(payment, error, "credit note")
        return None


def on_line_cancelled(
    payment: BookingPayment, total_cents: int, attendee: str
) -> IssuedDocument | None:
    """An unpaid line left the booking (a participant cancelled before paying): if an invoice
    was already issued for it (a purchase order, paid by transfer later), a credit note takes
    that line off, since an issued invoice is never changed. Never raises for the credit
    note's sake (recorded in the audit log, the organiser issues it from the invoices page)."""
    invoice = invoice_of(payment.id)
    if invoice is None or total_cents <= 0:
        return None
    try:
        return issue_credit_note(
            invoice,
            total_cents,
            prefer=(attendee,),
            reason=_("Registration of %(name)s cancelled.", name=attendee),
        )
    except InvoiceError as error:
        _blocked(payment, error, "credit note")
        return None


# --- quotes ----------------------------------------------------------------------------------


def quote_for(payment: BookingPayment) -> IssuedDocument:
    """The booking's quote: the last one while it is valid and says what is owed now, else a
    new one (numbered in the quote sequence). Refused once the booking is invoiced."""
    if invoice_of(payment.id) is not None:
        raise InvoiceError(Code.ALREADY_INVOICED)
    if payment.total_cents <= 0 or payment.state not in (
        PaymentState.AWAITING_PAYMENT,
        PaymentState.PARTLY_PAID,
    ):
        raise InvoiceError(Code.NOTHING_TO_INVOICE)
    document, _event, booking, organisation = build_invoice(payment, kind=EngineKind.QUOTE)
    last = quote_of(payment.id)
    if last is not None and last.valid_until >= records.today():
        same = records.from_content(last.content)
        if same.lines == document.lines and same.buyer == document.buyer:
            return last
    try:
        record = _store(document, organisation=organisation, payment=payment, booking=booking)
    except InvoiceDataError as error:
        raise _incomplete(error) from error
    audit.record(
        "invoice.quoted",
        actor="participant",
        event_id=payment.event_id,
        booking_id=booking.id,
        document_id=record.id,
        number=record.number,
    )
    return record
