"""Time-limited offers for freed workshop places, on the event waiting list's machinery
(services/offers.py: the same deadline rule, the same minimum, the same periodic job).

When a place in a session with a sign-up limit frees up (a withdrawal, a changed answer, a
cancelled registration, an offer declined or expired), the first person on the session's
waiting list (sign-up order) gets an offer: an e-mail through the outbox with the link to
their programme page, where they accept or decline it, valid until a deadline
(`offers.offer_deadline`, never past the session's start). Meanwhile the place is held: an
offered sign-up counts as taken (`signups.taken_clause`). Accepting confirms the sign-up;
declining, or letting the offer expire (`sweep`, run by beat's `offers.expire`), ends that
person's place on the waiting list and offers the place to the next person, in the same
locked step. Too little time left for an offer (`offers.MIN_OFFER`): the place is given at
once, with the "a place is yours" e-mail.

Every change runs under the event's lock (`lock_event_row`), like the sign-up rule.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.database import lock_event_row, write_transaction
from eventapp.extensions import db
from eventapp.helpers import external_url
from eventapp.models import (
    Event,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
    utcnow,
)
from eventapp.services import audit, mail
from eventapp.services import offers as event_offers
from eventapp.services.offers import OfferError


def deadline_for(session: ProgrammeSession, event: Event, now: datetime) -> datetime:
    """The event offers' deadline rule, never past the session's start."""
    return min(event_offers.offer_deadline(event, now), session.published_starts_at)


def _mail(signup: SessionSignup, session: ProgrammeSession, kind: str) -> None:
    person = db.session.get(Registration, signup.registration_id)
    if not person.email:
        return
    lang = person.language or "fr"
    with force_locale(lang):
        title = session.title(lang)
        subjects = {
            "promoted": _("A place is yours: %(title)s", title=title),
            "offer": _("A place is free for you: %(title)s (please answer)", title=title),
            "offer_expired": _("Offer expired: %(title)s", title=title),
        }
        mail.enqueue(
            kind=f"programme_{kind}",
            recipient=person.email,
            subject=subjects[kind],
            body_text=render_template(
                f"programme/mail/{kind}.txt",
                registration=person,
                session=session,
                signup=signup,
                lang=lang,
                programme_url=external_url("programme.my_programme", token=person.manage_token)
                + f"#session-{session.id}",
            ),
            event_id=session.event_id,
            registration_id=person.id,
        )


def fill_free_places(
    session: ProgrammeSession, *, now: datetime | None = None
) -> list[SessionSignup]:
    """Offer the session's free places (limit minus taken) to the people waiting, first
    signed up first. Call only while holding the event's lock. Returns the sign-ups offered
    (or confirmed at once, when the session is too close for an offer)."""
    from eventapp.services.programme.signups import taken

    now = now or utcnow()
    db.session.refresh(session)
    if (
        session.seat_limit is None
        or session.published_at is None
        or session.published_cancelled
        or session.published_starts_at <= now
    ):
        return []
    free = session.seat_limit - taken(session.id)
    if free <= 0:
        return []
    chosen = list(
        db.session.scalars(
            select(SessionSignup)
            .where(
                SessionSignup.session_id == session.id,
                SessionSignup.status == SignupStatus.WAITLISTED,
                SessionSignup.offer_expires_at.is_(None),
            )
            .order_by(SessionSignup.id)
            .limit(free)
        )
    )
    event = db.session.get(Event, session.event_id)
    deadline = deadline_for(session, event, now)
    direct = deadline - now < event_offers.MIN_OFFER
    for signup in chosen:
        if direct:
            signup.status = SignupStatus.CONFIRMED
            signup.promoted_at = now
        else:
            signup.offered_at = now
            signup.offer_expires_at = deadline
        audit.record(
            "programme.promoted" if direct else "programme.offered",
            actor="system",
            event_id=session.event_id,
            registration_id=signup.registration_id,
            session_id=session.id,
        )
    db.session.flush()
    for signup in chosen:
        _mail(signup, session, "promoted" if direct else "offer")
    return chosen


def _open_offer(registration: Registration, session: ProgrammeSession, now: datetime):
    signup = db.session.scalar(
        select(SessionSignup).where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == registration.id,
        )
    )
    if signup is None or signup.offer_expires_at is None:
        raise OfferError(OfferError.Code.NO_OFFER)
    if now >= signup.offer_expires_at:
        raise OfferError(OfferError.Code.EXPIRED)
    return signup


def accept(registration: Registration, session: ProgrammeSession, *, now=None) -> SessionSignup:
    """The person takes the place held for them. Refused once the deadline has passed, even if
    the expiry job has not run yet."""
    now = now or utcnow()
    lock_event_row(registration.event_id)
    signup = _open_offer(registration, session, now)
    signup.status = SignupStatus.CONFIRMED
    signup.promoted_at = now
    signup.offer_expires_at = None
    audit.record(
        "programme.offer_accepted",
        actor="participant",
        event_id=registration.event_id,
        registration_id=registration.id,
        session_id=session.id,
    )
    db.session.flush()
    return signup


def decline(registration: Registration, session: ProgrammeSession, *, now=None) -> None:
    """The person does not want the place: they leave the session's waiting list and the
    place is offered to the next person, in the same step."""
    now = now or utcnow()
    lock_event_row(registration.event_id)
    signup = _open_offer(registration, session, now)
    db.session.delete(signup)
    audit.record(
        "programme.offer_declined",
        actor="participant",
        event_id=registration.event_id,
        registration_id=registration.id,
        session_id=session.id,
    )
    db.session.flush()
    fill_free_places(session, now=now)


def expire_event(event: Event, *, now: datetime | None = None) -> int:
    """End the event's session offers past their deadline (the person leaves that waiting
    list, and is told) and offer the places to the next people, in one locked step. Returns
    how many offers expired."""
    now = now or utcnow()
    lock_event_row(event.id)
    due = list(
        db.session.scalars(
            select(SessionSignup)
            .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
            .where(
                ProgrammeSession.event_id == event.id,
                SessionSignup.offer_expires_at.is_not(None),
                SessionSignup.offer_expires_at <= now,
            )
            .order_by(SessionSignup.offer_expires_at, SessionSignup.id)
        )
    )
    sessions = {}
    for signup in due:
        session = sessions.setdefault(
            signup.session_id, db.session.get(ProgrammeSession, signup.session_id)
        )
        _mail(signup, session, "offer_expired")
        audit.record(
            "programme.offer_expired",
            actor="system",
            event_id=event.id,
            registration_id=signup.registration_id,
            session_id=session.id,
        )
        db.session.delete(signup)
    db.session.flush()
    for session in sessions.values():
        fill_free_places(session, now=now)
    return len(due)


def sweep(now: datetime | None = None) -> int:
    """Beat's `offers.expire` job, for the sessions: each event with expired session offers
    in its own transaction. Returns how many offers expired."""
    now = now or utcnow()
    with write_transaction():
        event_ids = list(
            db.session.scalars(
                select(ProgrammeSession.event_id)
                .join(SessionSignup, SessionSignup.session_id == ProgrammeSession.id)
                .where(
                    SessionSignup.offer_expires_at.is_not(None),
                    SessionSignup.offer_expires_at <= now,
                )
                .distinct()
                .order_by(ProgrammeSession.event_id)
            )
        )
    expired = 0
    for event_id in event_ids:
        with write_transaction():
            event = db.session.get(Event, event_id)
            if event is not None:
                expired += expire_event(event, now=now)
    return expired
