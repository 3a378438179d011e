"""Retention of B2B data, with the registrations' own rules (services/privacy):
- per-event data (the participation, its requests with their messages, its meetings) goes when
  the registration is anonymised: the participant's erasure, or the event's retention purge;
- the person's directory profile (`NetworkProfile`, across events) goes with their erasure."""

from __future__ import annotations

from sqlalchemy import delete, select

from eventapp import events
from eventapp.extensions import db
from eventapp.models import B2BParticipant, MeetingRequest, NetworkProfile


def _drop_participations(where) -> None:
    participants = select(B2BParticipant.id).where(where)
    # Requests first (they point at two participations); meetings and seats cascade.
    db.session.execute(
        delete(MeetingRequest)
        .where(
            MeetingRequest.sender_id.in_(participants)
            | MeetingRequest.recipient_id.in_(participants)
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(B2BParticipant).where(where).execution_options(synchronize_session=False)
    )


def drop_profiles_of(email: str | None) -> None:
    if not email:
        return
    _drop_participations(
        B2BParticipant.profile_id.in_(
            select(NetworkProfile.id).where(NetworkProfile.email == email)
        )
    )
    db.session.execute(
        delete(NetworkProfile)
        .where(NetworkProfile.email == email)
        .execution_options(synchronize_session=False)
    )


def before_anonymising(registrations) -> None:
    """Called by services/privacy before it clears the registrations' e-mail: their B2B
    participations go (any anonymisation); the directory profile goes on erasure only (see
    `erase_profiles`)."""
    ids = [r.id for r in registrations]
    if ids:
        _drop_participations(B2BParticipant.registration_id.in_(ids))


def erase_profiles(registrations) -> None:
    """The person's erasure: their directory profiles (every organisation) go too."""
    for email in {r.email for r in registrations if r.email}:
        drop_profiles_of(email)


@events.subscribe("privacy.purged", phase="before_commit")
def _on_purge(event: events.DomainEvent) -> None:
    # The purge anonymises in batches through services/privacy (before_anonymising); this is
    # the last word for the event: nothing per-event is left behind.
    _drop_participations(B2BParticipant.event_id == event["event_id"])


@events.subscribe("registration.cancelled", phase="before_commit")
def _on_cancellation(event: events.DomainEvent) -> None:
    # A cancelled registration no longer comes: its requests and meetings go (the people it
    # was to meet get their slot back); the directory profile stays the person's.
    _drop_participations(B2BParticipant.registration_id == event["registration_id"])


def export_of(email: str | None, registration_ids) -> dict:
    """For the right of access: the person's directory profiles and, per event, the meeting
    requests they sent or received (the other side's organisation only, the messages they
    wrote themselves)."""
    profiles = (
        list(db.session.scalars(select(NetworkProfile).where(NetworkProfile.email == email)))
        if email
        else []
    )
    mine = list(
        db.session.scalars(
            select(B2BParticipant).where(B2BParticipant.registration_id.in_(registration_ids))
        )
    )
    ids = {p.id for p in mine}
    requests = list(
        db.session.scalars(
            select(MeetingRequest)
            .where(MeetingRequest.sender_id.in_(ids) | MeetingRequest.recipient_id.in_(ids))
            .order_by(MeetingRequest.id)
        )
    ) if ids else []  # fmt: skip
    return {
        "profiles": [
            {
                "organisation_name": p.organisation_name,
                "category": str(p.category),
                "region": str(p.region) if p.region else None,
                "pitch": p.pitch,
                "offers": list(p.offers or []),
                "needs": list(p.needs or []),
                "offers_text": p.offers_text,
                "needs_text": p.needs_text,
                "updated_at": p.updated_at.isoformat() if p.updated_at else None,
            }
            for p in profiles
        ],
        "participations": [
            {"registration_id": p.registration_id, "unavailable_slots": list(p.unavailable or [])}
            for p in mine
        ],
        "meeting_requests": [
            {
                "sent": r.sender_id in ids,
                "status": str(r.status),
                "message": r.message if r.sender_id in ids else None,
                "created_at": r.created_at.isoformat() if r.created_at else None,
            }
            for r in requests
        ],
    }
