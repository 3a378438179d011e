"""Check-in at the door: identify a ticket, check someone in exactly once, undo, look people up,
and register walk-ins.

The one rule: a registration is checked in by a single conditional UPDATE
(... WHERE status = 'confirmed' AND checked_in_at IS NULL). Two desks scanning the same ticket at
the same instant both run it; the database lets exactly one change the row, and the other sees
the check-in already made ("already checked in at 09:42 by desk 2"). No read-then-write window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import case, select, update

from eventapp import events
from eventapp.extensions import db
from eventapp.models import (
    Event,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.services import audit, tickets
from eventapp.services.registrations import Participant, RegistrationError, register
from eventapp.text import fold, word_pattern

DESK_MAX_LENGTH = 40
SEARCH_LIMIT = 20


class State(StrEnum):
    CHECKED_IN = "checked_in"  # checked in now
    ALREADY = "already"  # was checked in before (when, by which desk)
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    OTHER_EVENT = "other_event"  # a genuine ticket, for another event
    UNKNOWN = "unknown"  # no such ticket, forged or damaged code, or another QR code


@dataclass
class Result:
    state: State
    registration: Registration | None = None

    @property
    def admitted(self) -> bool:
        return self.state == State.CHECKED_IN


def find_ticket(text: str) -> Registration | None:
    """The registration a scanned or typed code designates, whatever its event and status;
    None for an unknown, forged or damaged code."""
    read = tickets.read(text)
    if read.code is None:
        return None
    return db.session.scalar(
        select(Registration)
        .where(Registration.ticket_code.in_(tickets.lookup_forms(read)))
        .order_by(Registration.id)
        .limit(1)
    )


def _refusal(registration: Registration) -> Result:
    status = registration.status
    if status == RegistrationStatus.CANCELLED:
        return Result(State.CANCELLED, registration)
    if status == RegistrationStatus.WAITLISTED:
        return Result(State.WAITLISTED, registration)
    if status == RegistrationStatus.PENDING:
        return Result(State.PENDING, registration)
    return Result(State.ALREADY, registration)


def check_in(
    event: Event,
    registration: Registration,
    *,
    user: User,
    desk: str,
    now: datetime | None = None,
) -> Result:
    """Check a registration in at `desk`, once. Refused (with the reason) for another event's
    registration, a cancelled, waitlisted or pending one, or one already checked in."""
    if registration.event_id != event.id:
        return Result(State.OTHER_EVENT, registration)
    now = now or utcnow()
    changed = db.session.execute(
        update(Registration)
        .where(
            Registration.id == registration.id,
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.checked_in_at.is_(None),
        )
        .values(
            checked_in_at=now,
            checked_in_by_id=user.id,
            checkin_desk=desk[:DESK_MAX_LENGTH],
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    # Read the row as the database has it now: ours, or the other desk's check-in.
    db.session.refresh(registration)
    if changed != 1:
        return _refusal(registration)
    events.record(
        "checkin.created",
        event_id=event.id,
        registration_id=registration.id,
        user_id=user.id,
        desk=registration.checkin_desk,
    )
    return Result(State.CHECKED_IN, registration)


def check_in_code(
    event: Event, text: str, *, user: User, desk: str, now: datetime | None = None
) -> Result:
    """Check in the holder of a scanned QR code or a typed ticket code."""
    registration = find_ticket(text)
    if registration is None:
        return Result(State.UNKNOWN)
    return check_in(event, registration, user=user, desk=desk, now=now)


def undo(event: Event, registration: Registration, *, user: User) -> bool:
    """Cancel a check-in made by mistake (logged with when and where it had been made).
    Returns False if the registration was not checked in."""
    if registration.event_id != event.id:
        return False
    db.session.refresh(registration)
    previous_at, previous_desk = registration.checked_in_at, registration.checkin_desk
    changed = db.session.execute(
        update(Registration)
        .where(
            Registration.id == registration.id,
            Registration.event_id == event.id,
            Registration.checked_in_at.is_not(None),
        )
        .values(checked_in_at=None, checked_in_by_id=None, checkin_desk=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(registration)
    if changed != 1:
        return False
    events.record(
        "checkin.undone",
        event_id=event.id,
        registration_id=registration.id,
        user_id=user.id,
        checked_in_at=previous_at.isoformat() if previous_at else None,
        desk=previous_desk,
    )
    return True


# The audit log subscribes to the check-ins: its line is written in the same transaction as the
# check-in (before the commit), or not at all.


@events.subscribe("checkin.created", phase="before_commit")
def _audit_check_in(event: events.DomainEvent) -> None:
    audit.record(
        "registration.checked_in",
        user_id=event["user_id"],
        event_id=event["event_id"],
        registration_id=event["registration_id"],
        desk=event["desk"],
    )


@events.subscribe("checkin.undone", phase="before_commit")
def _audit_undo(event: events.DomainEvent) -> None:
    audit.record(
        "registration.checkin_undone",
        user_id=event["user_id"],
        event_id=event["event_id"],
        registration_id=event["registration_id"],
        checked_in_at=event["checked_in_at"],
        desk=event["desk"],
    )


# --- look-up ---------------------------------------------------------------------------------


def name_conditions(query: str) -> list | None:
    """WHERE conditions on Registration matching every word of `query` in the first name, last
    name or organisation, accents and case ignored; None when the query has fewer than two
    letters or digits (nothing to search for; punctuation alone, which matches any character,
    would list everyone)."""
    words = fold(query).split()
    if sum(ch.isalnum() for ch in "".join(words)) < 2:
        return None
    r = Registration
    haystack = r.first_name + " " + r.last_name + " " + r.organisation_name
    return [haystack.regexp_match(word_pattern(word)) for word in words[:5]]


def search(event: Event, query: str, limit: int = SEARCH_LIMIT) -> tuple[list[Registration], bool]:
    """People of this event matching `query` (see name_conditions); last names, then first
    names, starting with the first word come first. Every status is returned (the desk must see
    a cancelled or waitlisted person to explain why they cannot enter). Returns (at most `limit`
    registrations, whether there are more)."""
    conditions = name_conditions(query)
    if conditions is None:
        return [], False
    prefix = "^" + word_pattern(fold(query).split()[0])
    rank = case(
        (Registration.last_name.regexp_match(prefix), 0),
        (Registration.first_name.regexp_match(prefix), 1),
        else_=2,
    )
    rows = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, *conditions)
            .order_by(rank, Registration.last_name, Registration.first_name, Registration.id)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def used_desks(event: Event) -> list[str]:
    """Desk names already used at this event (to suggest them)."""
    return list(
        db.session.scalars(
            select(Registration.checkin_desk)
            .where(Registration.event_id == event.id, Registration.checkin_desk.is_not(None))
            .distinct()
            .order_by(Registration.checkin_desk)
            .limit(20)
        )
    )


# --- walk-ins --------------------------------------------------------------------------------


def walk_in(
    event: Event,
    person: Participant,
    *,
    user: User,
    desk: str,
    override_capacity: bool = False,
) -> Result:
    """Register someone at the desk through the one registration service (seat rule, duplicate
    check, audit log, confirmation e-mail with the ticket), then check them in, in the same
    transaction.

    A full event refuses the walk-in (RegistrationError 'full', nothing may be kept: the caller
    rolls back) unless the staff member explicitly overrides the capacity, which the audit log
    records. Someone who already has a registration is not registered twice: that registration
    is checked in (or the reason it cannot be is returned).
    """
    outcome = register(
        [event],
        person,
        source=RegistrationSource.WALK_IN,
        user=user,
        override_capacity=override_capacity,
    )[0]
    registration = outcome.registration
    if outcome.created and registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(RegistrationError.Code.FULL, event, capacity=event.capacity)
    return check_in(event, registration, user=user, desk=desk)
