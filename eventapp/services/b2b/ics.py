"""A participant's B2B meetings as calendar entries (VEVENT): time, table and the other
person's name and organisation, never an e-mail. Shared by the B2B meetings' own .ics and the
personal programme's .ics (issue 18: "merged with the programme sign-ups ... and its .ics")."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Event as CalendarEvent

from eventapp.services.b2b.listing import AgendaItem
from eventapp.services.calendar import _host


def meeting_uid(meeting_id: int) -> str:
    return f"b2b-meeting-{meeting_id}@{_host()}"


def meeting_entries(items: Iterable[AgendaItem], lang: str) -> list[CalendarEvent]:
    """One VEVENT per agenda item, its texts in `lang`."""
    entries = []
    with force_locale(lang):
        for item in items:
            entry = CalendarEvent()
            entry.add("uid", meeting_uid(item.meeting_id))
            entry.add("dtstamp", item.starts_at)
            entry.add("dtstart", item.starts_at)
            entry.add("dtend", item.ends_at)
            entry.add(
                "summary",
                _(
                    "B2B meeting: %(name)s (%(organisation)s)",
                    name=item.other_name,
                    organisation=item.other_organisation,
                ),
            )
            table = _("Table %(number)s", number=item.table_number)
            entry.add("location", f"{table} · {item.location}" if item.location else table)
            entries.append(entry)
    return entries
