"""The e-mails of a booking's payment: approval granted or refused, a reminder before the
deadline. Queued in the outbox (sent by a worker after the commit, never in the request)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Booking, BookingPayment, Event, Registration
from eventapp.services import mail as mail_service

KINDS = ("approved", "refused", "reminder")


def notify(payment: BookingPayment, kind: str):
    from eventapp.helpers import external_url
    from eventapp.services.fees.formatting import money

    booking = db.session.get(Booking, payment.booking_id)
    if booking is None or not booking.email:
        return None
    event = db.session.get(Event, payment.event_id)
    anchor = db.session.scalar(
        select(Registration).where(Registration.booking_id == booking.id).limit(1)
    )
    lang = booking.language or "fr"
    with force_locale(lang):
        title = event.title(lang)
        subjects = {
            "approved": _("Your rate is confirmed: %(event)s", event=title),
            "refused": _("Your rate could not be granted: %(event)s", event=title),
            "reminder": _("Payment reminder: %(event)s", event=title),
        }
        body = render_template(
            "mail/payment_notice.txt",
            kind=kind,
            title=title,
            payment=payment,
            booking=booking,
            due=money(payment.due_cents),
            pay_url=external_url("fees.pay", token=booking.manage_token),
        )
    return mail_service.enqueue(
        kind=f"payment.{kind}",
        recipient=booking.email,
        subject=subjects[kind],
        body_text=body,
        event_id=event.id,
        registration=anchor,
    )
