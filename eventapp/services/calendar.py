"""Calendar files (iCalendar, RFC 5545): one event, the public feed, and the .ics attached to a
participant's confirmation e-mail.

Built with the `icalendar` library. Times are written in UTC (calendar apps show them in the
reader's zone); the UID is stable per event so re-importing updates the entry instead of
duplicating it, and a cancelled event is sent with STATUS:CANCELLED so calendars remove it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from eventapp.models import Event, EventStatus, Registration, RegistrationStatus, utcnow
from eventapp.services.mail import attachment_builder

PRODID = "-//eventapp//bioproduction events//FR"
ICS_MIMETYPE = "text/calendar"


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "eventapp"


def event_uid(event: Event) -> str:
    return f"event-{event.id}@{_host()}"


def _location(event: Event, lang: str) -> str:
    parts = [event.venue, event.address, event.city]
    place = ", ".join(p for p in parts if p)
    if place or not event.online_url:
        return place
    with force_locale(lang):
        return _("Online")


def _calendar_event(event: Event, lang: str, *, url: str, online_url: str | None = None):
    item = CalendarEvent()
    item.add("uid", event_uid(event))
    item.add("dtstamp", utcnow())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title(lang))
    description = event.description(lang).strip()
    if online_url:
        description = f"{description}\n\n{online_url}".strip()
    description = f"{description}\n\n{url}".strip()
    item.add("description", description)
    location = online_url or _location(event, lang)
    if location:
        item.add("location", location)
    item.add("url", url)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    item.add("last-modified", event.updated_at or utcnow())
    return item


def _new_calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        # An X- property is written as is (not escaped like SUMMARY): one line only, or
        # icalendar refuses to build the file.
        calendar.add("x-wr-calname", " ".join(name.split()))
    return calendar


def event_calendar(
    events: Iterable[Event], lang: str, *, name: str | None = None, online_urls: dict | None = None
) -> bytes:
    """An .ics file with the given events. online_urls {event id: url} adds the private
    connection link (only for people registered to an online event)."""
    from eventapp.helpers import external_url

    calendar = _new_calendar(name)
    for event in events:
        url = external_url("public.event", slug=event.slug)
        calendar.add_component(
            _calendar_event(event, lang, url=url, online_url=(online_urls or {}).get(event.id))
        )
    return calendar.to_ical()


def registration_calendar(registration: Registration) -> bytes:
    """The .ics of a participant's event; confirmed participants also get the online link."""
    event = registration.event
    online = {}
    if event.online_url and registration.status == RegistrationStatus.CONFIRMED:
        online[event.id] = event.online_url
    return event_calendar([event], registration.language or "fr", online_urls=online)


def calendar_filename(event: Event) -> str:
    return f"{event.slug}.ics"


def ics_response(body: bytes, filename: str) -> Response:
    """An .ics file to download (the public pages' and the manage page's "Add to calendar")."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@attachment_builder
def registration_ics_attachment(registration: Registration, kind: str):
    """Attach the event to the e-mails of people who hold a seat (a waitlisted person gets it
    when promoted, so nobody's calendar shows an event they may not attend)."""
    if kind not in {"confirmed", "promoted", "reminder_link", "reminder"}:
        return []
    if registration.status != RegistrationStatus.CONFIRMED:
        return []
    return [
        (
            calendar_filename(registration.event),
            ICS_MIMETYPE,
            registration_calendar(registration),
        )
    ]
