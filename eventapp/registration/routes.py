"""Participant pages reached through the secret manage link (no account, no login)."""

from flask import abort, render_template
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Registration
from eventapp.registration import bp
from eventapp.services.registrations import waitlist_position


def registration_for_token(token: str) -> Registration:
    if not token or len(token) > 64:
        abort(404)
    registration = db.session.scalar(select(Registration).where(Registration.manage_token == token))
    if registration is None:
        abort(404)
    return registration


@bp.get("/r/<token>")
def manage(token: str):
    registration = registration_for_token(token)
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        position=waitlist_position(registration),
    )
