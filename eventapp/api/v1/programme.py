"""The programme (issue 16), read only: for anyone, a published event's published programme
(sessions at their published times and rooms, cancelled ones marked; the rooms they use; the
speakers who agreed to be listed and speak in a published session, as the public pages show
them: services/programme/reading.py); for the organisers (token scope events:read), the
draft and the published schedule side by side, every room and every speaker."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventapp.api.v1 import schemas
from eventapp.api.v1.core import blueprint
from eventapp.api.v1.reads import each, listing
from eventapp.extensions import db
from eventapp.models import ProgrammeSession, Room, Speaker
from eventapp.models.programme import session_speaker
from eventapp.permissions import Perm

bp = blueprint(
    "programme",
    "The programme: sessions, rooms, speakers (published: no token; draft: events:read).",
)


def _sessions(event, *, public: bool):
    query = select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
    if public:
        query = query.where(ProgrammeSession.published_at.is_not(None))
    return query.options(
        joinedload(ProgrammeSession.track), selectinload(ProgrammeSession.speakers)
    )


def _track(session: ProgrammeSession) -> dict | None:
    track = session.track
    if track is None:
        return None
    return {"id": track.id, "name": {"fr": track.name_fr, "en": track.name_en}}


def _common(s: ProgrammeSession) -> dict:
    return {
        "id": s.id,
        "event_id": s.event_id,
        "kind": str(s.kind),
        "title": {"fr": s.title_fr, "en": s.title_en},
        "description": {"fr": s.description_fr, "en": s.description_en},
        "track": _track(s),
        "seat_limit": s.seat_limit,
        "updated_at": s.updated_at,
    }


def _public_session(s: ProgrammeSession) -> dict:
    return {
        **_common(s),
        "starts_at": s.published_starts_at,
        "ends_at": s.published_ends_at,
        "room_id": s.published_room_id,
        "cancelled": s.published_cancelled,
        "speaker_ids": [p.id for p in s.speakers if p.consent_listed],
    }


def _organiser_session(s: ProgrammeSession) -> dict:
    return {
        **_common(s),
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "room_id": s.room_id,
        "cancelled": s.cancelled,
        "speaker_ids": [p.id for p in s.speakers],
        "published": None
        if s.published_at is None
        else {
            "at": s.published_at,
            "starts_at": s.published_starts_at,
            "ends_at": s.published_ends_at,
            "room_id": s.published_room_id,
            "cancelled": s.published_cancelled,
        },
    }


def _room(r: Room) -> dict:
    return {"id": r.id, "event_id": r.event_id, "name": r.name, "capacity": r.capacity}


def _public_rooms(event, _args):
    used = select(ProgrammeSession.published_room_id).where(
        ProgrammeSession.event_id == event.id, ProgrammeSession.published_at.is_not(None)
    )
    return select(Room).where(Room.event_id == event.id, Room.id.in_(used))


def _public_speakers(event, _args):
    """The rule of reading.listed_speakers (the public speakers page), as a statement to page."""
    in_public = (
        select(session_speaker.c.speaker_id)
        .join(ProgrammeSession, ProgrammeSession.id == session_speaker.c.session_id)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.published_at.is_not(None),
            ProgrammeSession.published_cancelled.is_(False),
        )
    )
    return select(Speaker).where(
        Speaker.event_id == event.id,
        Speaker.consent_listed.is_(True),
        Speaker.id.in_(in_public),
    )


def _session_ids(speakers: Sequence[Speaker], *, public: bool) -> dict[int, list[int]]:
    """{speaker id: their session ids} for a page of speakers, one query."""
    ids = [s.id for s in speakers]
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    query = (
        select(session_speaker.c.speaker_id, session_speaker.c.session_id)
        .join(ProgrammeSession, ProgrammeSession.id == session_speaker.c.session_id)
        .where(session_speaker.c.speaker_id.in_(ids))
        .order_by(session_speaker.c.session_id)
    )
    if public:
        query = query.where(ProgrammeSession.published_at.is_not(None))
    for speaker_id, session_id in db.session.execute(query):
        found[speaker_id].append(session_id)
    return found


def _speaker(s: Speaker, sessions: list[int]) -> dict:
    return {
        "id": s.id,
        "event_id": s.event_id,
        "name": s.name,
        "organisation": s.organisation,
        "role": s.role,
        "bio": {"fr": s.bio_fr, "en": s.bio_en},
        "session_ids": sessions,
        "updated_at": s.updated_at,
    }


def _public_speaker_page(rows):
    sessions = _session_ids(rows, public=True)
    return [_speaker(s, sessions[s.id]) for s in rows]


def _organiser_speaker_page(rows):
    sessions = _session_ids(rows, public=False)
    return [
        {
            **_speaker(s, sessions[s.id]),
            "consent_listed": s.consent_listed,
            "registration_id": s.registration_id,
        }
        for s in rows
    ]


listing(
    bp,
    "sessions",
    "public_sessions",
    ProgrammeSession,
    None,
    schemas.PublicSessionOut,
    each(_public_session),
    public=True,
    statement=lambda event, _args: _sessions(event, public=True),
    doc="The published programme's sessions, at their published times (cancelled ones "
    "included, marked).",
)
listing(
    bp,
    "rooms",
    "public_rooms",
    Room,
    None,
    schemas.RoomOut,
    each(_room),
    public=True,
    statement=_public_rooms,
    doc="The rooms of the published programme.",
)
listing(
    bp,
    "speakers",
    "public_speakers",
    Speaker,
    None,
    schemas.PublicSpeakerOut,
    _public_speaker_page,
    public=True,
    statement=_public_speakers,
    doc="The speakers who agreed to be listed, with their published sessions.",
)
listing(
    bp,
    "sessions",
    "sessions",
    ProgrammeSession,
    Perm.EVENT_VIEW,
    schemas.SessionOut,
    each(_organiser_session),
    statement=lambda event, _args: _sessions(event, public=False),
    doc="Every session: the draft schedule, and the published one (`published`).",
)
listing(bp, "rooms", "rooms", Room, Perm.EVENT_VIEW, schemas.RoomOut, each(_room), doc="The rooms.")
listing(
    bp,
    "speakers",
    "speakers",
    Speaker,
    Perm.EVENT_VIEW,
    schemas.SpeakerOut,
    _organiser_speaker_page,
    doc="Every speaker of the event, listed publicly or not (`consent_listed`).",
)
