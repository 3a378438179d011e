"""Workshop sign-ups, stars and the personal agenda.

The seat rule of a session with a sign-up limit: under the event lock (`lock_event_row`, the
one the registrations take: SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite),
count the places taken (`taken_clause`: confirmed sign-ups and open offers); below the limit
the sign-up is confirmed, else it joins the session's waiting list. A place freed goes to the
first on the waiting list (by sign-up order) as an offer with a deadline
(services/programme/offers.py), not as a surprise confirmation. Two sessions at the same time
cannot both be taken (confirmed or waiting). A session chosen with a registration question's
option follows the answer (services/programme/answers.py) and is changed only there."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionStar,
    SignupStatus,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.programme.errors import ProgrammeError
from eventapp.services.programme.reading import loaded

Code = ProgrammeError.Code


def _check_open(registration: Registration, session: ProgrammeSession) -> None:
    if session.event_id != registration.event_id or session.published_at is None:
        raise ProgrammeError(Code.NOT_PUBLIC)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ProgrammeError(Code.NOT_CONFIRMED)
    if session.published_cancelled:
        raise ProgrammeError(Code.SESSION_CANCELLED)


def taken_clause():
    """A sign-up that holds a place: confirmed, or offered and not answered yet."""
    return or_(
        SessionSignup.status == SignupStatus.CONFIRMED,
        SessionSignup.offer_expires_at.is_not(None),
    )


def taken(session_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(SessionSignup)
        .where(SessionSignup.session_id == session_id, taken_clause())
    )


def taken_by_session(session_ids) -> dict[int, int]:
    """{session id: places taken} in one GROUP BY."""
    ids = list(session_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(SessionSignup.session_id, func.count())
            .where(SessionSignup.session_id.in_(ids), taken_clause())
            .group_by(SessionSignup.session_id)
        ).all()
    )


def _refuse_if_linked(session: ProgrammeSession, registration: Registration) -> None:
    from eventapp.services.programme.answers import option_of

    found = option_of(session.id)
    if found is not None:
        _option, question = found
        raise ProgrammeError(Code.LINKED, question=question.label(registration.language or "fr"))


def _overlapping(registration: Registration, session: ProgrammeSession):
    """A session the person has taken (signed up or waiting) at the same time, or None."""
    return db.session.scalar(
        select(ProgrammeSession)
        .join(SessionSignup, SessionSignup.session_id == ProgrammeSession.id)
        .where(
            SessionSignup.registration_id == registration.id,
            ProgrammeSession.id != session.id,
            ProgrammeSession.published_cancelled.is_(False),
            ProgrammeSession.published_starts_at < session.published_ends_at,
            ProgrammeSession.published_ends_at > session.published_starts_at,
        )
        .limit(1)
    )


def sign_up(
    registration: Registration,
    session: ProgrammeSession,
    *,
    waitlist: bool = True,
    via_answer: bool = False,
) -> SessionSignup:
    """Sign `registration` up for `session` (confirmed, or on its waiting list when full;
    `waitlist=False`: refused when full, FULL). A session chosen with a registration
    question is signed up for through the answer only (`via_answer`)."""
    lock_event_row(registration.event_id)
    db.session.refresh(registration, attribute_names=["status"])
    db.session.refresh(session)
    _check_open(registration, session)
    if session.seat_limit is None:
        raise ProgrammeError(Code.NO_SIGNUP)
    if not via_answer:
        _refuse_if_linked(session, registration)
    if session.published_starts_at <= utcnow():
        raise ProgrammeError(Code.SESSION_STARTED)
    existing = db.session.scalar(
        select(SessionSignup.id).where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == registration.id,
        )
    )
    if existing is not None:
        raise ProgrammeError(Code.ALREADY_SIGNED_UP)
    other = _overlapping(registration, session)
    if other is not None:
        raise ProgrammeError(Code.OVERLAP, title=other.title(registration.language or "fr"))
    status = (
        SignupStatus.CONFIRMED
        if taken(session.id) < session.seat_limit
        else SignupStatus.WAITLISTED
    )
    if status == SignupStatus.WAITLISTED and not waitlist:
        raise ProgrammeError(Code.FULL, title=session.title(registration.language or "fr"))
    signup = SessionSignup(session_id=session.id, registration_id=registration.id, status=status)
    db.session.add(signup)
    db.session.flush()
    audit.record(
        "programme.signed_up",
        actor="participant",
        event_id=registration.event_id,
        registration_id=registration.id,
        session_id=session.id,
        status=str(status),
    )
    return signup


def withdraw(
    registration: Registration, session: ProgrammeSession, *, via_answer: bool = False
) -> SessionSignup | None:
    """Withdraw a sign-up; a freed place is offered to the first on the waiting list
    (returned)."""
    lock_event_row(registration.event_id)
    if not via_answer:
        _refuse_if_linked(session, registration)
    signup = db.session.scalar(
        select(SessionSignup).where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == registration.id,
        )
    )
    if signup is None:
        raise ProgrammeError(Code.NOT_SIGNED_UP)
    was_confirmed = signup.status == SignupStatus.CONFIRMED or signup.offer_expires_at is not None
    db.session.delete(signup)
    db.session.flush()
    audit.record(
        "programme.withdrawn",
        actor="participant",
        event_id=registration.event_id,
        registration_id=registration.id,
        session_id=session.id,
    )
    return promote_waiting(session) if was_confirmed else None


def promote_waiting(session: ProgrammeSession) -> SessionSignup | None:
    """Under the event lock (taken by the caller): offer a free place to the first waiting
    (services/programme/offers.py). Returns the sign-up offered (or confirmed), if any."""
    from eventapp.services.programme.offers import fill_free_places

    chosen = fill_free_places(session)
    return chosen[0] if chosen else None


def toggle_star(registration: Registration, session: ProgrammeSession) -> bool:
    """Star (or unstar) a published session for the personal agenda. True if now starred."""
    if session.event_id != registration.event_id or session.published_at is None:
        raise ProgrammeError(Code.NOT_PUBLIC)
    found = db.session.get(SessionStar, (session.id, registration.id))
    if found is not None:
        db.session.delete(found)
        db.session.flush()
        return False
    db.session.add(SessionStar(session_id=session.id, registration_id=registration.id))
    db.session.flush()
    return True


def signups_of(registration: Registration) -> dict[int, SignupStatus]:
    return dict(
        db.session.execute(
            select(SessionSignup.session_id, SessionSignup.status).where(
                SessionSignup.registration_id == registration.id
            )
        ).all()
    )


def offers_of(registration: Registration) -> dict:
    """{session id: deadline} of the person's open offers."""
    return dict(
        db.session.execute(
            select(SessionSignup.session_id, SessionSignup.offer_expires_at).where(
                SessionSignup.registration_id == registration.id,
                SessionSignup.offer_expires_at.is_not(None),
            )
        ).all()
    )


def stars_of(registration: Registration) -> set[int]:
    return set(
        db.session.scalars(
            select(SessionStar.session_id).where(SessionStar.registration_id == registration.id)
        )
    )


def agenda(registration: Registration) -> list[tuple[ProgrammeSession, str | None, bool]]:
    """ "My programme": (session, sign-up status or None, starred), in time order."""
    signups = signups_of(registration)
    stars = stars_of(registration)
    ids = set(signups) | stars
    if not ids:
        return []
    sessions = db.session.scalars(
        loaded(select(ProgrammeSession))
        .where(ProgrammeSession.id.in_(ids), ProgrammeSession.published_at.is_not(None))
        .order_by(ProgrammeSession.published_starts_at, ProgrammeSession.id)
    ).unique()
    return [(s, str(signups[s.id]) if s.id in signups else None, s.id in stars) for s in sessions]


def forget(registration_ids: list[int]) -> None:
    """Erasure: the person's sign-ups and stars go (attendance, anonymous once the registration
    is, stays for the session counts)."""
    if not registration_ids:
        return
    for model in (SessionSignup, SessionStar):
        db.session.execute(
            delete(model)
            .where(model.registration_id.in_(registration_ids))
            .execution_options(synchronize_session=False)
        )


def manage_block(registration: Registration) -> dict | None:
    """What the participant's manage page shows of the programme: None without a published
    one; else the agenda and whether a certificate can be downloaded."""
    from eventapp.services.programme.attendance import attended
    from eventapp.services.programme.reading import has_published_programme

    event = registration.event
    if not has_published_programme(event):
        return None
    return {
        "agenda": agenda(registration),
        "offers": offers_of(registration),
        "certificate": event.has_ended() and bool(attended(registration)),
    }
