"""Organiser: attendees. The list with the attendee list's filters (status, category, answers,
check-in) and `modified_since`; register, correct, cancel and move a person through the same
services as the organiser pages (services/registrations.py: the same seat rule, the same
locks, the same e-mails and audit lines)."""

from __future__ import annotations

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.api.v1 import answering, paging, present, schemas
from eventapp.api.v1.core import blueprint
from eventapp.api.v1.idempotency import DOC as IDEMPOTENCY
from eventapp.api.v1.idempotency import idempotent
from eventapp.models import EventStatus, Registration, RegistrationSource, utcnow
from eventapp.organiser.attendees.query import AttendeeFilter, _conditions
from eventapp.permissions import Perm, guard
from eventapp.permissions.guard import current_actor, event_or_404
from eventapp.services import registrations as registration_service
from eventapp.services.registrations import Participant

bp = blueprint("attendees", "Attendees (token scopes attendees:read, attendees:write).")
TOKEN = [{"token": []}]
AttendeePage = paging.page_schema(schemas.AttendeeOut, "AttendeePage")


class AttendeeListArgs(paging.SyncArgs, schemas.AttendeeArgs):
    pass


@bp.route("/events/<id:event_id>/attendees", methods=["GET"])
@bp.doc(security=TOKEN)
@guard.tour(Perm.ATTENDEES_VIEW)
@bp.arguments(AttendeeListArgs, location="query", as_kwargs=True)
@bp.response(200, AttendeePage)
def attendee_list(event, scope, **args):
    """The event's attendees (a tour's: those of its stages the token may read), by
    modification time: keep the last `updated_at` and ask again with `modified_since`."""
    flt = AttendeeFilter.from_dict(
        {name: args.get(name) for name in ("status", "category", "checked_in", "answer")}
    )
    if args.get("status") == "all":
        flt.status = "all"
    event_ids = [e.id for e in scope] or [event.id]
    statement = select(Registration).where(*_conditions(event_ids, flt))
    page = paging.by_modification(statement, Registration.updated_at, Registration.id, args)
    return {"items": present.attendees(page.items), "next_cursor": page.next_cursor}


@bp.route("/events/<id:event_id>/attendees", methods=["POST"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.event(Perm.ATTENDEES_EDIT)
@bp.arguments(schemas.AttendeeIn, arg_name="body")
@bp.response(201, schemas.AttendeeOut)
@bp.alt_response(200, schema=schemas.AttendeeOut, description="Already registered")
def attendee_create(body, event):
    """Register a person (the seat rule decides confirmed or waiting list; over capacity only
    with `override_capacity`), with their `answers` to the event's questions (validated as the
    organiser's form does; an option whose places are taken is a 409). An e-mail already
    registered creates nothing: 200 with the existing registration, answers unchanged."""
    if event.is_tour:
        abort(404)
    if event.status == EventStatus.CANCELLED:
        abort(409, _("This event is cancelled."))
    notify = body.pop("notify")
    override = body.pop("override_capacity")
    sent = body.pop("answers")
    submitted = answering.validated(event, None, sent) if sent else []
    person = Participant(
        **body,
        consent_at=utcnow(),
        consent_version=f"api:{current_app.config['PRIVACY_NOTICE_VERSION']}",
    )
    [outcome] = registration_service.register(
        [event],
        person,
        source=RegistrationSource.ORGANISER,
        user=current_actor().user,
        override_capacity=override,
        notify=notify,
    )
    if outcome.created and submitted:
        answering.save(outcome.registration, submitted, user=current_actor().user)
    return present.attendee(outcome.registration), 201 if outcome.created else 200


@bp.route("/events/<id:event_id>/attendees/<id:registration_id>", methods=["GET"])
@bp.doc(security=TOKEN)
@guard.registration(Perm.ATTENDEES_VIEW)
@bp.response(200, schemas.AttendeeOut)
def attendee_read(event, registration):
    """One attendee, with their answers."""
    return present.attendee(registration)


@bp.route("/events/<id:event_id>/attendees/<id:registration_id>", methods=["PATCH"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.registration(Perm.ATTENDEES_EDIT)
@bp.arguments(schemas.AttendeePatch, arg_name="body")
@bp.response(200, schemas.AttendeeOut)
def attendee_update(body, event, registration):
    """Correct a person's name, organisation, job title, category or region, and their
    `answers` (those sent; the others are kept). Answers are validated as the organiser's form
    does; an option whose places are taken is a 409."""
    if registration.anonymised_at is not None:
        abort(409, _("This registration was anonymised."))
    sent = body.pop("answers", None)
    submitted = answering.validated(registration.event, registration, sent) if sent else []
    user = current_actor().user
    registration_service.update_details(registration, body, user=user)
    if submitted:
        answering.save(registration, submitted, user=user)
    return present.attendee(registration)


@bp.route("/events/<id:event_id>/attendees/<id:registration_id>/cancel", methods=["POST"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.registration(Perm.ATTENDEES_EDIT)
@bp.arguments(schemas.CancelIn, arg_name="body", required=False)
@bp.response(200, schemas.AttendeeOut)
def attendee_cancel(body, event, registration):
    """Cancel a registration (the freed seat goes to the waiting list). Twice is a no-op."""
    registration_service.cancel(
        registration, user=current_actor().user, notify=(body or {}).get("notify", True)
    )
    return present.attendee(registration)


@bp.route("/events/<id:event_id>/attendees/<id:registration_id>/move", methods=["POST"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.registration(Perm.ATTENDEES_EDIT)
@bp.arguments(schemas.MoveIn, arg_name="body")
@bp.response(200, schemas.MoveOut)
def attendee_move(body, event, registration):
    """Move a person to another event the token may edit (the target's seat rule applies)."""
    target = event_or_404(current_actor(), Perm.ATTENDEES_EDIT, body["to_event_id"])
    if target.is_tour:
        abort(404)
    outcome, _promoted = registration_service.move(
        registration,
        target,
        user=current_actor().user,
        override_capacity=body["override_capacity"],
        notify=body["notify"],
    )
    return {"moved_to": present.attendee(outcome.registration)}
