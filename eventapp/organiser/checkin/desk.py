"""The check-in desk, for check-in staff and organisers (Perm.CHECKIN).

The desk page works without JavaScript (forms post, results come back on the page); with it,
static/js/checkin.js sends the same forms as JSON calls (X-CSRFToken header), searches as one
types, refreshes the counts, scans with the camera and queues scans while the network is down.
POST answers are JSON when the request asks for JSON (Accept: application/json), else a
redirect back to the desk page (the result is kept in the session for the next page).
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event, EventGrant, Registration, utcnow
from eventapp.organiser.blueprint import bp
from eventapp.organiser.checkin.forms import CodeForm, DeskForm, WalkInForm
from eventapp.organiser.checkin.results import (
    counts_payload,
    present,
    search_item,
    undo_payload,
    wants_json,
)
from eventapp.permissions import Perm, accessible_events_clause, guard
from eventapp.problems import keep_form
from eventapp.services import checkin as service
from eventapp.services.registrations import Participant

DESK_KEY = "checkin_desk"
RESULT_KEY = "checkin_result"


def _respond(event: Event, payload: dict, registration: Registration | None):
    if wants_json():
        return jsonify(payload)
    # Without JavaScript: show the result on the desk page after the redirect (only the state
    # and the id go in the signed session cookie, no personal data).
    session[RESULT_KEY] = {
        "state": payload["state"],
        "registration_id": registration.id if registration is not None else None,
    }
    return redirect(url_for("organiser.checkin_desk", event_id=event.id))


def _json_error(message: str, status: int):
    return jsonify(error={"code": status, "message": message}), status


def _no_desk(event: Event):
    message = _("Choose your desk name first.")
    if wants_json():
        return _json_error(message, 409)
    flash(message, "error")
    return redirect(url_for("organiser.checkin_desk", event_id=event.id))


def _result_from_session(event: Event) -> dict | None:
    """The result of the last no-JavaScript action, shown once on the desk page."""
    saved = session.pop(RESULT_KEY, None)
    if not isinstance(saved, dict):
        return None
    registration = None
    if saved.get("registration_id"):
        registration = db.session.get(Registration, saved["registration_id"])
        if registration is None:
            return None
    state = saved.get("state")
    if state in ("undone", "not_checked_in") and registration is not None:
        return undo_payload(event, registration, state == "undone")
    try:
        state = service.State(state)
    except ValueError:
        return None
    if state != service.State.UNKNOWN and registration is None:
        return None
    return present(event, service.Result(state, registration))


def _desk_page(event: Event, walk_in_form=None, status: int = 200):
    if event.is_tour:
        stages = list(
            db.session.scalars(
                select(Event)
                .where(
                    Event.parent_id == event.id,
                    accessible_events_clause(current_user, Perm.CHECKIN),
                )
                .order_by(Event.position, Event.starts_at)
            )
        )
        return render_template("organiser/checkin/tour.html", event=event, stages=stages)
    query = (request.args.get("q") or "").strip()[:100]
    results, more = service.search(event, query) if query else ([], False)
    desk = session.get(DESK_KEY)
    desk_form = DeskForm(data={"desk": desk or ""})
    return (
        render_template(
            "organiser/checkin/desk.html",
            event=event,
            title=event.title(current_language()),
            desk=desk,
            desk_form=desk_form,
            used_desks=service.used_desks(event),
            code_form=CodeForm(formdata=None),
            walk_in_form=walk_in_form or WalkInForm(formdata=None, language=current_language()),
            query=query,
            results=[search_item(event, r) for r in results],
            more=more,
            searched=bool(query),
            too_short=bool(query) and service.name_conditions(query) is None,
            result=_result_from_session(event) if walk_in_form is None else None,
            counts=counts_payload(event),
            poll_seconds=_poll_seconds(),
            access_days=_access_days(event),
        ),
        status,
    )


def _access_days(event: Event) -> str | None:
    """The days a personal dated grant opens this desk on (it ends by itself), if any."""
    from eventapp.organisations.services import grant_days

    user_id = getattr(current_user, "id", None)
    found = db.session.scalar(
        select(EventGrant)
        .where(
            EventGrant.user_id == user_id,
            EventGrant.event_id.in_([event.id, event.parent_id or event.id]),
            or_(EventGrant.valid_from.is_not(None), EventGrant.valid_until.is_not(None)),
        )
        .limit(1)
    )
    return grant_days(found) if found is not None else None


def _poll_seconds() -> int:
    return max(1, int(current_app.config.get("CHECKIN_POLL_SECONDS", 5)))


@bp.get("/events/<id:event_id>/checkin")
@guard.event(Perm.CHECKIN)
def checkin_desk(event):
    return _desk_page(event)


@bp.post("/events/<id:event_id>/checkin/desk")
@guard.event(Perm.CHECKIN)
def checkin_set_desk(event):
    form = DeskForm()
    if form.validate():
        session[DESK_KEY] = " ".join(form.desk.data.split())
    else:
        flash(
            _("Give a desk name (%(num)s characters at most).", num=service.DESK_MAX_LENGTH),
            "error",
        )
    return redirect(url_for("organiser.checkin_desk", event_id=event.id))


@bp.post("/events/<id:event_id>/checkin/scan")
@guard.event(Perm.CHECKIN)
def checkin_scan(event):
    """Check in the holder of a scanned or typed ticket code."""
    desk = session.get(DESK_KEY)
    if not desk:
        return _no_desk(event)
    form = CodeForm()
    if not form.validate():
        message = _("Enter or scan a ticket code.")
        if wants_json():
            return _json_error(message, 400)
        flash(message, "error")
        return redirect(url_for("organiser.checkin_desk", event_id=event.id))
    result = service.check_in_code(event, form.code.data, user=current_user, desk=desk)
    return _respond(event, present(event, result), result.registration)


@bp.post("/events/<id:event_id>/checkin/registrations/<id:registration_id>")
@guard.registration(Perm.CHECKIN)
def checkin_registration(event, registration):
    """Check in someone found by search."""
    desk = session.get(DESK_KEY)
    if not desk:
        return _no_desk(event)
    result = service.check_in(event, registration, user=current_user, desk=desk)
    return _respond(event, present(event, result), result.registration)


@bp.post("/events/<id:event_id>/checkin/registrations/<id:registration_id>/undo")
@guard.registration(Perm.CHECKIN)
def checkin_undo(event, registration):
    undone = service.undo(event, registration, user=current_user)
    return _respond(event, undo_payload(event, registration, undone), registration)


@bp.get("/events/<id:event_id>/checkin/search")
@guard.event(Perm.CHECKIN)
def checkin_search(event):
    """People matching a name or organisation (JSON for the desk's search-as-you-type)."""
    query = (request.args.get("q") or "").strip()[:100]
    results, more = service.search(event, query)
    return jsonify(
        query=query,
        results=[search_item(event, r) for r in results],
        more=more,
        message=(
            _("Type at least two letters.")
            if service.name_conditions(query) is None
            else ("" if results else _("Nobody matches “%(query)s”.", query=query))
        ),
    )


@bp.get("/events/<id:event_id>/checkin/counts")
@guard.event(Perm.CHECKIN)
def checkin_counts(event):
    response = jsonify(counts_payload(event))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/events/<id:event_id>/checkin/walk-in")
@guard.event(Perm.CHECKIN)
def checkin_walk_in(event):
    """Register someone at the desk and check them in, in one step."""
    desk = session.get(DESK_KEY)
    if not desk:
        return _no_desk(event)
    form = WalkInForm()
    if not form.validate():
        return _desk_page(event, form, 400)
    person = Participant(
        **form.person_data(),
        language=form.language.data,
        consent_at=utcnow(),
        consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )
    with keep_form(form, lambda status: _desk_page(event, form, status), form_errors=True):
        result = service.walk_in(
            event,
            person,
            user=current_user,
            desk=desk,
            override_capacity=bool(form.override_capacity.data),
        )
    return _respond(event, present(event, result), result.registration)
