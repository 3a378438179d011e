"""The reminder e-mail before an event: its tickets, the address or the online link, and what to
bring, sent by the job queue (beat's `reminders.send`) to the confirmed people only; nobody on
the waiting list gets one.

When: `event.reminder_hours` before the start if the organiser set it; else 3 days before, and
for a webinar 8:00 (Paris time) on its day. Each registration is reminded once
(`registration.reminded_at`, set by one conditional UPDATE, so two sweeps never send twice); a
registration confirmed after its event's reminder time (a late registration, an accepted offer)
has had its tickets in its confirmation and is not reminded again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    utcnow,
)
from eventapp.services import mail as mail_service

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_BEFORE = timedelta(days=3)
WEBINAR_AT = time(8, 0)
# The longest reminder an organiser may set (the event form's limit): how far ahead to look.
LOOKAHEAD = timedelta(days=31)


def reminder_at(event: Event) -> datetime:
    """When the event's reminder goes out."""
    if event.reminder_hours:
        return event.starts_at - timedelta(hours=event.reminder_hours)
    if event.kind == EventKind.WEBINAR:
        local = event.starts_at.astimezone(PARIS)
        morning = datetime.combine(local.date(), WEBINAR_AT, tzinfo=PARIS)
        # A webinar starting before 8:00: one hour before instead.
        return min(morning, local - timedelta(hours=1)).astimezone(event.starts_at.tzinfo)
    return event.starts_at - DEFAULT_BEFORE


def due_events(now: datetime) -> list[Event]:
    """Published events (not tours) starting soon whose reminder time has come and that still
    have a confirmed person not reminded."""
    pending = (
        select(Registration.id)
        .where(
            Registration.event_id == Event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminded_at.is_(None),
            Registration.email.is_not(None),
        )
        .exists()
    )
    candidates = db.session.scalars(
        select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.kind != EventKind.TOUR,
            Event.starts_at > now,
            Event.starts_at <= now + LOOKAHEAD,
            pending,
        )
        .order_by(Event.starts_at, Event.id)
    )
    return [event for event in candidates if reminder_at(event) <= now]


def remind_event(event: Event, now: datetime) -> int:
    """Queue the reminder of each confirmed person of the event not reminded yet. Returns how
    many. The UPDATE claims them (reminded_at), so a concurrent sweep finds none left."""
    claimed = list(
        db.session.scalars(
            update(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.reminded_at.is_(None),
                Registration.email.is_not(None),
                # Confirmed after the reminder time: the confirmation already had the tickets.
                func.coalesce(Registration.promoted_at, Registration.created_at)
                <= reminder_at(event),
            )
            .values(reminded_at=now)
            .returning(Registration.id)
            .execution_options(synchronize_session=False)
        )
    )
    # Those confirmed later than the reminder time are marked too, without an e-mail.
    db.session.execute(
        update(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminded_at.is_(None),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed:
        return 0
    for registration in db.session.scalars(
        select(Registration).where(Registration.id.in_(claimed)).order_by(Registration.id)
    ):
        mail_service.notify_registration(registration, "reminder")
    db.session.flush()
    return len(claimed)


def sweep(now: datetime | None = None) -> int:
    """The periodic job's work (`reminders.send`): each due event in its own transaction.
    Returns how many reminders were queued. A batch: it owns its transactions."""
    now = now or utcnow()
    with write_transaction():
        event_ids = [event.id for event in due_events(now)]
    sent = 0
    for event_id in event_ids:
        with write_transaction():
            event = db.session.get(Event, event_id)
            if event is not None:
                sent += remind_event(event, now)
    return sent
