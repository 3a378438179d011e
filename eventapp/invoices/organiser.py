"""The organisation's invoices (its managers: Perm.ORG_INVOICES): the documents it issued,
filtered by period, status and event and paginated in SQL; a PDF; re-send one to its booker
(outbox); the period's accounting export (CSV, XLSX) and a ZIP of the PDFs, streamed; the
bookings to invoice (a quote to turn into an invoice against a purchase order, or a paid
booking whose invoice waited for the organisation's legal details)."""

from __future__ import annotations

import datetime as dt

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.helpers import external_url
from eventapp.i18n import current_language
from eventapp.invoices.blueprint import bp
from eventapp.invoices.forms import PurchaseOrderForm
from eventapp.invoices.participant import pdf_response
from eventapp.models import (
    Booking,
    BookingPayment,
    DocumentKind,
    Event,
    EventOrganiser,
    EventStatus,
    IssuedDocument,
    OrganiserRole,
    PaymentState,
)
from eventapp.organiser.forms import ActionForm
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect
from eventapp.routing import int_arg, page_arg
from eventapp.services import audit, mail
from eventapp.services.invoicing import exports, issuing

PER_PAGE = 50
STATUSES = ("all", "paid", "unpaid", "credit_notes", "quotes")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


def _filters(organisation) -> dict:
    status = request.args.get("status", "all")
    return {
        "start": _date_arg("from"),
        "end": _date_arg("to"),
        "status": status if status in STATUSES else "all",
        "event_id": int_arg("event"),
    }


def _args(filters: dict) -> dict:
    return {
        key: value
        for key, value in {
            "from": filters["start"].isoformat() if filters["start"] else None,
            "to": filters["end"].isoformat() if filters["end"] else None,
            "status": filters["status"] if filters["status"] != "all" else None,
            "event": filters["event_id"],
        }.items()
        if value
    }


def _events(organisation) -> list[tuple[int, str]]:
    lang = current_language()
    found = db.session.scalars(
        select(Event)
        .where(
            Event.id.in_(
                select(IssuedDocument.event_id).where(
                    IssuedDocument.organisation_id == organisation.id
                )
            )
        )
        .order_by(Event.starts_at.desc())
    ).all()
    titles = exports.EventTitles(lang)
    return [(event.id, titles[event.id]) for event in found]


def _to_invoice(organisation) -> list:
    """Bookings of the events it leads with nothing invoiced yet: awaiting payment after a
    quote or with a purchase order, or paid (their invoice waited)."""
    from eventapp.models import BillingDetails

    led = (
        select(EventOrganiser.event_id)
        .join(Event, Event.id == EventOrganiser.event_id)
        .where(
            EventOrganiser.organisation_id == organisation.id,
            EventOrganiser.role == OrganiserRole.LEAD,
            Event.status != EventStatus.DRAFT,  # test bookings get no invoice
        )
    )
    invoiced = select(IssuedDocument.payment_id).where(
        IssuedDocument.kind == DocumentKind.INVOICE, IssuedDocument.payment_id.is_not(None)
    )
    quoted = select(IssuedDocument.payment_id).where(IssuedDocument.kind == DocumentKind.QUOTE)
    with_po = select(BillingDetails.booking_id).where(BillingDetails.purchase_order.is_not(None))
    return db.session.execute(
        select(
            BookingPayment, Booking.reference, BillingDetails.name, BillingDetails.purchase_order
        )
        .join(Booking, Booking.id == BookingPayment.booking_id)
        .outerjoin(BillingDetails, BillingDetails.booking_id == Booking.id)
        .where(
            BookingPayment.event_id.in_(led),
            BookingPayment.id.not_in(invoiced),
            BookingPayment.total_cents > 0,
            (
                BookingPayment.state.in_([PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID])
                & (BookingPayment.id.in_(quoted) | BookingPayment.booking_id.in_(with_po))
            )
            | (BookingPayment.state == PaymentState.PAID),
        )
        .order_by(BookingPayment.id)
        .limit(100)
    ).all()


@bp.get("/organiser/o/<id:org_id>/invoices")
@guard.organisation(Perm.ORG_INVOICES)
def documents(organisation):
    filters = _filters(organisation)
    query = exports.documents_query(organisation.id, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = page_arg(pages=pages)
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "invoices/list.html",
        organisation=organisation,
        rows=rows,
        event_titles=exports.EventTitles(current_language()),
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=_args(filters),
        statuses=STATUSES,
        events=_events(organisation),
        to_invoice=_to_invoice(organisation),
        action_form=ActionForm(),
        po_form=PurchaseOrderForm(),
        lang=current_language(),
    )


def _document(organisation, document_id: int) -> IssuedDocument:
    record = db.session.get(IssuedDocument, document_id)
    if record is None or record.organisation_id != organisation.id:
        abort(404)
    return record


@bp.get("/organiser/o/<id:org_id>/invoices/<id:document_id>.pdf")
@guard.organisation(Perm.ORG_INVOICES)
def document_pdf(organisation, document_id: int):
    return pdf_response(_document(organisation, document_id))


@bp.post("/organiser/o/<id:org_id>/invoices/<id:document_id>/send")
@guard.organisation(Perm.ORG_INVOICES)
def resend(organisation, document_id: int):
    record = _document(organisation, document_id)
    back = url_for("invoices.documents", org_id=organisation.id)
    if not ActionForm().validate():
        flash(_("Your session has expired. Please confirm again."), "error")
        return redirect(back)
    booking = db.session.get(Booking, record.booking_id) if record.booking_id else None
    if booking is None or not booking.email:
        flash(_("This document's booker has no e-mail address any more."), "error")
        return redirect(back)
    queue_document_mail(record, booking)
    audit.record(
        "invoice.sent",
        user=current_user,
        event_id=record.event_id,
        booking_id=booking.id,
        document_id=record.id,
    )
    flash(
        _(
            "%(document)s %(number)s will be e-mailed to its booker.",
            document=record.kind.label,
            number=record.number,
        ),
        "success",
    )
    return redirect(back)


def queue_document_mail(record: IssuedDocument, booking: Booking) -> None:
    from flask_babel import force_locale

    with force_locale(record.language):
        kind = DocumentKind(record.kind).label
        subject = _("%(document)s %(number)s", document=kind, number=record.number)
        body = _(
            "Hello,\n\nPlease find attached %(document)s %(number)s for your booking "
            "%(reference)s.\n\nYour booking: %(url)s\n",
            document=kind.lower() if record.language == "fr" else kind,
            number=record.number,
            reference=booking.reference,
            url=external_url("registration.booking", token=booking.manage_token),
        )
    mail.enqueue(
        kind="invoice.document",
        recipient=booking.email,
        subject=subject,
        body_text=body,
        event_id=record.event_id,
        references=[{"ref": "issued_document", "document_id": record.id}],
    )


@mail.attachment_reference("issued_document")
def _attach(item: dict) -> list[tuple[str, str, bytes]]:
    from eventapp.services.invoicing.records import render

    record = db.session.get(IssuedDocument, item["document_id"])
    return [(record.file_name, "application/pdf", render(record))] if record else []


@bp.post("/organiser/o/<id:org_id>/invoices/issue/<id:payment_id>")
@guard.organisation(Perm.ORG_INVOICES)
def issue(organisation, payment_id: int):
    """Issue the invoice of a booking of an event the organisation leads (against a purchase
    order: to be paid by transfer; or a paid booking whose invoice waited)."""
    payment = db.session.get(BookingPayment, payment_id)
    event = db.session.get(Event, payment.event_id) if payment else None
    issuer = issuing.issuer_of(event) if event else None
    if issuer is None or issuer.id != organisation.id:
        abort(404)
    back = url_for("invoices.documents", org_id=organisation.id)
    form = PurchaseOrderForm()
    if not form.validate():
        flash(
            " ".join(m for messages in form.errors.values() for m in messages)
            or _("Your session has expired. Please confirm again."),
            "error",
        )
        return redirect(back)
    with flash_and_redirect(back):
        record = issuing.issue_invoice(
            payment, purchase_order=form.purchase_order.data or None, user=current_user
        )
    booking = db.session.get(Booking, payment.booking_id)
    if booking.email:
        queue_document_mail(record, booking)
    flash(
        _("Invoice %(number)s is issued and e-mailed to the booker.", number=record.number),
        "success",
    )
    return redirect(back)


def _export_query(organisation):
    filters = _filters(organisation)
    if filters["status"] in ("all", "quotes"):
        filters["status"] = "accounting"  # the accounting export: invoices and credit notes
    return exports.documents_query(organisation.id, **filters), filters


def _file_name(organisation, filters: dict, extension: str) -> str:
    period = "-".join(
        d.strftime("%Y%m%d") for d in (filters["start"], filters["end"]) if d is not None
    )
    return f"invoices-{organisation.slug}{'-' + period if period else ''}.{extension}"


@bp.get("/organiser/o/<id:org_id>/invoices/export.<any(csv, xlsx, zip):format>")
@guard.organisation(Perm.ORG_INVOICES)
def export(organisation, format: str):
    query, filters = _export_query(organisation)
    lang = current_language()
    audit.record(
        "invoice.exported",
        user=current_user,
        organisation_id=organisation.id,
        format=format,
        start=filters["start"].isoformat() if filters["start"] else None,
        end=filters["end"].isoformat() if filters["end"] else None,
    )
    if format == "csv":
        body, mimetype = exports.csv_stream(query, lang), "text/csv; charset=utf-8"
    elif format == "xlsx":
        body, mimetype = exports.xlsx_stream(query, lang, _("Invoices")), XLSX
    else:
        body, mimetype = exports.zip_stream(query), "application/zip"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name(organisation, filters, format)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
