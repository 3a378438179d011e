"""Attendance per session, at the session's door: check-in staff scan a ticket (or tick a name);
a person not signed up for a full workshop is told so and not counted in. Recording twice is
harmless (one row per session and person: the unique constraint decides a race)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventapp.extensions import db
from eventapp.models import (
    Event,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionSignup,
    SignupStatus,
    User,
)
from eventapp.services.checkin import find_ticket
from eventapp.services.programme.errors import ProgrammeError
from eventapp.services.programme.signups import taken

Code = ProgrammeError.Code


@dataclass(frozen=True)
class DoorResult:
    registration: Registration
    already: bool
    signed_up: bool


def admit(
    event: Event, session: ProgrammeSession, registration: Registration, *, user: User
) -> DoorResult:
    if registration.event_id != event.id:
        raise ProgrammeError(Code.OTHER_EVENT)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ProgrammeError(Code.UNKNOWN_TICKET)
    signup = db.session.scalar(
        select(SessionSignup.status).where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == registration.id,
        )
    )
    signed_up = signup == SignupStatus.CONFIRMED
    existing = db.session.scalar(
        select(SessionAttendance.id).where(
            SessionAttendance.session_id == session.id,
            SessionAttendance.registration_id == registration.id,
        )
    )
    if existing is not None:
        return DoorResult(registration, True, signed_up)
    if session.seat_limit is not None and not signed_up and taken(session.id) >= session.seat_limit:
        raise ProgrammeError(Code.FULL_AT_DOOR, name=registration.full_name)
    try:
        with db.session.begin_nested():
            db.session.add(
                SessionAttendance(
                    session_id=session.id, registration_id=registration.id, checked_in_by_id=user.id
                )
            )
    except IntegrityError:
        return DoorResult(registration, True, signed_up)  # another door recorded them first
    return DoorResult(registration, False, signed_up)


def admit_code(event: Event, session: ProgrammeSession, text: str, *, user: User) -> DoorResult:
    registration = find_ticket(text)
    if registration is None:
        raise ProgrammeError(Code.UNKNOWN_TICKET, field="code")
    return admit(event, session, registration, user=user)


def attended(registration: Registration) -> list[ProgrammeSession]:
    """The published, not cancelled sessions `registration` was seen at, in time order."""
    return list(
        db.session.scalars(
            select(ProgrammeSession)
            .join(SessionAttendance, SessionAttendance.session_id == ProgrammeSession.id)
            .where(
                SessionAttendance.registration_id == registration.id,
                ProgrammeSession.published_at.is_not(None),
                ProgrammeSession.published_cancelled.is_(False),
            )
            .order_by(ProgrammeSession.published_starts_at)
        )
    )


def expected_at(session: ProgrammeSession, limit: int = 500) -> list[tuple[Registration, bool]]:
    """The people signed up (confirmed) for a session, with whether they came: the door's list."""
    came = select(SessionAttendance.registration_id).where(
        SessionAttendance.session_id == session.id
    )
    rows = db.session.execute(
        select(Registration, Registration.id.in_(came))
        .join(SessionSignup, SessionSignup.registration_id == Registration.id)
        .where(
            SessionSignup.session_id == session.id,
            SessionSignup.status == SignupStatus.CONFIRMED,
        )
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
        .limit(limit)
    )
    return [(registration, bool(present)) for registration, present in rows]
