"""Organiser: events (read, create, update, publish), through the services of the organiser
pages (services/events) and their rules."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.api.v1 import paging, present, schemas
from eventapp.api.v1.core import blueprint
from eventapp.api.v1.idempotency import DOC as IDEMPOTENCY
from eventapp.api.v1.idempotency import idempotent
from eventapp.extensions import db
from eventapp.models import Event, EventRegion, EventStatus
from eventapp.permissions import Perm, accessible_events_clause, guard
from eventapp.permissions.guard import current_actor
from eventapp.services import events as event_service
from eventapp.services.events.data import EventData

bp = blueprint("events", "The organisation's events (token scopes events:read, events:write).")
TOKEN = [{"token": []}]
EventPage = paging.page_schema(schemas.EventOut, "EventPage")


@bp.route("/events", methods=["GET"])
@bp.doc(security=TOKEN)
@guard.signed_in
@bp.arguments(paging.SyncArgs, location="query", as_kwargs=True)
@bp.response(200, EventPage)
def event_list(**args):
    """The events the token may read, by modification time (`modified_since` for sync)."""
    statement = select(Event).where(accessible_events_clause(current_actor(), Perm.EVENT_VIEW))
    page = paging.by_modification(statement, Event.updated_at, Event.id, args)
    return {"items": [present.event(e) for e in page.items], "next_cursor": page.next_cursor}


@bp.route("/events", methods=["POST"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.organisations(Perm.EVENT_CREATE)
@bp.arguments(schemas.EventIn, arg_name="body")
@bp.response(201, schemas.EventOut)
def event_create(body, organisations):
    """A new draft event led by the token's organisation."""
    actor = current_actor()
    lead = organisations[0]
    data = EventData(lead_id=lead.id, **body)
    event = event_service.create_event(data, user=actor.user)
    return present.event(event)


@bp.route("/events/<id:event_id>", methods=["GET"])
@bp.doc(security=TOKEN)
@guard.event(Perm.EVENT_VIEW)
@bp.response(200, schemas.EventOut)
def event_read(event):
    """One event."""
    return present.event(event)


def _data_of(event: Event) -> EventData:
    roles = event_service.organiser_roles(event)
    lead = next((org for org, role in roles.items() if role == "lead"), None)
    return EventData(
        kind=str(event.kind),
        title_fr=event.title_fr,
        title_en=event.title_en,
        description_fr=event.description_fr,
        description_en=event.description_en,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        address=event.address,
        city=event.city,
        region=str(event.region) if event.region else None,
        regions=[
            str(region)
            for region in db.session.scalars(
                select(EventRegion.region).where(EventRegion.event_id == event.id)
            )
            if region != event.region
        ],
        online_url=event.online_url,
        capacity=event.capacity,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        contact_email=event.contact_email,
        offer_hours=event.offer_hours,
        reminder_hours=event.reminder_hours,
        lead_id=lead,
        co_organiser_ids=[o for o, r in roles.items() if r == "co_organiser"],
        partner_ids=[o for o, r in roles.items() if r == "partner"],
    )


@bp.route("/events/<id:event_id>", methods=["PATCH"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.event(Perm.EVENT_SETTINGS)
@bp.arguments(schemas.EventPatch, arg_name="body")
@bp.response(200, schemas.EventOut)
def event_update(body, event):
    """Change some of an event's details (the seat rule applies to a new capacity)."""
    if event.status == EventStatus.CANCELLED:
        abort(409, _("This event is cancelled: it can no longer be changed."))
    data = _data_of(event)
    for name, value in body.items():
        setattr(data, name, value)
    event_service.update_event(event, data, user=current_actor().user)
    db.session.flush()
    return present.event(event)


@bp.route("/events/<id:event_id>/publish", methods=["POST"])
@bp.doc(security=TOKEN, **IDEMPOTENCY)
@idempotent
@guard.event(Perm.EVENT_SETTINGS)
@bp.response(200, schemas.EventOut)
def event_publish(event):
    """Publish a draft event (a stage needs its tour published first)."""
    event_service.publish(event, user=current_actor().user)
    return present.event(event)
