"""The booker's side, reached through the booking's secret link (/b/<token>): the billing
details (changed until the invoice is issued), a quote to download before paying, and the
booking's invoices and credit notes as PDFs."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db, limiter
from eventapp.invoices.blueprint import bp
from eventapp.invoices.forms import BillingForm
from eventapp.models import Booking, DocumentKind, IssuedDocument, PaymentState
from eventapp.organiser.forms import ActionForm
from eventapp.permissions import guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.services.fees.checkout import payment_of
from eventapp.services.invoicing import billing as billing_service
from eventapp.services.invoicing import issuing, records

QUOTABLE = (PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID)


def _rate(name: str):
    return lambda: current_app.config[name]


def panel(booking: Booking) -> dict | None:
    """What the booking page shows about invoicing (None for a free booking)."""
    payment = payment_of(booking)
    if payment is None:
        return None
    documents = list(
        db.session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.booking_id == booking.id)
            .order_by(IssuedDocument.id)
        )
    )
    invoiced = any(d.kind == DocumentKind.INVOICE for d in documents)
    return {
        "billing": records.billing_of(booking.id),
        "documents": documents,
        "editable": not invoiced,
        "quotable": not invoiced and payment.state in QUOTABLE and payment.total_cents > 0,
        "action_form": ActionForm(),
    }


def _page(booking: Booking, token: str, form: BillingForm, status: int = 200):
    return (
        render_template("invoices/billing.html", booking=booking, token=token, form=form),
        status,
    )


@bp.route("/b/<token>/billing", methods=["GET", "POST"])
@limiter.limit(_rate("MANAGE_RATE_LIMIT"), methods=["POST"])
@guard.booking_link
def billing(booking: Booking, token: str):
    payment = payment_of(booking)
    back = url_for("registration.booking", token=token)
    if payment is None:  # a free booking: no invoice
        return redirect(back)
    if issuing.invoice_of(payment.id) is not None:
        flash(_("Your invoice is issued: its details can no longer be changed."), "info")
        return redirect(back)
    form = BillingForm()
    current = records.billing_of(booking.id)
    if not form.is_submitted() and current is not None:
        form.fill_from(current)
    if form.is_submitted():
        if not form.validate():
            return _page(booking, token, form, 400)
        with keep_form(form, lambda status: _page(booking, token, form, status)):
            changed = billing_service.save(booking, form.details(), payment=payment)
        if changed:
            flash(_("Your invoice details are saved."), "success")
        else:
            flash(_("Nothing to change: your invoice details were already up to date."), "info")
        return redirect(back)
    return _page(booking, token, form)


@bp.post("/b/<token>/quote")
@limiter.limit(_rate("MANAGE_RATE_LIMIT"))
@guard.booking_link
def quote(booking: Booking, token: str):
    """Issue (or give again, while valid and unchanged) the booking's quote, then download it."""
    payment = payment_of(booking)
    if payment is None:
        abort(404)
    back = url_for("registration.booking", token=token)
    if not ActionForm().validate():
        flash(_("Your session has expired. Please confirm again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        record = issuing.quote_for(payment)
    return redirect(url_for("invoices.booking_document", token=token, document_id=record.id))


@bp.get("/b/<token>/documents/<id:document_id>.pdf")
@guard.booking_link
def booking_document(booking: Booking, token: str, document_id: int):
    record = db.session.get(IssuedDocument, document_id)
    if record is None or record.booking_id != booking.id:
        abort(404)
    return pdf_response(record)


def pdf_response(record: IssuedDocument):
    response = make_response(records.render(record))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{record.file_name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
