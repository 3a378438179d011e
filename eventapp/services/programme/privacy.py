"""Retention of the programme's personal data, with the registrations' own rules
(services/privacy): a cancelled registration leaves its sessions (the freed places go to the
waiting lists); an erased one loses its sign-ups and stars (attendance rows stay, pointing at
the anonymised registration, for the session counts); the event's retention purge anonymises
its speakers (name, organisation, role, biography, photo)."""

from __future__ import annotations

from sqlalchemy import select, update

from eventapp import events
from eventapp.extensions import db
from eventapp.models import ProgrammeSession, SessionSignup, SignupStatus, Speaker
from eventapp.services.programme import signups

ANONYMISED = "—"


@events.subscribe("registration.cancelled", phase="before_commit")
def _on_cancel(event: events.DomainEvent) -> None:
    # The event lock is held: registrations.cancel took it in this transaction.
    rows = db.session.execute(
        select(SessionSignup).where(SessionSignup.registration_id == event["registration_id"])
    ).scalars()
    freed = []
    for signup in list(rows):
        if signup.status == SignupStatus.CONFIRMED or signup.offer_expires_at is not None:
            freed.append(signup.session_id)
        db.session.delete(signup)
    db.session.flush()
    for session_id in sorted(set(freed)):
        session = db.session.get(ProgrammeSession, session_id)
        if session is not None and session.published_at is not None:
            signups.promote_waiting(session)


@events.subscribe("registration.erased", phase="before_commit")
def _on_erasure(event: events.DomainEvent) -> None:
    signups.forget([event["registration_id"]])
    db.session.execute(
        update(Speaker)
        .where(Speaker.registration_id == event["registration_id"])
        .values(registration_id=None)
        .execution_options(synchronize_session=False)
    )


@events.subscribe("privacy.purged", phase="before_commit")
def _on_purge(event: events.DomainEvent) -> None:
    db.session.execute(
        update(Speaker)
        .where(Speaker.event_id == event["event_id"])
        .values(
            name=ANONYMISED,
            email="",
            organisation="",
            role="",
            bio_fr="",
            bio_en="",
            photo_png=None,
            photo_updated_at=None,
            consent_listed=False,
            registration_id=None,
        )
        .execution_options(synchronize_session=False)
    )
