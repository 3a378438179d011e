"""Conflict warnings on the draft (pretalx's): a speaker in two places at once, a room
double-booked, a sign-up limit above the room's capacity, a session outside the event's dates.
Warnings, not refusals: the organiser may be mid-way through a reshuffle."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from flask_babel import gettext as _

from eventapp.models import Event, ProgrammeSession


@dataclass(frozen=True)
class Conflict:
    kind: str  # speaker, room, capacity, dates
    session_ids: tuple[int, ...]
    message: str


def _overlap(a: ProgrammeSession, b: ProgrammeSession) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def find(event: Event, sessions: list[ProgrammeSession]) -> list[Conflict]:
    """The conflicts of the draft `sessions` (loaded with their rooms and speakers). Sessions
    are compared pairwise on the same day: a congress has tens of sessions, not thousands."""
    live = [s for s in sessions if not s.cancelled]
    found: list[Conflict] = []
    for session in live:
        if session.starts_at < event.starts_at or session.ends_at > event.ends_at:
            found.append(
                Conflict(
                    "dates",
                    (session.id,),
                    _("“%(title)s” is outside the event's dates.", title=session.title_fr),
                )
            )
        room = session.room
        if (
            session.seat_limit
            and room is not None
            and room.capacity is not None
            and session.seat_limit > room.capacity
        ):
            found.append(
                Conflict(
                    "capacity",
                    (session.id,),
                    _(
                        "“%(title)s” takes %(limit)s sign-ups but %(room)s holds "
                        "%(capacity)s people.",
                        title=session.title_fr,
                        limit=session.seat_limit,
                        room=room.name,
                        capacity=room.capacity,
                    ),
                )
            )
    for a, b in combinations(sorted(live, key=lambda s: (s.starts_at, s.id)), 2):
        if not _overlap(a, b):
            continue
        if a.room_id is not None and a.room_id == b.room_id:
            found.append(
                Conflict(
                    "room",
                    (a.id, b.id),
                    _(
                        "%(room)s is booked twice: “%(first)s” and “%(second)s”.",
                        room=a.room.name,
                        first=a.title_fr,
                        second=b.title_fr,
                    ),
                )
            )
        shared = {sp.id for sp in a.speakers} & {sp.id for sp in b.speakers}
        for speaker in (sp for sp in a.speakers if sp.id in shared):
            found.append(
                Conflict(
                    "speaker",
                    (a.id, b.id),
                    _(
                        "%(name)s speaks in two places at once: “%(first)s” and “%(second)s”.",
                        name=speaker.name,
                        first=a.title_fr,
                        second=b.title_fr,
                    ),
                )
            )
    return found
