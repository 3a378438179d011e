"""Counting registrations: per event and status in one query, free seats, waiting-list
positions. Read-only; the rules that change seats are in services/registrations.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from eventapp.extensions import db
from eventapp.models import Event, Registration, RegistrationStatus


@dataclass
class Counts:
    confirmed: int = 0
    waitlisted: int = 0
    pending: int = 0
    cancelled: int = 0
    checked_in: int = 0

    @property
    def live(self) -> int:
        return self.confirmed + self.waitlisted + self.pending


def confirmed_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def event_counts(event_ids: Iterable[int]) -> dict[int, Counts]:
    """Counts per event for many events in one GROUP BY query (missing events count zero).

    Grouped by (event, status) with plain counts, so the database reads the
    (event_id, status, ..., checked_in_at) index alone, in order: an event of 100,000 people
    costs one index scan, not a table scan with a CASE per row."""
    ids = list(event_ids)
    counts = {event_id: Counts() for event_id in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(
            Registration.event_id,
            Registration.status,
            func.count(),
            func.count(Registration.checked_in_at),
        )
        .where(Registration.event_id.in_(ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, count, checked_in in rows:
        row = counts[event_id]
        if status == RegistrationStatus.CONFIRMED:
            row.confirmed, row.checked_in = int(count), int(checked_in)
        elif status == RegistrationStatus.WAITLISTED:
            row.waitlisted = int(count)
        elif status == RegistrationStatus.PENDING:
            row.pending = int(count)
        elif status == RegistrationStatus.CANCELLED:
            row.cancelled = int(count)
    return counts


def free_seats(event: Event, confirmed: int | None = None) -> int | None:
    """Seats left (never negative), or None when capacity is unlimited."""
    if event.capacity is None:
        return None
    if confirmed is None:
        confirmed = confirmed_count(event.id)
    return max(event.capacity - confirmed, 0)


def waitlist_position(registration: Registration) -> int | None:
    """1-based position among the event's waitlisted registrations, in order of arrival."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.created_at < registration.created_at,
                and_(
                    Registration.created_at == registration.created_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def waitlist_positions(event_id: int) -> dict[int, int]:
    """{registration id: position} for every waitlisted registration of an event (one query)."""
    position = (
        func.row_number()
        .over(order_by=(Registration.created_at, Registration.id))
        .label("position")
    )
    rows = db.session.execute(
        select(Registration.id, position).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    )
    return dict(rows.tuples().all())
