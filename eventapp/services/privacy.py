"""Personal data: what a participant can download about themselves, erasure, and the retention
purge.

Rules:
- Anonymising a registration removes the person (first and last name replaced by a neutral
  marker, e-mail NULL, organisation and job title emptied, manage token and ticket code
  replaced by fresh random values so old links and tickets open nothing) and keeps what the
  statistics need: event, category, region, status, source, language, timestamps, check-in.
  E-mails already sent to them lose their recipient, body and attachments (kind, subject and
  date stay); e-mails not sent yet are dropped.
- Erasure asked by the participant: for an event that has not ended, the registration is first
  cancelled through the seat rule (`registrations.cancel`), so the seat goes to the first
  waitlisted person, who is e-mailed; then it is anonymised. For an event that has ended there
  is no seat to free: it is anonymised with its status kept, so attendance figures stay right.
- Retention: registrations of events that ended more than PRIVACY_RETENTION_MONTHS ago (24)
  are anonymised by `flask privacy purge`, in batches, idempotently (anonymised rows are
  skipped). An organiser may anonymise one ended event earlier (`purge_event`).

Services flush; callers commit (the CLI commits once per batch).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    AuditLog,
    Event,
    ImportUpload,
    OutboxMessage,
    OutboxStatus,
    Registration,
    User,
    utcnow,
)
from eventapp.models.registration import new_manage_token, new_ticket_code
from eventapp.services import audit
from eventapp.services import registrations as registrations_service
from eventapp.services.counts import waitlist_positions

ANONYMISED_NAME = "—"
DEFAULT_RETENTION_MONTHS = 24
DEFAULT_BATCH_SIZE = 500


class PrivacyError(Exception):
    """A privacy rule refused the request; `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- ages: "24months", "2years", "30days" ------------------------------------------------------

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


# --- anonymisation -----------------------------------------------------------------------------


def _scrub_outbox(registration_ids: Sequence[int]) -> None:
    """Mail to these people: unsent messages are dropped, sent ones keep kind/subject/date."""
    if not registration_ids:
        return
    db.session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.registration_id.in_(registration_ids),
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id.in_(registration_ids))
        .values(recipient="", body_text="", body_html=None, attachments=[], last_error=None)
        .execution_options(synchronize_session=False)
    )


def _anonymise_rows(registrations: Sequence[Registration], now: datetime) -> None:
    for registration in registrations:
        registration.first_name = ANONYMISED_NAME
        registration.last_name = ANONYMISED_NAME
        registration.email = None
        registration.organisation_name = ""
        registration.job_title = ""
        registration.manage_token = new_manage_token()
        registration.ticket_code = new_ticket_code()
        registration.anonymised_at = now
    db.session.flush()
    _scrub_outbox([r.id for r in registrations])


def anonymise(registration: Registration) -> bool:
    """Anonymise one registration without touching its status. False if it already was."""
    if registration.anonymised_at is not None:
        return False
    _anonymise_rows([registration], utcnow())
    return True


def registrations_of_person(registration: Registration) -> list[Registration]:
    """Every registration held for the same e-mail as `registration` (the manage link proves
    the holder received mail at that address), oldest event first."""
    if not registration.email:
        return [registration]
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.email == registration.email)
            .options(joinedload(Registration.event))
            .order_by(Registration.event_id, Registration.id)
        )
    )


def erase(registrations: Iterable[Registration], now: datetime | None = None) -> list[int]:
    """The participant's right to erasure, for one or several of their registrations.

    Live registrations of events that have not ended are cancelled first through the seat rule
    (their seat goes to the waiting list, whose promoted person is e-mailed). Events are taken
    in id order, like `register`, so two erasures cannot deadlock. Returns the ids anonymised.
    """
    now = now or utcnow()
    chosen = sorted(registrations, key=lambda r: (r.event_id, r.id))
    for event_id in sorted({r.event_id for r in chosen}):
        lock_event_row(event_id)
    # Re-read under the lock: a concurrent erasure (double click, two tabs) may have won.
    for registration in chosen:
        db.session.refresh(registration, attribute_names=["anonymised_at", "status"])
    targets = [r for r in chosen if r.anonymised_at is None]
    for registration in targets:
        if not registration.event.has_ended(now):
            # The promoted person is e-mailed; a "cancelled" e-mail to an address being erased
            # would only be scrubbed again.
            registrations_service.cancel(registration, actor="participant", notify=False)
    for registration in targets:
        audit.record(
            "registration.erased",
            actor="participant",
            event_id=registration.event_id,
            registration_id=registration.id,
            status=str(registration.status),
        )
    _anonymise_rows(targets, now)
    return [r.id for r in targets]


# --- retention purge ---------------------------------------------------------------------------


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
        _anonymise_rows(batch, utcnow())
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
        raise PrivacyError("not_ended")
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


# --- right of access -----------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_PRIVATE_DETAIL_KEYS = ("user", "email", "by", "ip", "password", "token")


def _safe_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Audit details without anything about other people (staff ids, addresses)."""
    from eventapp.privacy.logging import mask_emails  # the package imports this module

    safe = {}
    for key, value in (details or {}).items():
        if any(marker in key.lower() for marker in _PRIVATE_DETAIL_KEYS):
            continue
        if isinstance(value, str):
            value = mask_emails(value)
        elif isinstance(value, list | tuple):
            value = [mask_emails(v) if isinstance(v, str) else v for v in value]
        elif isinstance(value, dict):
            continue
        safe[key] = value
    return safe


def _actor_label(entry: AuditLog) -> str:
    if entry.actor == "user":
        return "organiser"
    return entry.actor


def export_person(registration: Registration, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person who holds this manage link, as JSON-ready data: their
    registrations (same e-mail), the audit lines about them (no staff identities), and the
    e-mails sent to them (kind, subject, dates; not bodies)."""
    from eventapp.services.tokens import expires_at

    now = now or utcnow()
    registrations = registrations_of_person(registration)
    ids = [r.id for r in registrations]
    positions = waitlist_positions(registrations)
    audit_rows = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.registration_id.in_(ids))
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    outbox_rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id.in_(ids))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return {
        "generated_at": now.isoformat(),
        "email": registration.email,
        "registrations": [
            {
                "id": r.id,
                "event": {
                    "slug": r.event.slug,
                    "title_fr": r.event.title_fr,
                    "title_en": r.event.title_en,
                    "starts_at": _iso(r.event.starts_at),
                    "ends_at": _iso(r.event.ends_at),
                    "city": r.event.city,
                },
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "organisation_name": r.organisation_name,
                "job_title": r.job_title,
                "category": str(r.category),
                "region": str(r.region) if r.region else None,
                "language": r.language,
                "status": str(r.status),
                "waitlist_position": positions.get(r.id),
                "source": str(r.source),
                "ticket_code": r.ticket_code,
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
                "consent_at": _iso(r.consent_at),
                "consent_version": r.consent_version,
                "cancelled_at": _iso(r.cancelled_at),
                "promoted_at": _iso(r.promoted_at),
                "checked_in_at": _iso(r.checked_in_at),
                "manage_link_valid_until": _iso(expires_at(r)),
                "anonymised_on_or_after": _iso(retention_ends_at(r.event)),
            }
            for r in registrations
        ],
        "history": [
            {
                "at": _iso(entry.created_at),
                "registration_id": entry.registration_id,
                "action": entry.action,
                "by": _actor_label(entry),
                "details": _safe_details(entry.details),
            }
            for entry in audit_rows
        ],
        "emails": [
            {
                "registration_id": message.registration_id,
                "kind": message.kind,
                "subject": message.subject,
                "status": str(message.status),
                "queued_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in outbox_rows
        ],
    }


def retention_months() -> int:
    return int(current_app.config.get("PRIVACY_RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS))


def retention_ends_at(event: Event) -> datetime:
    """When the registrations of `event` are anonymised by the retention purge."""
    return add_months(event.ends_at, retention_months())
