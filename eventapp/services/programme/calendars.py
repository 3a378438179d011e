"""Programme calendar files: one session, the whole published programme, a personal agenda.
Built on services/calendar.py (icalendar): stable UIDs per session, so re-importing updates the
entries, and cancelled sessions go out with STATUS:CANCELLED."""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Event as CalendarEvent

from eventapp.models import Event, ProgrammeSession, utcnow
from eventapp.services.calendar import _host, _new_calendar


def session_uid(session: ProgrammeSession) -> str:
    return f"session-{session.id}@{_host()}"


def _item(event: Event, session: ProgrammeSession, lang: str):
    from eventapp.helpers import external_url

    url = external_url("programme.public_session", slug=event.slug, session_id=session.id)
    item = CalendarEvent()
    item.add("uid", session_uid(session))
    item.add("dtstamp", utcnow())
    item.add("dtstart", session.published_starts_at)
    item.add("dtend", session.published_ends_at)
    item.add("summary", session.title(lang))
    names = ", ".join(s.name for s in session.speakers if s.consent_listed)
    description = "\n\n".join(p for p in (session.description(lang).strip(), names, url) if p)
    item.add("description", description)
    room = session.published_room.name if session.published_room else None
    location = ", ".join(p for p in (room, event.venue, event.city) if p)
    if location:
        item.add("location", location)
    item.add("url", url)
    item.add("status", "CANCELLED" if session.published_cancelled else "CONFIRMED")
    item.add("last-modified", session.updated_at or utcnow())
    return item


def sessions_calendar(
    event: Event,
    sessions: Iterable[ProgrammeSession],
    lang: str,
    *,
    name: str,
    extra: Iterable[CalendarEvent] = (),
) -> bytes:
    """The sessions' entries, then `extra` ones (a person's B2B meetings)."""
    calendar = _new_calendar(name)
    for session in sessions:
        calendar.add_component(_item(event, session, lang))
    for item in extra:
        calendar.add_component(item)
    return calendar.to_ical()
