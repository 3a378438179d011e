"""What the programme (issue 16) says of a B2B participant's time: the sessions they signed up
for (a confirmed place in a published, not cancelled session) make the meeting slots they
overlap unavailable, for the scheduler, a placement by hand, a late acceptance and the slots a
self-pick offers; and their meetings are shown in "My programme"."""

from __future__ import annotations

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    B2BSlot,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
)


def programme_busy(participant_ids, slots: list[B2BSlot]) -> dict[int, set[int]]:
    """Per participant, the slots (ids) that overlap one of their sessions (one query)."""
    ids = list(participant_ids)
    if not ids or not slots:
        return {}
    rows = db.session.execute(
        select(
            B2BParticipant.id,
            ProgrammeSession.published_starts_at,
            ProgrammeSession.published_ends_at,
        )
        .join(SessionSignup, SessionSignup.registration_id == B2BParticipant.registration_id)
        .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
        .where(
            B2BParticipant.id.in_(ids),
            SessionSignup.status == SignupStatus.CONFIRMED,
            ProgrammeSession.published_at.is_not(None),
            ProgrammeSession.published_cancelled.is_(False),
        )
    )
    busy: dict[int, set[int]] = {}
    for pid, starts_at, ends_at in rows:
        for slot in slots:
            if slot.starts_at < ends_at and starts_at < slot.ends_at:
                busy.setdefault(pid, set()).add(slot.id)
    return busy


def meetings_for(registration: Registration, *, published_only: bool = False) -> list:
    """The registration's B2B meetings (agenda items), for "My programme"; [] when it does not
    take part in B2B meetings (or, with `published_only`, before the schedule is published: its
    calendar file holds only what was announced)."""
    from eventapp.services.b2b import listing, profiles

    settings = profiles.settings_of(registration.event)
    if settings is None or not settings.enabled:
        return []
    if published_only and settings.published_at is None:
        return []
    participant = profiles.participant_of(registration)
    return listing.agenda_of(participant) if participant is not None else []
