"""The session door: check-in staff pick a session, scan or type tickets, or tick the names of
the people signed up; the counts update on every answer (the page reloads: no JS needed)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.extensions import db
from eventapp.models import Registration
from eventapp.organiser.forms import ActionForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.programme.blueprint import bp
from eventapp.programme.forms import DoorForm
from eventapp.programme.organiser import BASE, session_of
from eventapp.routing import parse_int
from eventapp.services import programme as svc

TAB = "organiser.checkin_desk"


@bp.get(BASE + "/doors")
@guard.event(Perm.CHECKIN)
def doors(event):
    sessions = [s for s in svc.published_sessions(event) if not s.published_cancelled]
    return render_event(
        "programme/door/doors.html",
        event,
        sessions=sessions,
        counts=svc.signup_counts([s.id for s in sessions]),
        current_tab=TAB,
    )


def _door_page(event, session, form, status=200, result=None):
    from eventapp.services.programme.attendance import expected_at

    counts = svc.signup_counts([session.id])[session.id]
    return render_event(
        "programme/door/door.html",
        event,
        status=status,
        session=session,
        form=form,
        tick_form=ActionForm(),
        counts=counts,
        expected=expected_at(session),
        result=result,
        current_tab=TAB,
    )


@bp.route(BASE + "/sessions/<id:session_id>/door", methods=["GET", "POST"])
@guard.event(Perm.CHECKIN)
def door(event, session_id):
    session = session_of(event, session_id)
    form = DoorForm()
    if form.validate_on_submit():
        with keep_form(form, lambda status: _door_page(event, session, form, status)):
            result = svc.admit_code(event, session, form.code.data, user=current_user)
        _flash(result)
        return redirect(url_for("programme.door", event_id=event.id, session_id=session.id))
    return _door_page(event, session, form, 400 if form.is_submitted() else 200)


@bp.post(BASE + "/sessions/<id:session_id>/door/tick")
@guard.event(Perm.CHECKIN)
def door_tick(event, session_id):
    session = session_of(event, session_id)
    back = url_for("programme.door", event_id=event.id, session_id=session.id)
    person_id = parse_int(request.form.get("registration_id"))
    registration = db.session.get(Registration, person_id) if person_id else None
    if not ActionForm().validate_on_submit() or registration is None:
        flash(_("Nothing to record: choose a person in the list."), "error")
        return redirect(back)

    with flash_and_redirect(back):
        result = svc.admit(event, session, registration, user=current_user)
    _flash(result)
    return redirect(back)


def _flash(result) -> None:
    name = result.registration.full_name
    if result.already:
        flash(_("%(name)s was already counted in.", name=name), "info")
    elif result.signed_up:
        flash(_("%(name)s: welcome, signed up.", name=name), "success")
    else:
        flash(_("%(name)s: welcome (not signed up, places left).", name=name), "success")
