"""Counting registrations: per event and status in one query, free seats, waiting-list
positions. Read-only; the rules that change seats are in services/registrations.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

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
    return waitlist_positions([registration]).get(registration.id)


def waitlist_positions(registrations: Sequence[Registration]) -> dict[int, int]:
    """{registration id: position on its event's waiting list} for the waitlisted ones among
    `registrations`, whatever their events (one statement; none if nobody waits)."""
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    if not waiting:
        return {}
    ranked = (
        select(
            Registration.id.label("id"),
            func.row_number()
            .over(
                partition_by=Registration.event_id,
                order_by=(Registration.created_at, Registration.id),
            )
            .label("position"),
        )
        .where(
            Registration.event_id.in_(sorted({r.event_id for r in waiting})),
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_([r.id for r in waiting]))
    )
    return {int(reg_id): int(position) for reg_id, position in rows}
