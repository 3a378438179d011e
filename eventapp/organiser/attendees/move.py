"""Move a person to another event the organiser manages (the target's seat rule; the freed
seat goes to the first waitlisted person of this event)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event, EventKind, EventStatus, RegistrationStatus, utcnow
from eventapp.organiser.attendees.forms import MoveForm
from eventapp.organiser.attendees.links import back_url
from eventapp.organiser.blueprint import bp
from eventapp.permissions import Perm, accessible_events_clause, guard
from eventapp.problems import flash_and_redirect
from eventapp.services import registrations as registration_service


def move_form(event: Event, formdata=None) -> MoveForm:
    """The events this organiser may move a person to: the ones they manage that still take
    people (not tours, not cancelled, not over), the same tour's stages first."""
    lang = current_language()
    targets = db.session.scalars(
        select(Event)
        .where(
            accessible_events_clause(current_user, Perm.ATTENDEES_EDIT),
            Event.id != event.id,
            Event.kind != EventKind.TOUR,
            Event.status != EventStatus.CANCELLED,
            Event.ends_at > utcnow(),
        )
        .order_by((Event.parent_id == event.parent_id).desc(), Event.starts_at, Event.id)
        .limit(200)
    )
    form = MoveForm(formdata=formdata)
    form.target.choices = [(e.id, e.title(lang)) for e in targets]
    return form


@bp.post("/events/<id:event_id>/attendees/<id:registration_id>/move")
@guard.registration(Perm.ATTENDEES_EDIT)
def attendee_move(event, registration):
    """Move a person to another event the organiser manages (seat rule of the target; the
    freed seat goes to the first waitlisted person of this event)."""
    form = move_form(event, request.form)
    if not form.validate():
        flash(_("Choose the event to move this person to."), "error")
        return redirect(back_url(event, registration))
    target = guard.event_or_404(current_user, Perm.ATTENDEES_EDIT, form.target.data)
    with flash_and_redirect(back_url(event, registration)):
        outcome, promoted = registration_service.move(
            registration,
            target,
            user=current_user,
            override_capacity=form.override_capacity.data,
            notify=form.notify.data,
        )
    lang = current_language()
    if outcome.status == RegistrationStatus.CONFIRMED:
        message = _(
            "%(name)s is moved to %(event)s (confirmed).",
            name=registration.full_name,
            event=target.title(lang),
        )
    else:
        message = _(
            "%(name)s is moved to %(event)s, on the waiting list (that event is full).",
            name=registration.full_name,
            event=target.title(lang),
        )
    if promoted:
        message += " " + ngettext(
            "%(num)s person on the waiting list there was offered the place.",
            "%(num)s people on the waiting list there were offered the place.",
            len(promoted),
        )
    flash(message, "success" if outcome.status == RegistrationStatus.CONFIRMED else "warning")
    return redirect(
        url_for("organiser.attendee", event_id=target.id, registration_id=outcome.registration.id)
    )
