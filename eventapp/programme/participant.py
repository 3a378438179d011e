"""The participant's programme, behind their manage link: sign up for workshops (or join their
waiting list), withdraw, star sessions, download "my programme" as .ics and, after the event,
their attendance certificate."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from eventapp.extensions import limiter
from eventapp.i18n import current_language
from eventapp.models import ProgrammeSession, Registration, SignupStatus
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect
from eventapp.programme.blueprint import bp
from eventapp.registration.routes import _rate
from eventapp.services import programme as svc
from eventapp.services.calendar import ics_response
from eventapp.services.programme import calendars, certificates


def _published(registration: Registration, session_id: int) -> ProgrammeSession:
    session = svc.public_session_or_none(registration.event, session_id)
    if session is None:
        abort(404)
    return session


@bp.get("/r/<token>/programme")
@guard.manage_link
def my_programme(registration: Registration, token: str):
    event = registration.event
    sessions = svc.published_sessions(event)
    if not sessions:
        abort(404)
    return render_template(
        "programme/participant/programme.html",
        registration=registration,
        event=event,
        title=event.title(current_language()),
        days=svc.days(sessions, published=True, all_rooms=svc.rooms(event)),
        signups={k: str(v) for k, v in svc.signups_of(registration).items()},
        stars=svc.stars_of(registration),
        counts=svc.signup_counts([s.id for s in sessions if s.seat_limit]),
        form=FlaskForm(),
        can_act=registration.is_live and not event.has_ended(),
    )


@bp.post("/r/<token>/programme/<id:session_id>/<any(signup, withdraw, star):action>")
@limiter.limit(_rate("MANAGE_RATE_LIMIT"))
@guard.manage_link
def my_programme_action(registration: Registration, token: str, session_id: int, action: str):
    session = _published(registration, session_id)
    back = url_for("programme.my_programme", token=token) + f"#session-{session.id}"
    if not FlaskForm().validate_on_submit():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(back)
    if registration.event.has_ended():
        abort(409, _("This event is over: the registration can no longer be changed."))
    lang = registration.language or current_language()
    with flash_and_redirect(back):
        if action == "signup":
            signup = svc.sign_up(registration, session)
            if signup.status == SignupStatus.CONFIRMED:
                flash(_("You are signed up for “%(title)s”.", title=session.title(lang)), "success")
            else:
                flash(
                    _(
                        "“%(title)s” is full: you are on its waiting list and will be e-mailed "
                        "if a place frees up.",
                        title=session.title(lang),
                    ),
                    "info",
                )
        elif action == "withdraw":
            svc.withdraw(registration, session)
            flash(_("Your place in “%(title)s” is freed.", title=session.title(lang)), "success")
        else:
            starred = svc.toggle_star(registration, session)
            flash(
                _("“%(title)s” is in your programme.", title=session.title(lang))
                if starred
                else _("“%(title)s” is no longer starred.", title=session.title(lang)),
                "success",
            )
    return redirect(back)


@bp.get("/r/<token>/programme.ics")
@guard.manage_link
def my_programme_ics(registration: Registration, token: str):
    event = registration.event
    sessions = [s for s, status, _starred in svc.agenda(registration) if status != "waitlisted"]
    lang = registration.language or current_language()
    body = calendars.sessions_calendar(event, sessions, lang, name=event.title(lang))
    return ics_response(body, f"{event.slug}-my-programme.ics")


@bp.get("/r/<token>/certificate.pdf")
@guard.manage_link
def my_certificate(registration: Registration, token: str):
    pdf = certificates.certificate_pdf(registration)
    return _pdf_response(pdf, certificates.filename(registration))


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/organiser/events/<id:event_id>/attendees/<id:registration_id>/certificate.pdf")
@guard.registration(Perm.ATTENDEES_VIEW)
def attendee_certificate(event, registration):
    """The organiser downloads a participant's certificate (before the end too: a correction)."""
    pdf = certificates.certificate_pdf(registration, require_ended=False)
    return _pdf_response(pdf, certificates.filename(registration))
