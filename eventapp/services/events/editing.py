"""Create and edit events, tours and their stages.

- Dates: an event ends after it starts; registration closes no later than the event ends and
  after it opens. A stage stretches its tour's dates to cover it.
- Capacity goes through services.registrations.change_capacity (never below the confirmed
  count; a rise promotes the waiting list in order, in the same transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from eventapp import events as domain_events
from eventapp.extensions import db
from eventapp.models import Event, EventKind, EventRegion, EventStatus, Organisation, User
from eventapp.services import audit
from eventapp.services import registrations as registration_service
from eventapp.services.events.data import DETAIL_FIELDS, TOP_LEVEL_KINDS, EventData
from eventapp.services.events.errors import EventError
from eventapp.services.events.organisers import (
    apply_organisers,
    check_keeps_access,
    desired_organisers,
    may_lead,
)
from eventapp.text import slugify as text_slug


def slugify(text: str) -> str:
    return text_slug(text, limit=100, default="evenement")


def unique_slug(title: str, starts_at: datetime) -> str:
    base = slugify(title)
    if str(starts_at.year) not in base:
        base = f"{base}-{starts_at.year}"
    taken = set(
        db.session.scalars(
            select(Event.slug).where((Event.slug == base) | Event.slug.like(f"{base}-%"))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _validate(data: EventData, user: User, *, is_tour: bool) -> None:
    if not data.title_fr.strip():
        raise EventError(EventError.Code.TITLE_REQUIRED, "title_fr")
    if data.ends_at <= data.starts_at:
        raise EventError(EventError.Code.ENDS_BEFORE_START, "ends_at")
    if not is_tour:
        opens, closes = data.registration_opens_at, data.registration_closes_at
        if closes is not None and closes > data.ends_at:
            raise EventError(EventError.Code.CLOSES_AFTER_END, "registration_closes_at")
        if opens is not None and closes is not None and closes <= opens:
            raise EventError(EventError.Code.CLOSES_BEFORE_OPENS, "registration_closes_at")
        if data.capacity is not None and data.capacity < 0:
            raise EventError(EventError.Code.NEGATIVE_CAPACITY, "capacity")
        if data.changes_until is not None and data.changes_until > data.ends_at:
            raise EventError(EventError.Code.CHANGES_AFTER_END, "changes_until")
    known = set(db.session.scalars(select(Organisation.id)))
    wanted = {data.lead_id, *data.co_organiser_ids, *data.partner_ids}
    if not wanted <= known:
        raise EventError(EventError.Code.UNKNOWN_ORGANISATION, "co_organiser_ids")


def _apply_regions(event: Event, data: EventData) -> None:
    wanted = set(data.regions)
    if data.region:
        wanted.add(data.region)
    current = set(
        db.session.scalars(select(EventRegion.region).where(EventRegion.event_id == event.id))
    )
    if wanted == current:
        return
    if current - wanted:
        db.session.execute(
            delete(EventRegion).where(
                EventRegion.event_id == event.id, EventRegion.region.in_(current - wanted)
            )
        )
    for region in sorted(wanted - current):
        db.session.add(EventRegion(event_id=event.id, region=region))


def _stretch_tour(stage: Event) -> None:
    if stage.parent_id is None:
        return
    tour = db.session.get(Event, stage.parent_id)
    if stage.starts_at < tour.starts_at:
        tour.starts_at = stage.starts_at
    if stage.ends_at > tour.ends_at:
        tour.ends_at = stage.ends_at


def _same_minute(old, new) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
    return False


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _detail_value(name: str, data, is_tour: bool):
    """A detail field as stored, the same on creation and edit: text stripped, empty texts as
    "" where the column is not nullable, no registration window on a tour itself."""
    value = _clean(getattr(data, name))
    if name in (
        "description_fr",
        "description_en",
        "title_en",
        "practical_info_fr",
        "practical_info_en",
    ):
        return value or ""
    if is_tour and (name.startswith("registration_") or name == "changes_until"):
        return None
    return value


def create_event(data: EventData, *, user: User, tour: Event | None = None) -> Event:
    """A new draft event (or, with `tour`, a new stage of that tour at the next position)."""
    kind = EventKind.STAGE if tour is not None else EventKind(data.kind)
    if tour is None and kind not in TOP_LEVEL_KINDS:
        raise EventError(EventError.Code.BAD_KIND, "kind")
    if tour is not None and (not tour.is_tour or tour.status == EventStatus.CANCELLED):
        raise EventError(EventError.Code.NOT_A_TOUR)
    is_tour = kind == EventKind.TOUR
    _validate(data, user, is_tour=is_tour)
    roles = desired_organisers(data)
    check_keeps_access(user, None if tour is None else tour.id, roles)
    if tour is None and not may_lead(user, data.lead_id):
        raise EventError(EventError.Code.NOT_YOUR_ORGANISATION, "lead_id")
    event = Event(
        slug=unique_slug(data.title_fr, data.starts_at),
        kind=kind,
        status=EventStatus.DRAFT,
        capacity=None if is_tour else data.capacity,
        **{name: _detail_value(name, data, is_tour) for name in DETAIL_FIELDS},
    )
    if tour is not None:
        event.parent_id = tour.id
        event.position = (
            db.session.scalar(select(func.max(Event.position)).where(Event.parent_id == tour.id))
            or 0
        ) + 1
    db.session.add(event)
    db.session.flush()
    apply_organisers(event, roles)
    _apply_regions(event, data)
    _stretch_tour(event)
    audit.record(
        "event.created",
        user=user,
        event_id=event.id,
        tour_id=tour.id if tour is not None else None,
    )
    if tour is not None:
        audit.record("stage.created", user=user, event_id=tour.id, stage_id=event.id)
    db.session.flush()
    domain_events.record(
        "event.created", event_id=event.id, tour_id=tour.id if tour is not None else None
    )
    return event


def update_event(event: Event, data: EventData, *, user: User) -> dict:
    """Apply an edit. Returns {"fields": [...changed], "promoted": [registrations]}.
    Raises EventError, or RegistrationError('below_confirmed') for a too-low capacity (nothing
    is changed then: the capacity is checked first)."""
    if event.status == EventStatus.CANCELLED:
        raise EventError(EventError.Code.CANCELLED)
    _validate(data, user, is_tour=event.is_tour)
    roles = desired_organisers(data)
    check_keeps_access(user, event.parent_id, roles)
    promoted = []
    changed = []
    if not event.is_tour and data.capacity != event.capacity:
        # First, so a refused capacity changes nothing else.
        promoted = registration_service.change_capacity(event, data.capacity, user=user)
        changed.append("capacity")
    for name in DETAIL_FIELDS:
        value = _detail_value(name, data, event.is_tour)
        if _same_minute(getattr(event, name), value):
            continue  # forms work to the minute: an unchanged field keeps its exact value
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed.append(name)
    if apply_organisers(event, roles):
        changed.append("organisers")
    _apply_regions(event, data)
    _stretch_tour(event)
    db.session.flush()
    fields_changed = [name for name in changed if name != "capacity"]
    if fields_changed:
        audit.record("event.updated", user=user, event_id=event.id, fields=sorted(fields_changed))
        domain_events.record("event.updated", event_id=event.id, fields=sorted(fields_changed))
    return {"fields": changed, "promoted": promoted}
