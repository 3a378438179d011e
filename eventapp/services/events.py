"""Event rules: create and edit events, tours and their stages, organisers, publish, unpublish
and cancel.

- Dates: an event ends after it starts; registration closes no later than the event ends and
  after it opens. A stage stretches its tour's dates to cover it.
- Organisers: a manager creates events for an organisation they manage (it is the lead) and may
  add any organisation as co-organiser or partner; nobody but an admin can edit themselves out
  of an event.
- Capacity goes through services.registrations.change_capacity (never below the confirmed
  count; a rise promotes the waiting list in order, in the same transaction).
- Unpublishing is refused while people are registered (cancel the event instead); cancelling
  e-mails every live registrant through the outbox; cancelling a tour cancels its stages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select

from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventKind,
    EventOrganiser,
    EventRegion,
    EventStatus,
    Membership,
    MembershipRole,
    Organisation,
    OrganiserRole,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.services import audit
from eventapp.services import mail as mail_service
from eventapp.services import registrations as registration_service

TOP_LEVEL_KINDS = (
    EventKind.CONGRESS,
    EventKind.WORKSHOP,
    EventKind.WEBINAR,
    EventKind.MEETING,
    EventKind.TOUR,
)
DETAIL_FIELDS = (
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "city",
    "region",
    "online_url",
    "registration_opens_at",
    "registration_closes_at",
)


class EventError(Exception):
    """An event rule was not met. `code` says which, `field` which form field it concerns."""

    def __init__(self, code: str, field: str | None = None, **info):
        super().__init__(code)
        self.code = code
        self.field = field
        self.info = info


@dataclass
class EventData:
    title_fr: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    lead_id: int
    kind: str = EventKind.CONGRESS
    description_fr: str = ""
    description_en: str = ""
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    regions: list[str] = field(default_factory=list)
    online_url: str | None = None
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    co_organiser_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)


# --- helpers --------------------------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100] or "evenement"


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


def lead_organisations(user: User) -> list[Organisation]:
    """Organisations `user` may create events for: those they manage (admins: all)."""
    query = select(Organisation).order_by(Organisation.name)
    if not user.is_admin:
        query = query.join(Membership).where(
            Membership.user_id == user.id, Membership.role == MembershipRole.MANAGER
        )
    return list(db.session.scalars(query))


def live_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status != "cancelled")
    )


def organiser_roles(event: Event) -> dict[int, OrganiserRole]:
    rows = db.session.execute(
        select(EventOrganiser.organisation_id, EventOrganiser.role).where(
            EventOrganiser.event_id == event.id
        )
    )
    return {org_id: OrganiserRole(role) for org_id, role in rows}


def _managed_org_ids(user: User) -> set[int]:
    return {m.organisation_id for m in user.memberships if m.role == MembershipRole.MANAGER}


def _validate(data: EventData, user: User, *, is_tour: bool) -> None:
    if not data.title_fr.strip():
        raise EventError("title_required", "title_fr")
    if data.ends_at <= data.starts_at:
        raise EventError("ends_before_start", "ends_at")
    if not is_tour:
        opens, closes = data.registration_opens_at, data.registration_closes_at
        if closes is not None and closes > data.ends_at:
            raise EventError("closes_after_end", "registration_closes_at")
        if opens is not None and closes is not None and closes <= opens:
            raise EventError("closes_before_opens", "registration_closes_at")
        if data.capacity is not None and data.capacity < 0:
            raise EventError("negative_capacity", "capacity")
    known = set(db.session.scalars(select(Organisation.id)))
    wanted = {data.lead_id, *data.co_organiser_ids, *data.partner_ids}
    if not wanted <= known:
        raise EventError("unknown_organisation", "co_organiser_ids")


def _desired_organisers(data: EventData) -> dict[int, OrganiserRole]:
    roles = {data.lead_id: OrganiserRole.LEAD}
    for org_id in data.co_organiser_ids:
        roles.setdefault(org_id, OrganiserRole.CO_ORGANISER)
    for org_id in data.partner_ids:
        roles.setdefault(org_id, OrganiserRole.PARTNER)
    return roles


def _check_keeps_access(user: User, tour_id: int | None, roles: dict[int, OrganiserRole]) -> None:
    """Managers cannot create an event they would not see, nor edit themselves out of one (a
    stage stays visible to the managers of its tour)."""
    if user.is_admin:
        return
    managed = _managed_org_ids(user)
    if managed & set(roles):
        return
    if tour_id is not None:
        tour_orgs = set(organiser_roles(db.session.get(Event, tour_id)))
        if managed & tour_orgs:
            return
    raise EventError("would_lose_access", "lead_id")


def _apply_organisers(event: Event, roles: dict[int, OrganiserRole]) -> bool:
    current = {
        link.organisation_id: link
        for link in db.session.scalars(
            select(EventOrganiser).where(EventOrganiser.event_id == event.id)
        )
    }
    order = sorted(roles, key=lambda org_id: (roles[org_id] != OrganiserRole.LEAD, org_id))
    changed = False
    for org_id, link in current.items():
        if org_id not in roles:
            db.session.delete(link)
            changed = True
    for position, org_id in enumerate(order):
        link = current.get(org_id)
        if link is None:
            db.session.add(
                EventOrganiser(
                    event_id=event.id, organisation_id=org_id, role=roles[org_id], position=position
                )
            )
            changed = True
        elif link.role != roles[org_id] or link.position != position:
            changed = changed or link.role != roles[org_id]
            link.role, link.position = roles[org_id], position
    return changed


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
    if name in ("description_fr", "description_en", "title_en"):
        return value or ""
    if is_tour and name.startswith("registration_"):
        return None
    return value


# --- create and edit ------------------------------------------------------------------------


def create_event(data: EventData, *, user: User, tour: Event | None = None) -> Event:
    """A new draft event (or, with `tour`, a new stage of that tour at the next position)."""
    kind = EventKind.STAGE if tour is not None else EventKind(data.kind)
    if tour is None and kind not in TOP_LEVEL_KINDS:
        raise EventError("bad_kind", "kind")
    if tour is not None and (not tour.is_tour or tour.status == EventStatus.CANCELLED):
        raise EventError("not_a_tour")
    is_tour = kind == EventKind.TOUR
    _validate(data, user, is_tour=is_tour)
    roles = _desired_organisers(data)
    _check_keeps_access(user, None if tour is None else tour.id, roles)
    if not user.is_admin and data.lead_id not in _managed_org_ids(user) and tour is None:
        raise EventError("not_your_organisation", "lead_id")
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
    _apply_organisers(event, roles)
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
    return event


def update_event(event: Event, data: EventData, *, user: User) -> dict:
    """Apply an edit. Returns {"fields": [...changed], "promoted": [registrations]}.
    Raises EventError, or RegistrationError('below_confirmed') for a too-low capacity (nothing
    is changed then: the capacity is checked first)."""
    if event.status == EventStatus.CANCELLED:
        raise EventError("cancelled")
    _validate(data, user, is_tour=event.is_tour)
    roles = _desired_organisers(data)
    _check_keeps_access(user, event.parent_id, roles)
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
    if _apply_organisers(event, roles):
        changed.append("organisers")
    _apply_regions(event, data)
    _stretch_tour(event)
    db.session.flush()
    fields_changed = [name for name in changed if name != "capacity"]
    if fields_changed:
        audit.record("event.updated", user=user, event_id=event.id, fields=sorted(fields_changed))
    return {"fields": changed, "promoted": promoted}


# --- status ---------------------------------------------------------------------------------


def publish(event: Event, *, user: User) -> None:
    """Draft -> published. A stage needs its tour published first."""
    if event.status != EventStatus.DRAFT:
        raise EventError("not_draft")
    if event.parent_id is not None:
        tour = db.session.get(Event, event.parent_id)
        if tour.status != EventStatus.PUBLISHED:
            raise EventError("tour_not_published")
    event.status = EventStatus.PUBLISHED
    audit.record("event.published", user=user, event_id=event.id)
    db.session.flush()


def unpublish(event: Event, *, user: User) -> None:
    """Published -> draft, only while nobody is registered (afterwards, cancel instead). A tour
    with published stages stays published."""
    if event.status != EventStatus.PUBLISHED:
        raise EventError("not_published")
    if event.is_tour:
        published_stages = db.session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.parent_id == event.id, Event.status == EventStatus.PUBLISHED)
        )
        if published_stages:
            raise EventError("tour_has_published_stages", count=published_stages)
    else:
        registered = live_count(event)
        if registered:
            raise EventError("has_registrations", count=registered)
    event.status = EventStatus.DRAFT
    audit.record("event.unpublished", user=user, event_id=event.id)
    db.session.flush()


def cancellation_summary(event: Event) -> dict:
    """What cancelling would do: the events concerned (a tour and its live stages) and how many
    people would be e-mailed."""
    events = [event]
    if event.is_tour:
        events += list(
            db.session.scalars(
                select(Event)
                .where(Event.parent_id == event.id, Event.status != EventStatus.CANCELLED)
                .order_by(Event.position)
            )
        )
    ids = [e.id for e in events]
    recipients = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id.in_(ids),
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.email.is_not(None),
        )
    )
    return {"events": events, "recipients": int(recipients)}


def cancel_event(event: Event, *, user: User, notify: bool = True) -> int:
    """Cancel an event (a tour: with its stages) and e-mail every live registrant through the
    outbox, in this transaction. Registrations keep their status, so the record of who was
    registered stays. Returns the number of e-mails queued."""
    if event.status == EventStatus.CANCELLED:
        raise EventError("already_cancelled")
    summary = cancellation_summary(event)
    now = utcnow()
    queued = 0
    for target in summary["events"]:
        lock_event_row(target.id)
        target.status = EventStatus.CANCELLED
        target.cancelled_at = now
        db.session.flush()
        sent = 0
        if notify:
            ids = list(
                db.session.scalars(
                    select(Registration.id)
                    .where(
                        Registration.event_id == target.id,
                        Registration.status != RegistrationStatus.CANCELLED,
                        Registration.email.is_not(None),
                    )
                    .order_by(Registration.id)
                )
            )
            for start in range(0, len(ids), 500):
                chunk = db.session.scalars(
                    select(Registration).where(Registration.id.in_(ids[start : start + 500]))
                ).all()
                for registration in chunk:
                    if mail_service.notify_registration(registration, "event_cancelled"):
                        sent += 1
        queued += sent
        audit.record("event.cancelled", user=user, event_id=target.id, notified=sent)
    db.session.flush()
    return queued
