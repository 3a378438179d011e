"""The participant's programme, behind their manage link: sign up for workshops (or join their
waiting list), withdraw, star sessions, download "my programme" as .ics and, after the event,
their attendance certificate."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from eventapp.extensions import limiter
from eventapp.i18n import current_language
from eventapp.models import ProgrammeSession, Registration, SignupStatus
from eventapp.organiser.forms import ConfirmForm
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect
from eventapp.programme.blueprint import bp
from eventapp.registration.routes import _rate
from eventapp.routing import parse_int
from eventapp.services import programme as svc
from eventapp.services.b2b import availability as b2b_availability
from eventapp.services.b2b import ics as b2b_ics
from eventapp.services.calendar import ics_response
from eventapp.services.programme import calendars, certificates, signups
from eventapp.services.programme import offers as session_offers


def _published(registration: Registration, session_id: int) -> ProgrammeSession:
    session = svc.public_session_or_none(registration.event, session_id)
    if session is None:
        abort(404)
    return session


ACTIONS = ("signup", "withdraw", "star", "accept_offer", "decline_offer")


def _programme_page(registration: Registration, sessions, status: int = 200):
    event = registration.event
    return (
        render_template(
            "programme/participant/programme.html",
            registration=registration,
            event=event,
            title=event.title(current_language()),
            days=svc.days(sessions, published=True, all_rooms=svc.rooms(event)),
            signups={k: str(v) for k, v in svc.signups_of(registration).items()},
            offers=signups.offers_of(registration),
            stars=svc.stars_of(registration),
            counts=svc.signup_counts([s.id for s in sessions if s.seat_limit]),
            form=FlaskForm(),
            can_act=registration.is_live and not event.has_ended(),
            b2b_meetings=b2b_availability.meetings_for(registration),  # issue 18, read-only
        ),
        status,
    )


@bp.route("/r/<token>/programme", methods=["GET", "POST"])
@limiter.limit(_rate("MANAGE_RATE_LIMIT"), methods=["POST"])
@guard.manage_link
def my_programme(registration: Registration, token: str):
    """The programme with the participant's buttons; a POST carries `action` (sign up,
    withdraw, star) and `session_id`."""
    if request.method == "GET":
        return _programme_page(registration, svc.published_sessions(registration.event))
    session_id = parse_int(request.form.get("session_id"))
    action = request.form.get("action")
    if session_id is None or action not in ACTIONS:
        abort(400)
    session = _published(registration, session_id)
    back = url_for("programme.my_programme", token=token) + f"#session-{session.id}"
    if not registration.is_live:
        abort(409, _("This registration is cancelled: it can no longer be changed."))
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
        elif action == "accept_offer":
            session_offers.accept(registration, session)
            flash(_("You are signed up for “%(title)s”.", title=session.title(lang)), "success")
        elif action == "decline_offer":
            session_offers.decline(registration, session)
            flash(_("You have declined the place; it goes to the next person waiting."), "success")
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
    """The sessions the person signed up for or starred, and their B2B meetings once the
    schedule is published."""
    event = registration.event
    sessions = [s for s, status, _starred in svc.agenda(registration) if status != "waitlisted"]
    lang = registration.language or current_language()
    meetings = b2b_availability.meetings_for(registration, published_only=True)
    body = calendars.sessions_calendar(
        event, sessions, lang, name=event.title(lang), extra=b2b_ics.meeting_entries(meetings, lang)
    )
    return ics_response(body, f"{event.slug}-my-programme.ics")


@bp.get("/r/<token>/certificate.pdf")
@guard.manage_link
def my_certificate(registration: Registration, token: str):
    """The PDF once it exists; before (event not over, nothing attended) a page saying why."""
    reason = certificates.unavailable(registration)
    if reason is not None:
        return _no_certificate(
            registration, reason, back=url_for("registration.manage", token=token)
        )
    return _pdf_response(
        certificates.certificate_pdf(registration), certificates.filename(registration)
    )


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
    reason = certificates.unavailable(registration, require_ended=False)
    if reason is not None:
        back = url_for("organiser.attendee", event_id=event.id, registration_id=registration.id)
        return _no_certificate(registration, reason, back=back)
    pdf = certificates.certificate_pdf(registration, require_ended=False)
    return _pdf_response(pdf, certificates.filename(registration))


def _no_certificate(registration: Registration, reason: str, *, back: str):
    return render_template(
        "programme/participant/no_certificate.html",
        event=registration.event,
        title=registration.event.title(current_language()),
        reason=reason,
        back=back,
    )


@bp.post("/organiser/events/<id:event_id>/programme/certificates/send")
@guard.event(Perm.MAILINGS)
def send_certificates(event):
    """One mailing: every participant seen at a session gets the link to their certificate."""
    back = url_for("programme.timetable", event_id=event.id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the mailing."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        count = certificates.send_all(event, actor=current_user)
    flash(
        ngettext(
            "The certificate is e-mailed to %(num)s participant.",
            "The certificates are e-mailed to %(num)s participants.",
            count,
        ),
        "success",
    )
    return redirect(back)
