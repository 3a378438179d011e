"""The participant's payment page, reached through the booking's secret link: what is due (with
and without VAT), the status, pay by card (the provider's hosted page) or the transfer
instructions (IBAN, BIC, the booking's reference)."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from eventapp.database import read_first
from eventapp.extensions import db, limiter
from eventapp.fees.blueprint import bp
from eventapp.helpers import external_url
from eventapp.i18n import current_language
from eventapp.models import (
    Booking,
    BookingLine,
    Event,
    PaymentMethod,
    PaymentState,
    PriceCategory,
    Registration,
    Voucher,
)
from eventapp.organiser.forms import ActionForm
from eventapp.permissions import guard
from eventapp.problems import flash_and_redirect
from eventapp.services.fees import bank, cards, deadlines, holds
from eventapp.services.fees.checkout import payment_of


def _rate(name: str):
    return lambda: current_app.config[name]


def payment_context(booking: Booking) -> dict | None:
    """What the booking and payment pages show about the booking's payment (None: free)."""
    payment = payment_of(booking)
    if payment is None:
        return None
    lang = current_language()
    event = db.session.get(Event, payment.event_id)
    category = (
        db.session.get(PriceCategory, payment.price_category_id)
        if payment.price_category_id
        else None
    )
    voucher = db.session.get(Voucher, payment.voucher_id) if payment.voucher_id else None
    lines = list(
        db.session.scalars(
            db.select(BookingLine)
            .where(BookingLine.payment_id == payment.id)
            .order_by(BookingLine.id)
        )
    )
    names = dict(
        db.session.execute(
            db.select(
                Registration.id, Registration.first_name + " " + Registration.last_name
            ).where(Registration.booking_id == booking.id)
        ).all()
    )
    organisation = bank.lead_organisation(event)
    return {
        "payment": payment,
        "event_title": event.title(lang),
        "category_name": category.name(lang) if category else "",
        "includes": category.includes(lang) if category else "",
        "voucher_code": voucher.code if voucher else None,
        "lines": [{"line": line, "name": names.get(line.registration_id, "")} for line in lines],
        "vat_rates": sorted({line.vat_basis_points for line in lines}),
        "iban": organisation.iban if organisation else None,
        "holder": (organisation.legal_name or organisation.name) if organisation else "",
        # On the waiting list (no deadline yet) nothing is asked before a place is given.
        "payable": cards.payable(payment),
        # A card checkout holds the seats for minutes; the transfer would give them back
        # their days (services/fees/deadlines.py).
        "card_hold": cards.payable(payment) and payment.method == PaymentMethod.CARD,
        "transfer_due_at": deadlines.transfer_deadline(payment),
        "card": cards.enabled(),
    }


@bp.get("/b/<token>/pay")
@guard.booking_link
def pay(booking: Booking, token: str):
    context = payment_context(booking)
    if context is None:
        return redirect(url_for("registration.booking", token=token))
    response = make_response(
        render_template("fees/pay.html", booking=booking, token=token, form=ActionForm(), **context)
    )
    if context["card"] and context["payable"]:
        # The card button's POST is answered by a redirect to the provider's hosted page:
        # form-action must allow that origin (and only it) on this page.
        from eventapp.security import CSP

        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {cards.checkout_origin()}"
        )
    return response


@bp.post("/b/<token>/pay/card")
@read_first  # SQLite: no write lock while the provider is called (services/fees/cards.py)
@limiter.limit(_rate("MANAGE_RATE_LIMIT"))
@guard.booking_link
def pay_card(booking: Booking, token: str):
    payment = payment_of(booking)
    if payment is None:
        abort(404)
    back = url_for("fees.pay", token=token)
    if not ActionForm().validate():
        flash(_("Your session has expired. Please confirm again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        checkout = cards.start_checkout(
            payment,
            success_url=external_url("fees.pay_done", token=token),
            cancel_url=external_url("fees.pay", token=token),
            lang=current_language(),
        )
    return redirect(checkout.redirect_url, code=303)


@bp.post("/b/<token>/pay/transfer")
@limiter.limit(_rate("MANAGE_RATE_LIMIT"))
@guard.booking_link
def pay_transfer(booking: Booking, token: str):
    """The booker goes back to the bank transfer after a card checkout left unfinished: the
    seats are held until the transfer deadline again."""
    payment = payment_of(booking)
    if payment is None:
        abort(404)
    back = url_for("fees.pay", token=token)
    if not ActionForm().validate():
        flash(_("Your session has expired. Please confirm again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        holds.choose_transfer(payment)
    flash(_("Pay by bank transfer with the details below."), "success")
    return redirect(back)


@bp.get("/b/<token>/pay/done")
@guard.booking_link
def pay_done(booking: Booking, token: str):
    payment = payment_of(booking)
    if payment is not None and payment.state == PaymentState.PAID:
        flash(_("Thank you: your payment is received."), "success")
    else:
        flash(
            _("Thank you: your payment is being confirmed. This page will show it shortly."), "info"
        )
    return redirect(url_for("fees.pay", token=token))
