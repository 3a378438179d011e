"""An event's status: publish, unpublish, cancel.

Unpublishing is refused while people are registered (cancel the event instead); cancelling
e-mails every live registrant through the outbox; cancelling a tour cancels its stages.
"""

from __future__ import annotations

from sqlalchemy import func, select

from eventapp import events as domain_events
from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import Event, EventStatus, Registration, RegistrationStatus, User, utcnow
from eventapp.services import audit
from eventapp.services import mail as mail_service
from eventapp.services.events.errors import EventError


def live_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status != "cancelled")
    )


def publish(event: Event, *, user: User) -> None:
    """Draft -> published. A stage needs its tour published first."""
    if event.status != EventStatus.DRAFT:
        raise EventError(EventError.Code.NOT_DRAFT)
    if event.parent_id is not None:
        tour = db.session.get(Event, event.parent_id)
        if tour.status != EventStatus.PUBLISHED:
            raise EventError(EventError.Code.TOUR_NOT_PUBLISHED)
    event.status = EventStatus.PUBLISHED
    audit.record("event.published", user=user, event_id=event.id)
    db.session.flush()
    domain_events.record("event.published", event_id=event.id)


def unpublish(event: Event, *, user: User) -> None:
    """Published -> draft, only while nobody is registered (afterwards, cancel instead). A tour
    with published stages stays published."""
    if event.status != EventStatus.PUBLISHED:
        raise EventError(EventError.Code.NOT_PUBLISHED)
    if event.is_tour:
        published_stages = db.session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.parent_id == event.id, Event.status == EventStatus.PUBLISHED)
        )
        if published_stages:
            raise EventError(EventError.Code.TOUR_HAS_PUBLISHED_STAGES, count=published_stages)
    else:
        registered = live_count(event)
        if registered:
            raise EventError(EventError.Code.HAS_REGISTRATIONS, count=registered)
    event.status = EventStatus.DRAFT
    audit.record("event.unpublished", user=user, event_id=event.id)
    db.session.flush()
    domain_events.record("event.unpublished", event_id=event.id)


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
        raise EventError(EventError.Code.ALREADY_CANCELLED)
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
        domain_events.record("event.cancelled", event_id=target.id, notified=sent)
    db.session.flush()
    return queued
