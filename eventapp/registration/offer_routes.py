"""Answering a waiting-list offer (services/offers): the e-mail's accept and decline links lead to
/r/<token>/offer/accept or /decline, a page that asks for a confirming click (a GET changes
nothing: mail scanners open links). The answer is taken under the event's lock; an offer that
has expired or been answered meanwhile is refused with its reason."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventapp.extensions import db, limiter
from eventapp.i18n import current_language
from eventapp.models import Booking, Registration, utcnow
from eventapp.permissions import guard
from eventapp.problems import flash_and_redirect
from eventapp.registration.blueprint import bp
from eventapp.registration.forms import OfferAnswerForm
from eventapp.services import offers


def _back(registration: Registration) -> str:
    """Where the person manages it: the booking's page when the offer's person is its booker
    (one link for everything), else the registration's own page."""
    booking = db.session.get(Booking, registration.booking_id)
    if booking is not None and booking.email and booking.email == registration.email:
        return url_for("registration.booking", token=booking.manage_token)
    return url_for("registration.manage", token=registration.manage_token)


@bp.route("/r/<token>/offer/accept", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MANAGE_RATE_LIMIT"], methods=["POST"])
@guard.manage_link
def offer_accept(registration: Registration, token: str):
    return _answer(registration, token, "accept")


@bp.route("/r/<token>/offer/decline", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MANAGE_RATE_LIMIT"], methods=["POST"])
@guard.manage_link
def offer_decline(registration: Registration, token: str):
    return _answer(registration, token, "decline")


def _answer(registration: Registration, token: str, answer: str):
    back = _back(registration)
    form = OfferAnswerForm()
    if request.method == "POST":
        if form.validate():
            with flash_and_redirect(back):
                if answer == "accept":
                    offers.accept(registration)
                else:
                    offers.decline(registration)
            flash(
                _("The place is yours: your registration is confirmed. The ticket is e-mailed.")
                if answer == "accept"
                else _("You have declined the place; it goes to the next person waiting."),
                "success",
            )
            return redirect(back)
        flash(_("Your session has expired. Please confirm again."), "error")
    open_offer = offers.has_open_offer(registration) and utcnow() < registration.offer_expires_at
    return (
        render_template(
            "registration/offer.html",
            registration=registration,
            event=registration.event,
            title=registration.event.title(current_language()),
            token=token,
            answer=answer,
            form=form,
            open_offer=open_offer,
            expired=registration.offered_at is not None and not open_offer,
            back_url=back,
        ),
        400 if request.method == "POST" else 200,
    )
