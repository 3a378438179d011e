"""Scheduled mailings going out: the `mailings.send_due` job (eventapp/jobs/tasks.py) runs
`send_due`, each due mailing in its own write transaction, its recipients from the attendee
list's filter as the list is at that time."""

from __future__ import annotations

from datetime import datetime

from eventapp.database import end_read, write_transaction
from eventapp.models import Event
from eventapp.organiser.attendees.query import AttendeeFilter, registrations_query
from eventapp.services import messaging


def _recipients_query(event: Event, filters: dict):
    return registrations_query([event.id], AttendeeFilter.from_dict(filters))


def send_due(now: datetime | None = None) -> dict[int, int]:
    """{mailing id: messages queued} for the scheduled mailings due at `now` (those claimed by
    a concurrent run or cancelled meanwhile are skipped)."""
    ids = messaging.due_mailing_ids(now)
    end_read()
    sent: dict[int, int] = {}
    for mailing_id in ids:
        with write_transaction():
            queued = messaging.send_scheduled(mailing_id, _recipients_query, now)
        if queued is not None:
            sent[mailing_id] = queued
    return sent
