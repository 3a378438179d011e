"""Reading a programme: the published sessions (what the public, sign-ups and agendas see),
the draft (the organiser's), grouped by day and laid out by room. Each list is one query with
its rooms, tracks and speakers loaded alongside (no N+1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from eventapp.extensions import db
from eventapp.models import (
    Event,
    ProgrammeSession,
    Room,
    SessionAttendance,
    SessionSignup,
    SignupStatus,
    Speaker,
)
from eventapp.models.programme import session_speaker


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def loaded(query):
    return query.options(
        joinedload(ProgrammeSession.room),
        joinedload(ProgrammeSession.published_room),
        joinedload(ProgrammeSession.track),
        selectinload(ProgrammeSession.speakers),
    )


def draft_sessions(event: Event) -> list[ProgrammeSession]:
    return list(
        db.session.scalars(
            loaded(select(ProgrammeSession))
            .where(ProgrammeSession.event_id == event.id)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.room_id, ProgrammeSession.id)
        ).unique()
    )


def published_sessions(event: Event, *, track_id: int | None = None) -> list[ProgrammeSession]:
    """The public programme: sessions published at least once, at their published times
    (cancelled ones included, marked: people who planned them must see it)."""
    query = loaded(select(ProgrammeSession)).where(
        ProgrammeSession.event_id == event.id, ProgrammeSession.published_at.is_not(None)
    )
    if track_id is not None:
        query = query.where(ProgrammeSession.track_id == track_id)
    return list(
        db.session.scalars(
            query.order_by(
                ProgrammeSession.published_starts_at,
                ProgrammeSession.published_room_id,
                ProgrammeSession.id,
            )
        ).unique()
    )


def public_session_or_none(event: Event, session_id: int) -> ProgrammeSession | None:
    found = db.session.scalar(
        loaded(select(ProgrammeSession)).where(
            ProgrammeSession.id == session_id,
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.published_at.is_not(None),
        )
    )
    return found


def has_published_programme(event: Event) -> bool:
    return (
        db.session.scalar(
            select(ProgrammeSession.id)
            .where(
                ProgrammeSession.event_id == event.id, ProgrammeSession.published_at.is_not(None)
            )
            .limit(1)
        )
        is not None
    )


def listed_speakers(event: Event) -> list[Speaker]:
    """Speakers who agreed to be listed and speak in a published, not cancelled session."""
    in_public = (
        select(session_speaker.c.speaker_id)
        .join(ProgrammeSession, ProgrammeSession.id == session_speaker.c.session_id)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.published_at.is_not(None),
            ProgrammeSession.published_cancelled.is_(False),
        )
    )
    return list(
        db.session.scalars(
            select(Speaker)
            .where(
                Speaker.event_id == event.id,
                Speaker.consent_listed.is_(True),
                Speaker.id.in_(in_public),
            )
            .order_by(Speaker.name)
        )
    )


def sessions_of_speakers(event: Event, speaker_ids: Iterable[int]) -> dict[int, list]:
    """{speaker id: their published sessions}, one query."""
    ids = list(speaker_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(session_speaker.c.speaker_id, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == session_speaker.c.session_id)
        .where(
            session_speaker.c.speaker_id.in_(ids),
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.published_at.is_not(None),
        )
        .order_by(ProgrammeSession.published_starts_at)
    )
    found: dict[int, list] = {}
    for speaker_id, session in rows:
        found.setdefault(speaker_id, []).append(session)
    return found


def signup_counts(session_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{session id: {"confirmed": n, "waitlisted": n, "offered": n, "held": n, "attended": n}},
    two GROUP BYs. "offered": waiting sign-ups with an open offer (counted in "waitlisted");
    "held": the places taken (confirmed and offered)."""
    ids = list(session_ids)
    counts = {
        i: {"confirmed": 0, "waitlisted": 0, "offered": 0, "held": 0, "attended": 0} for i in ids
    }
    if not ids:
        return counts
    offered = SessionSignup.offer_expires_at.is_not(None)
    for session_id, status, is_offer, number in db.session.execute(
        select(SessionSignup.session_id, SessionSignup.status, offered, func.count())
        .where(SessionSignup.session_id.in_(ids))
        .group_by(SessionSignup.session_id, SessionSignup.status, offered)
    ):
        row = counts[session_id]
        row[SignupStatus(status).value] += number
        if is_offer:
            row["offered"] += number
        if is_offer or status == SignupStatus.CONFIRMED:
            row["held"] += number
    for session_id, number in db.session.execute(
        select(SessionAttendance.session_id, func.count())
        .where(SessionAttendance.session_id.in_(ids))
        .group_by(SessionAttendance.session_id)
    ):
        counts[session_id]["attended"] = number
    return counts


@dataclass
class Slot:
    """One session placed in a day's grid (CSS grid lines: column = room, rows = 15 minutes)."""

    session: ProgrammeSession
    column: int
    row_start: int
    row_end: int


@dataclass
class Day:
    day: date
    sessions: list[ProgrammeSession] = field(default_factory=list)
    columns: list[Room | None] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    hours: list[tuple[int, datetime]] = field(default_factory=list)  # (row, time) labels
    published: bool = True

    @property
    def first(self) -> datetime:
        """The day's first start (to write the day's date in the reader's zone)."""
        return min(_times(s, self.published)[0] for s in self.sessions)

    def times(self, session: ProgrammeSession):
        """(start, end, room) of `session` as this day shows it (draft or published)."""
        return _times(session, self.published)


STEP_MINUTES = 15
MAX_ROWS = 24 * 60 // STEP_MINUTES
MAX_COLUMNS = 8  # static/css/programme.css has classes for 8 rooms side by side


def _times(session: ProgrammeSession, published: bool):
    if published:
        return session.published_starts_at, session.published_ends_at, session.published_room
    return session.starts_at, session.ends_at, session.room


def days(sessions: list[ProgrammeSession], *, published: bool, all_rooms=()) -> list[Day]:
    """Sessions grouped by local day, each day laid out with its rooms as columns and
    15-minute rows (row 1 holds the room names). A session without a room (a plenary in the
    main hall before rooms are set, a break) spans every column (`column` 0)."""
    tz = zone()
    by_day: dict[date, Day] = {}
    for session in sessions:
        starts, _ends, _room = _times(session, published)
        local = starts.astimezone(tz).date()
        by_day.setdefault(local, Day(local, published=published)).sessions.append(session)
    result = []
    for day in sorted(by_day):
        entry = by_day[day]
        used_rooms = {_times(s, published)[2] for s in entry.sessions} - {None}
        columns = [room for room in all_rooms if room in used_rooms]
        columns += sorted(
            (r for r in used_rooms if r not in columns), key=lambda r: (r.position, r.name)
        )
        entry.columns = columns[:MAX_COLUMNS]
        first = min(_times(s, published)[0] for s in entry.sessions).astimezone(tz)
        origin = first.replace(minute=first.minute - first.minute % 30, second=0, microsecond=0)

        def row(moment, origin=origin):
            minutes = (moment.astimezone(tz) - origin).total_seconds() / 60
            return max(2, min(MAX_ROWS + 1, int(minutes // STEP_MINUTES) + 2))

        last_row = 2
        for session in entry.sessions:
            starts, ends, room = _times(session, published)
            start_row = row(starts)
            end_row = max(start_row + 1, row(ends))
            last_row = max(last_row, end_row)
            column = entry.columns.index(room) + 2 if room in entry.columns else 0
            entry.slots.append(Slot(session, column, start_row, end_row))
        entry.hours = [
            (r, origin + (r - 2) * timedelta(minutes=STEP_MINUTES))
            for r in range(2, last_row, 60 // STEP_MINUTES)
        ]
        result.append(entry)
    return result
