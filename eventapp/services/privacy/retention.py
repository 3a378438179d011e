"""Retention: registrations of events that ended more than PRIVACY_RETENTION_MONTHS ago (24)
are anonymised by `flask privacy purge`, in batches, idempotently (anonymised rows are
skipped), and their uploaded import files deleted. An organiser may anonymise one ended event
earlier (`purge_event`). Ages are written like "24months", "2years", "30days"."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from eventapp import events
from eventapp.extensions import db
from eventapp.models import Event, ImportUpload, Registration, User, utcnow
from eventapp.services import audit
from eventapp.services.privacy.anonymising import anonymise_rows
from eventapp.services.privacy.errors import PrivacyError

DEFAULT_RETENTION_MONTHS = 24
DEFAULT_BATCH_SIZE = 500


_AGE = re.compile(
    r"^\s*(\d{1,4})\s*(d|days?|w|weeks?|m|months?|y|years?)\s*$",
    re.IGNORECASE,
)


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months: 31 March minus one month is 28 (or 29) February."""
    total = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Age:
    months: int = 0
    days: int = 0

    def before(self, moment: datetime) -> datetime:
        """`moment` minus this age."""
        return add_months(moment, -self.months) - timedelta(days=self.days)

    def __str__(self) -> str:
        if self.months:
            return f"{self.months}months"
        return f"{self.days}days"


def parse_age(text: str) -> Age:
    """'24months', '18 months', '2years', '30days', '6w' -> Age. ValueError otherwise."""
    match = _AGE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an age like 24months, 2years or 30days")
    number, unit = int(match.group(1)), match.group(2).lower()[0]
    if unit == "y":
        return Age(months=12 * number)
    if unit == "m":
        return Age(months=number)
    if unit == "w":
        return Age(days=7 * number)
    return Age(days=number)


def retention_months() -> int:
    return int(current_app.config.get("PRIVACY_RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS))


def retention_ends_at(event: Event) -> datetime:
    """When the registrations of `event` are anonymised by the retention purge."""
    return add_months(event.ends_at, retention_months())


def anonymise_batch(event_ids: Sequence[int], batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Anonymise up to `batch_size` not-yet-anonymised registrations of these events (status
    kept). Returns how many; 0 means the events are done."""
    if not event_ids:
        return 0
    batch = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id.in_(event_ids), Registration.anonymised_at.is_(None))
            .order_by(Registration.id)
            .limit(batch_size)
        )
    )
    if batch:
        anonymise_rows(batch, utcnow())
    return len(batch)


def _drop_import_files(event_ids: Sequence[int]) -> int:
    """Uploaded attendee files hold the same personal data: they go with the registrations."""
    result = db.session.execute(
        delete(ImportUpload)
        .where(ImportUpload.event_id.in_(event_ids))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def events_to_purge(older_than: Age, now: datetime | None = None) -> list[Event]:
    """Events that ended before now - older_than and still hold personal data."""
    cutoff = older_than.before(now or utcnow())
    pending = select(Registration.event_id).where(Registration.anonymised_at.is_(None))
    with_files = select(ImportUpload.event_id)
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.ends_at < cutoff, Event.id.in_(pending.union(with_files)))
            .order_by(Event.ends_at, Event.id)
        )
    )


def purge_event(
    event: Event,
    user: User | None,
    *,
    actor: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
    **details: Any,
) -> int:
    """Anonymise every registration of one ended event (an organiser's button, or the CLI's
    retention run) and drop its uploaded import files, in the caller's transaction; audit-logged
    when something changed. Refused (PrivacyError 'not_ended') while the event has not ended:
    its attendee list is still needed. Returns how many registrations were anonymised."""
    if not event.has_ended(now):
        raise PrivacyError(PrivacyError.Code.NOT_ENDED)
    total = 0
    while done := anonymise_batch([event.id], batch_size):
        total += done
    finish_event_purge(event.id, total, user=user, actor=actor, **details)
    return total


def finish_event_purge(
    event_id: int, anonymised: int, *, user: User | None = None, actor: str | None = None, **details
) -> None:
    """Last step of an event's purge: drop its import files, audit-log what was done."""
    files = _drop_import_files([event_id])
    if anonymised or files:
        audit.record(
            "privacy.event_purged",
            user=user,
            actor=actor,
            event_id=event_id,
            anonymised=anonymised,
            import_files_deleted=files,
            **details,
        )
        db.session.flush()
        events.record(
            "privacy.purged", event_id=event_id, anonymised=anonymised, import_files=files
        )
