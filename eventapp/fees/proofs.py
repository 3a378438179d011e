"""A checked rate's proof (a student card...), served only to the event's organisers with the
payments permission and to the booking's own link, never from static/: the bytes are in the
database (booking_payment.proof_data), cleared with the booking's personal data."""

from __future__ import annotations

from flask import Response, abort, redirect, url_for
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.fees.blueprint import bp
from eventapp.models import Booking, BookingPayment
from eventapp.permissions import Perm, guard
from eventapp.services.fees.checkout import payment_of


def proof_response(payment: BookingPayment | None) -> Response:
    if payment is None or not payment.proof_name:
        abort(404)
    data = db.session.scalar(
        select(BookingPayment.proof_data).where(BookingPayment.id == payment.id)
    )
    if data is None:
        abort(404)
    response = Response(data, mimetype=payment.proof_type or "application/octet-stream")
    safe = payment.proof_name.replace('"', "")
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/organiser/events/<id:event_id>/payments/<id:payment_id>/proof")
@guard.event(Perm.PAYMENTS)
def payment_proof(event, payment_id: int):
    payment = db.session.get(BookingPayment, payment_id)
    if payment is None or payment.event_id != event.id:
        abort(404)
    return proof_response(payment)


@bp.get("/b/<token>/pay/proof")
@guard.booking_link
def booking_proof(booking: Booking, token: str):
    payment = payment_of(booking)
    if payment is None or not payment.proof_name:
        return redirect(url_for("registration.booking", token=token))  # nothing sent
    return proof_response(payment)
