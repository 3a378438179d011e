"""Check-in (token scope checkin:write): check a person in by registration id or ticket
code, and undo it, through services/checkin.py (once per person, whichever desk is first)."""

from __future__ import annotations

from flask import abort

from eventapp.api.v1 import present, schemas
from eventapp.api.v1.core import blueprint
from eventapp.api.v1.idempotency import DOC as IDEMPOTENCY
from eventapp.api.v1.idempotency import idempotent
from eventapp.extensions import db
from eventapp.models import Registration
from eventapp.permissions import Perm, guard
from eventapp.permissions.guard import current_actor
from eventapp.services import checkin as checkin_service

bp = blueprint("checkin", "Check-in and its undo (token scope checkin:write).")
TOKEN = [{"token": []}]


@bp.route("/events/<id:event_id>/checkins", methods=["POST"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.event(Perm.CHECKIN)
@bp.arguments(schemas.CheckinIn, arg_name="body")
@bp.response(200, schemas.CheckinOut)
def checkin_create(body, event):
    """Check a person in. `state` says what happened: checked_in, or why not (already,
    cancelled, waitlisted, other_event, unknown...)."""
    user = current_actor().user
    if "ticket_code" in body:
        result = checkin_service.check_in_code(
            event, body["ticket_code"], user=user, desk=body["desk"]
        )
    else:
        registration = db.session.get(Registration, body["registration_id"])
        if registration is None or registration.event_id != event.id:
            abort(404)
        result = checkin_service.check_in(event, registration, user=user, desk=body["desk"])
    person = result.registration
    visible = person is not None and person.event_id == event.id
    return {
        "state": str(result.state),
        "admitted": result.admitted,
        "attendee": present.attendee(person) if visible else None,
    }


@bp.route("/events/<id:event_id>/checkins/<id:registration_id>", methods=["DELETE"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.registration(Perm.CHECKIN)
@bp.response(200, schemas.CheckinOut)
def checkin_undo(event, registration):
    """Undo a check-in made by mistake (`state`: undone, or not_checked_in)."""
    undone = checkin_service.undo(event, registration, user=current_actor().user)
    return {
        "state": "undone" if undone else "not_checked_in",
        "admitted": False,
        "attendee": present.attendee(registration),
    }
