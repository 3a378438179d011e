"""Public, read-only: published events, tours with their stages, availability. No token."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from eventapp.api.v1 import paging, present, schemas
from eventapp.api.v1.core import blueprint
from eventapp.extensions import db
from eventapp.models import Event, EventKind, EventStatus
from eventapp.permissions import guard

bp = blueprint("public", "Published events, tours and their availability (no token needed).")
EventPage = paging.page_schema(schemas.EventOut, "PublicEventPage")


def published_event(event_id: int) -> Event:
    """A published (or once published: cancelled, closed) event, else 404: drafts are their
    organisers' only."""
    event = db.session.get(Event, event_id)
    if event is None or event.status == EventStatus.DRAFT:
        abort(404)
    return event


@bp.route("/public/events", methods=["GET"])
@guard.public
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, EventPage)
def public_events(**args):
    """Published events (tours and their stages too), in id order."""
    page = paging.by_id(select(Event).where(Event.status != EventStatus.DRAFT), Event.id, args)
    return {"items": [present.event(e) for e in page.items], "next_cursor": page.next_cursor}


@bp.route("/public/events/<id:event_id>", methods=["GET"])
@guard.public
@bp.response(200, schemas.EventOut)
def public_event(event_id):
    """One published event."""
    return present.event(published_event(event_id))


@bp.route("/public/events/<id:event_id>/availability", methods=["GET"])
@guard.public
@bp.response(200, schemas.Availability)
def public_availability(event_id):
    """Seats: capacity, confirmed, waiting list, free seats, whether registration is open."""
    return present.availability([published_event(event_id)])[0]


@bp.route("/public/tours/<id:event_id>", methods=["GET"])
@guard.public
@bp.response(200, schemas.TourOut)
def public_tour(event_id):
    """A tour with its published stages, in tour order."""
    tour = published_event(event_id)
    if tour.kind != EventKind.TOUR:
        abort(404)
    stages = db.session.scalars(
        select(Event)
        .where(Event.parent_id == tour.id, Event.status != EventStatus.DRAFT)
        .order_by(Event.position, Event.starts_at)
    )
    return {**present.event(tour), "stages": [present.event(s) for s in stages]}
