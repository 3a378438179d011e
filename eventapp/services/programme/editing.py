"""The organiser's edits of a programme: rooms, tracks, speakers, sessions (the draft).

A session's schedule (start, end, room, cancelled) is a draft until the programme is published
(services/programme/publishing.py); every schedule change marks the programme as changed."""

from __future__ import annotations

from sqlalchemy import inspect, select

from eventapp.extensions import db
from eventapp.models import (
    Event,
    ProgrammeSession,
    ProgrammeState,
    Room,
    SessionKind,
    Speaker,
    Track,
    TrackColour,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.programme.errors import ProgrammeError

ROOM_FIELDS = ("name", "capacity", "position")
TRACK_FIELDS = ("name_fr", "name_en", "colour")
SPEAKER_FIELDS = (
    "name",
    "email",
    "organisation",
    "role",
    "bio_fr",
    "bio_en",
    "consent_listed",
)
SESSION_FIELDS = (
    "kind",
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "starts_at",
    "ends_at",
    "room_id",
    "track_id",
    "seat_limit",
)
SCHEDULE_FIELDS = ("starts_at", "ends_at", "room_id", "cancelled")


def state_of(event: Event, *, create: bool = False) -> ProgrammeState | None:
    state = db.session.get(ProgrammeState, event.id)
    if state is None and create:
        state = ProgrammeState(event_id=event.id)
        db.session.add(state)
    return state


def _mark_changed(event: Event) -> None:
    state_of(event, create=True).changed_at = utcnow()


def rooms(event: Event) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name)
        )
    )


def tracks(event: Event) -> list[Track]:
    return list(
        db.session.scalars(select(Track).where(Track.event_id == event.id).order_by(Track.name_fr))
    )


def speakers(event: Event) -> list[Speaker]:
    return list(
        db.session.scalars(
            select(Speaker).where(Speaker.event_id == event.id).order_by(Speaker.name)
        )
    )


def _owned(model, event: Event, object_id: int | None, field: str):
    """The event's row `object_id` of `model` (None stays None); another event's: refused."""
    if object_id is None:
        return None
    found = db.session.get(model, object_id)
    if found is None or found.event_id != event.id:
        raise ProgrammeError(ProgrammeError.Code.UNKNOWN_CHOICE, field=field)
    return found


def save_room(event: Event, data: dict, room: Room | None = None) -> Room:
    if room is None:
        room = Room(event_id=event.id)
        db.session.add(room)
    for name in ROOM_FIELDS:
        if name in data:
            setattr(room, name, data[name] if data[name] is not None or name != "position" else 0)
    db.session.flush()
    return room


def save_track(event: Event, data: dict, track: Track | None = None) -> Track:
    if track is None:
        track = Track(event_id=event.id)
        db.session.add(track)
    for name in TRACK_FIELDS:
        if name in data:
            value = data[name]
            setattr(track, name, TrackColour(value) if name == "colour" else value)
    db.session.flush()
    return track


def save_speaker(
    event: Event, data: dict, speaker: Speaker | None = None, *, photo_png: bytes | None = None
) -> Speaker:
    """Create or update a speaker; `photo_png` is an already re-encoded photo (photos.py);
    `data["registration_id"]` links them to one of the event's registrations."""
    from eventapp.models import Registration

    if speaker is None:
        speaker = Speaker(event_id=event.id)
        db.session.add(speaker)
    for name in SPEAKER_FIELDS:
        if name in data:
            setattr(speaker, name, data[name])
    if "registration_id" in data:
        registration = _owned(Registration, event, data["registration_id"], "registration_id")
        speaker.registration_id = registration.id if registration else None
    if photo_png is not None:
        speaker.photo_png = photo_png
        speaker.photo_updated_at = utcnow()
    db.session.flush()
    return speaker


def remove_photo(speaker: Speaker) -> None:
    speaker.photo_png = None
    speaker.photo_updated_at = None


def save_session(
    event: Event,
    data: dict,
    session: ProgrammeSession | None = None,
    *,
    speaker_ids: list[int] | None = None,
    actor=None,
) -> ProgrammeSession:
    """Create or update a session of the draft. Times must be in order; the room, the track
    and the speakers must be the event's own."""
    if data["ends_at"] <= data["starts_at"]:
        raise ProgrammeError(ProgrammeError.Code.BAD_TIMES, field="ends_at")
    _owned(Room, event, data.get("room_id"), "room_id")
    _owned(Track, event, data.get("track_id"), "track_id")
    chosen = []
    if speaker_ids is not None:
        chosen = [_owned(Speaker, event, i, "speakers") for i in sorted(set(speaker_ids))]
    created = session is None
    if session is None:
        session = ProgrammeSession(event_id=event.id, speakers=[])
        db.session.add(session)
    before = {name: getattr(session, name) for name in SCHEDULE_FIELDS}
    for name in SESSION_FIELDS:
        if name in data:
            value = data[name]
            setattr(session, name, SessionKind(value) if name == "kind" else value)
    if speaker_ids is not None:
        if not created and "speakers" not in inspect(session).dict:
            db.session.refresh(session, attribute_names=["speakers"])
        session.speakers = chosen
    if created or any(getattr(session, name) != before[name] for name in SCHEDULE_FIELDS):
        _mark_changed(event)
    db.session.flush()
    audit.record(
        "programme.session_created" if created else "programme.session_updated",
        user=actor,
        event_id=event.id,
        session_id=session.id,
    )
    return session


def set_cancelled(event: Event, session: ProgrammeSession, cancelled: bool, *, actor=None) -> None:
    """Cancel (or restore) a session in the draft: participants hear of it on publication."""
    if session.cancelled != cancelled:
        session.cancelled = cancelled
        _mark_changed(event)
        db.session.flush()
        audit.record(
            "programme.session_cancelled" if cancelled else "programme.session_restored",
            user=actor,
            event_id=event.id,
            session_id=session.id,
        )


def delete_session(event: Event, session: ProgrammeSession, *, actor=None) -> bool:
    """Delete a session never published (a published one is cancelled instead, so that the
    people signed up for it are told). False if it was published."""
    if session.published_at is not None:
        return False
    db.session.delete(session)
    db.session.flush()
    audit.record("programme.session_deleted", user=actor, event_id=event.id, session_id=session.id)
    return True


def delete_speaker(event: Event, speaker: Speaker, *, actor=None) -> None:
    """Delete a speaker and everything held about them (photo, biography); their sessions
    keep going without them."""
    db.session.delete(speaker)
    db.session.flush()
    audit.record("programme.speaker_deleted", user=actor, event_id=event.id)
