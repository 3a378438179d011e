"""Counting registrations: per event and status in one query, free seats, waiting-list
positions. Read-only; the rules that change seats are in services/registrations.py.

A seat is *taken* by a confirmed registration or by an open waiting-list offer (a waitlisted
registration with `offer_expires_at` set: the seat is held for that person until they answer or
the offer expires, services/offers.py). `taken_clause()` is that definition, the one every seat
count uses (`taken_count`, `event_counts().taken`, `free_seats`). A later hold (a seat waiting
for its payment) joins it here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    offered: int = 0  # waitlisted people holding an open offer (counted in `waitlisted` too)

    @property
    def live(self) -> int:
        return self.confirmed + self.waitlisted + self.pending

    @property
    def taken(self) -> int:
        """Seats taken: confirmed plus held by an open offer (see the module docstring)."""
        return self.confirmed + self.offered

    @property
    def waiting(self) -> int:
        """People on the waiting list without an offer."""
        return self.waitlisted - self.offered


def held_offer_clause():
    """A waitlisted registration whose offer is open: it holds a seat."""
    return and_(
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.offer_expires_at.is_not(None),
    )


def taken_clause():
    """The registrations that take a seat: confirmed, or holding an open offer."""
    return or_(Registration.status == RegistrationStatus.CONFIRMED, held_offer_clause())


def taken_count(event_id: int) -> int:
    """Seats taken on the event (confirmed + held offers): what the seat rule compares with
    the capacity."""
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, taken_clause())
    )


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
            func.count(Registration.offer_expires_at),
        )
        .where(Registration.event_id.in_(ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, count, checked_in, offered in rows:
        row = counts[event_id]
        if status == RegistrationStatus.CONFIRMED:
            row.confirmed, row.checked_in = int(count), int(checked_in)
        elif status == RegistrationStatus.WAITLISTED:
            row.waitlisted, row.offered = int(count), int(offered)
        elif status == RegistrationStatus.PENDING:
            row.pending = int(count)
        elif status == RegistrationStatus.CANCELLED:
            row.cancelled = int(count)
    return counts


def free_seats(event: Event, taken: int | None = None) -> int | None:
    """Seats left (never negative), or None when capacity is unlimited. `taken`: the event's
    taken count if the caller has it (`Counts.taken`, never the confirmed count alone)."""
    if event.capacity is None:
        return None
    if taken is None:
        taken = taken_count(event.id)
    return max(event.capacity - taken, 0)


def waitlist_position(registration: Registration) -> int | None:
    """1-based position among the event's waiting registrations without an offer, in order of
    arrival (1: the next to get an offer); None for someone holding an offer."""
    return waitlist_positions([registration]).get(registration.id)


def waitlist_positions(registrations: Sequence[Registration]) -> dict[int, int]:
    """{registration id: position on its event's waiting list} for the waitlisted ones among
    `registrations`, whatever their events (one statement; none if nobody waits)."""
    waiting = [
        r
        for r in registrations
        if r.status == RegistrationStatus.WAITLISTED and r.offer_expires_at is None
    ]
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
            Registration.offer_expires_at.is_(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_([r.id for r in waiting]))
    )
    return {int(reg_id): int(position) for reg_id, position in rows}
