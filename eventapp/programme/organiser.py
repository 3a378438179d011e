"""The organiser's programme: the draft timetable per day (rooms as columns) with its conflict
warnings, session create/edit/cancel, and publishing. Forms only: no JavaScript needed."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import ProgrammeSession
from eventapp.organiser.forms import ActionForm, ConfirmForm, to_local
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.programme.blueprint import bp
from eventapp.programme.forms import SessionForm
from eventapp.services import programme as svc
from eventapp.services.programme import answers as workshop_answers

BASE = "/organiser/events/<id:event_id>/programme"


def session_of(event, session_id: int) -> ProgrammeSession:
    found = db.session.get(
        ProgrammeSession, session_id, options=[selectinload(ProgrammeSession.speakers)]
    )
    if found is None or found.event_id != event.id:
        abort(404)
    return found


@bp.get(BASE)
@guard.event(Perm.EVENT_VIEW)
def timetable(event):
    sessions = svc.draft_sessions(event)
    rooms = svc.rooms(event)
    conflicts = svc.find_conflicts(event, sessions)
    flagged = {i for c in conflicts for i in c.session_ids}
    return render_event(
        "programme/organiser/timetable.html",
        event,
        days=svc.days(sessions, published=False, all_rooms=rooms),
        conflicts=conflicts,
        flagged=flagged,
        counts=svc.signup_counts([s.id for s in sessions]),
        pending=sum(1 for s in sessions if s.has_draft_changes),
        state=svc.state_of(event),
        publish_form=ActionForm(),
        certificates_form=ConfirmForm(),
        has_rooms=bool(rooms),
    )


def _session_form(event, **kwargs) -> SessionForm:
    return SessionForm(
        rooms=svc.rooms(event),
        tracks=svc.tracks(event),
        speakers=svc.speakers(event),
        options=workshop_answers.option_choices(event),
        **kwargs,
    )


def _session_page(event, form, session, status):
    return render_event(
        "programme/organiser/session_form.html",
        event,
        status=status,
        form=form,
        session=session,
        action_form=ActionForm(),
        current_tab="programme.timetable",
    )


@bp.route(BASE + "/sessions/new", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def session_new(event):
    form = _session_form(event)
    if not form.is_submitted():
        # The event's first hour, as a starting point.
        form.starts_at.data = to_local(event.starts_at)
        form.ends_at.data = to_local(min(event.ends_at, event.starts_at + timedelta(hours=1)))
    if form.validate_on_submit():
        with keep_form(form, lambda status: _session_page(event, form, None, status)):
            session = svc.save_session(
                event, form.to_data(), speaker_ids=form.speakers.data or [], actor=current_user
            )
            workshop_answers.link(event, session, form.signup_option.data)
        flash(_("Session “%(title)s” added to the draft.", title=session.title_fr), "success")
        return redirect(url_for("programme.timetable", event_id=event.id))
    return _session_page(event, form, None, 400 if form.is_submitted() else 200)


@bp.route(BASE + "/sessions/<id:session_id>", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def session_edit(event, session_id):
    session = session_of(event, session_id)
    form = _session_form(event)
    if not form.is_submitted():
        for name in ("kind", "title_fr", "title_en", "description_fr", "description_en"):
            getattr(form, name).data = getattr(session, name)
        form.starts_at.data = to_local(session.starts_at)
        form.ends_at.data = to_local(session.ends_at)
        form.room_id.data = session.room_id
        form.track_id.data = session.track_id
        form.seat_limit.data = session.seat_limit
        form.speakers.data = [s.id for s in session.speakers]
        linked = workshop_answers.option_of(session.id)
        form.signup_option.data = linked[0].id if linked else None
    if form.validate_on_submit():
        with keep_form(form, lambda status: _session_page(event, form, session, status)):
            svc.save_session(
                event,
                form.to_data(),
                session,
                speaker_ids=form.speakers.data or [],
                actor=current_user,
            )
            workshop_answers.link(event, session, form.signup_option.data)
        flash(_("Session saved in the draft."), "success")
        return redirect(url_for("programme.timetable", event_id=event.id))
    return _session_page(event, form, session, 400 if form.is_submitted() else 200)


@bp.post(BASE + "/sessions/<id:session_id>/<any(cancel, restore, delete):action>")
@guard.event(Perm.EVENT_SETTINGS)
def session_action(event, session_id, action):
    session = session_of(event, session_id)
    form = ActionForm()
    back = url_for("programme.session_edit", event_id=event.id, session_id=session.id)
    if not form.validate_on_submit():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(back)
    if action == "delete":
        if not svc.delete_session(event, session, actor=current_user):
            flash(_("A published session is cancelled, not deleted."), "error")
            return redirect(back)
        flash(_("Session deleted."), "success")
        return redirect(url_for("programme.timetable", event_id=event.id))
    svc.set_cancelled(event, session, action == "cancel", actor=current_user)
    flash(
        _("Session cancelled in the draft: publish to tell the participants.")
        if action == "cancel"
        else _("Session restored in the draft."),
        "success",
    )
    return redirect(back)


@bp.post(BASE + "/publish")
@guard.event(Perm.EVENT_SETTINGS)
def publish(event):
    back = url_for("programme.timetable", event_id=event.id)
    if not ActionForm().validate_on_submit():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        result = svc.publish(event, actor=current_user)
    message = _("Programme published.")
    if result["notified"]:
        message += " " + ngettext(
            "%(num)s participant is e-mailed the changes.",
            "%(num)s participants are e-mailed the changes.",
            result["notified"],
        )
    flash(message, "success")
    return redirect(back)
