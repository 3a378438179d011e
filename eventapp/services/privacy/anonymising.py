"""Anonymising registrations, and erasure at the participant's request.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from eventapp import events
from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import OutboxMessage, OutboxStatus, Registration, utcnow
from eventapp.models.registration import new_manage_token, new_ticket_code
from eventapp.questions import answers as answer_service
from eventapp.services import audit, bookings
from eventapp.services import registrations as registrations_service
from eventapp.services.b2b import privacy as b2b_privacy

ANONYMISED_NAME = "—"


def _scrub_outbox(registration_ids: Sequence[int]) -> None:
    """Mail to these people: unsent messages are dropped, sent ones keep kind/subject/date."""
    if not registration_ids:
        return
    db.session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.registration_id.in_(registration_ids),
            OutboxMessage.status.in_(
                [OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.BOUNCED]
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id.in_(registration_ids))
        .values(recipient="", body_text="", body_html=None, attachments=[], last_error=None)
        .execution_options(synchronize_session=False)
    )


def anonymise_rows(registrations: Sequence[Registration], now: datetime) -> None:
    # B2B participations, requests and meetings go with the registration (services/b2b).
    b2b_privacy.before_anonymising(registrations)
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
    # Their answers to the registration questions (files included) go with them.
    answer_service.erase_for([r.id for r in registrations], [r.booking_id for r in registrations])
    # The booking's own copy of the booker's names and e-mail goes with its last registration.
    bookings.scrub_bookings(r.booking_id for r in registrations)


def anonymise(registration: Registration) -> bool:
    """Anonymise one registration without touching its status. False if it already was."""
    if registration.anonymised_at is not None:
        return False
    anonymise_rows([registration], utcnow())
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
    b2b_privacy.erase_profiles(targets)  # the directory profile follows the person: it goes
    anonymise_rows(targets, now)
    for registration in targets:
        events.record(
            "registration.erased",
            event_id=registration.event_id,
            registration_id=registration.id,
        )
    return [r.id for r in targets]
