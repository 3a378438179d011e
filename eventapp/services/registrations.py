"""Registration rules: seats, waiting list, duplicates, cancellation and promotion.

The seat rule lives in one place, `_seat_status()`: a registration is confirmed while the
event's taken seats (confirmed + held waiting-list offers: services/counts.taken_clause) are
below its capacity (or capacity is unlimited, or an organiser explicitly overrides it), and
waitlisted otherwise. A freed seat goes to the waiting list as an offer (services/offers.py).
Every path that adds or re-activates a registration (public form, organiser, import, walk-in)
goes through it, after taking the event's write lock (`lock_event_row`), so the check and the
write are one atomic step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.attributes import set_committed_value

from eventapp import events as domain_events
from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    ActorCategory,
    Booking,
    Event,
    EventStatus,
    Region,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.questions.fields import EDITABLE_FIELDS  # the one field model
from eventapp.services import audit, offers
from eventapp.services import mail as mail_service
from eventapp.services.counts import confirmed_count, taken_clause, taken_count
from eventapp.services.errors import ServiceError
from eventapp.text import normalise_email


class RegistrationError(ServiceError):
    """A registration rule was not met; `code` says which (one message per code below)."""

    kind = "registration"

    class Code(StrEnum):
        NO_EVENT = "no_event"
        TOUR = "tour"
        DRAFT = "draft"
        CANCELLED = "cancelled"
        ENDED = "ended"
        NOT_YET_OPEN = "not_yet_open"
        CLOSED = "closed"
        FULL = "full"
        NOT_WAITLISTED = "not_waitlisted"
        NOT_CANCELLED = "not_cancelled"
        ANONYMISED = "anonymised"
        DUPLICATE = "duplicate"
        NEGATIVE_CAPACITY = "negative_capacity"
        BELOW_CONFIRMED = "below_confirmed"
        BELOW_TAKEN = "below_taken"
        SAME_EVENT = "same_event"
        NOT_LIVE = "not_live"
        ALREADY_REGISTERED = "already_registered"

    MESSAGES = {
        Code.NO_EVENT: _l("Choose at least one event."),
        Code.TOUR: _l("People register for the stages of a tour, not for the tour itself."),
        Code.DRAFT: _l("This event is not published."),
        Code.CANCELLED: _l("This event is cancelled: registration is closed."),
        Code.ENDED: _l("This event is over: registration is closed."),
        Code.NOT_YET_OPEN: _l("Registration for this event is not open yet."),
        Code.CLOSED: _l("Registration for this event is closed."),
        Code.FULL: _l(
            "The event is full. Tick the over-capacity box to register this person anyway "
            "(it is recorded in the log)."
        ),
        Code.NOT_WAITLISTED: _l("This person is no longer on the waiting list."),
        Code.NOT_CANCELLED: _l("This registration is not cancelled."),
        Code.ANONYMISED: _l("This registration was anonymised: it cannot be re-activated."),
        Code.DUPLICATE: _l(
            "This person has registered again since: their newer registration is the live one."
        ),
        Code.NEGATIVE_CAPACITY: _l("The capacity cannot be negative."),
        Code.BELOW_CONFIRMED: lambda info: ngettext(
            "The capacity cannot be lower than the %(num)s confirmed participant. Cancel "
            "registrations first, or choose a capacity of at least %(num)s.",
            "The capacity cannot be lower than the %(num)s confirmed participants. Cancel "
            "registrations first, or choose a capacity of at least %(num)s.",
            info.get("confirmed", 0),
        ),
        Code.BELOW_TAKEN: lambda info: ngettext(
            "The capacity cannot be lower than the %(num)s seat taken (confirmed participants "
            "and places held by open waiting-list offers). Wait for the offers' answers, or "
            "choose a capacity of at least %(num)s.",
            "The capacity cannot be lower than the %(num)s seats taken (confirmed participants "
            "and places held by open waiting-list offers). Wait for the offers' answers, or "
            "choose a capacity of at least %(num)s.",
            info.get("taken", 0),
        ),
        Code.SAME_EVENT: _l("This person is already registered for this event."),
        Code.NOT_LIVE: _l("This registration is cancelled: register the person again first."),
        Code.ALREADY_REGISTERED: _l(
            "This person already has a registration for that event: nothing was moved."
        ),
    }
    STATUS = {
        Code.NO_EVENT: 422,
        Code.TOUR: 422,
        Code.DRAFT: 404,  # a draft is not public: the public does not learn it exists
        Code.NEGATIVE_CAPACITY: 422,
        Code.SAME_EVENT: 422,
    }

    def __init__(
        self, code: RegistrationError.Code, event: Event | None = None, *, field=None, **info
    ):
        super().__init__(code, field=field, **info)
        self.event = event


Code = RegistrationError.Code


@dataclass
class Participant:
    first_name: str
    last_name: str
    email: str
    category: ActorCategory | str
    organisation_name: str = ""
    job_title: str = ""
    region: Region | str | None = None
    language: str = "fr"
    consent_at: datetime | None = None
    consent_version: str | None = None


@dataclass
class Outcome:
    event: Event
    registration: Registration
    created: bool  # False: this e-mail already had a live registration; nothing was changed

    @property
    def status(self) -> RegistrationStatus:
        return self.registration.status


# --- the seat rule --------------------------------------------------------------------------


def _seat_status(
    event: Event, override_capacity: bool, taken: int | None = None
) -> RegistrationStatus:
    """The one seat rule. Call only while holding the event's lock (`taken`: the taken count
    read under it, if the caller has it: confirmed + held offers)."""
    if override_capacity or event.capacity is None:
        return RegistrationStatus.CONFIRMED
    if taken is None:
        taken = taken_count(event.id)
    if taken < event.capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def _over_capacity(event: Event, override_capacity: bool, taken: int | None = None) -> bool:
    """Whether the organiser's override is what lets this person in (the event is full), as
    the audit log records it. Read under the lock, before the write."""
    return override_capacity and _seat_status(event, False, taken) != RegistrationStatus.CONFIRMED


def _lock(event: Event) -> None:
    lock_event_row(event.id)
    # Re-read capacity and status: another transaction may have changed them before our lock.
    db.session.refresh(event, attribute_names=["capacity", "status"])


def _seat_facts_statement():
    """Built once (a rush runs it for every submission): capacity, status, taken count and
    the live registration of an e-mail, for one event."""
    event_id, email = bindparam("event_id"), bindparam("email")
    taken = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, taken_clause())
        .scalar_subquery()
    )
    existing = (
        select(Registration.id)
        .where(
            Registration.event_id == event_id,
            Registration.email == email,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .limit(1)
        .scalar_subquery()
    )
    return select(Event.capacity, Event.status, taken, existing).where(Event.id == event_id)


_SEAT_FACTS = _seat_facts_statement()


def _lock_and_read(event: Event, email: str) -> tuple[int, int | None]:
    """Lock the event, then read in one statement what the seat rule decides on: its capacity
    and status (set on `event`), its taken count, and the id of `email`'s live registration.

    The read comes after the lock, never inside the locking statement: on PostgreSQL a
    subquery of a SELECT ... FOR UPDATE that waited for the lock would still see the rows as
    they were before the wait."""
    lock_event_row(event.id)
    capacity, status, taken, existing_id = db.session.execute(
        _SEAT_FACTS, {"event_id": event.id, "email": email}
    ).one()
    set_committed_value(event, "capacity", capacity)
    set_committed_value(event, "status", status)
    return int(taken), existing_id


def _live_registration(event_id: int, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.email == email,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


def ensure_open(event: Event, source: RegistrationSource, now: datetime | None = None) -> None:
    """Public registrations need an open window on a published event. Organisers (by hand,
    import, walk-in) may add people outside the window, but never to a cancelled event or to a
    tour itself (people register for its stages)."""
    state = event.registration_state(now)
    if state == "tour":
        raise RegistrationError(Code.TOUR, event)
    if state == "cancelled":
        raise RegistrationError(Code.CANCELLED, event)
    if source == RegistrationSource.PUBLIC and state != "open":
        raise RegistrationError(Code(state), event)


def register(
    events: Sequence[Event],
    person: Participant,
    *,
    source: RegistrationSource = RegistrationSource.PUBLIC,
    user: User | None = None,
    override_capacity: bool = False,
    notify: bool = True,
    now: datetime | None = None,
    booking: Booking | None = None,
) -> list[Outcome]:
    """Register one person for one or several events (e.g. tour stages), each with its own seat
    count and waiting list.

    All events are checked before anything is written, so a closed stage refuses the whole
    submission. An e-mail that already has a live registration for an event creates nothing
    new; the outcome says created=False and the manage link is e-mailed again. Events are
    locked in id order so concurrent multi-stage submissions cannot deadlock.
    """
    if not events:
        raise RegistrationError(Code.NO_EVENT)
    if override_capacity and user is None:
        raise ValueError("override_capacity needs an organiser (user)")
    email = normalise_email(person.email)
    ordered = sorted({e.id: e for e in events}.values(), key=lambda e: e.id)
    for event in ordered:
        ensure_open(event, source, now)

    outcomes = []
    for event in ordered:
        taken, existing_id = _lock_and_read(event, email)
        ensure_open(event, source, now)
        if existing_id is not None:
            existing = db.session.get(Registration, existing_id)
            outcomes.append(Outcome(event, existing, created=False))
            if notify:
                mail_service.notify_registration(existing, "reminder_link")
            continue
        status = _seat_status(event, override_capacity, taken)
        registration = Registration(
            event=event,
            event_id=event.id,
            first_name=person.first_name.strip(),
            last_name=person.last_name.strip(),
            email=email,
            organisation_name=(person.organisation_name or "").strip(),
            job_title=(person.job_title or "").strip(),
            category=ActorCategory(person.category),
            region=Region(person.region) if person.region else None,
            language=person.language if person.language in ("fr", "en") else "fr",
            status=status,
            source=source,
            consent_at=person.consent_at,
            consent_version=person.consent_version,
        )
        if booking is not None:  # else the model gives it a booking of its own at the flush
            registration.booking = booking
        # Written with the e-mail below at the next flush. Under the lock, the duplicate check
        # above is the rule; the database's unique index stays the backstop (a path that
        # skipped the lock gets an IntegrityError for the whole transaction).
        db.session.add(registration)
        if user is not None or override_capacity:
            db.session.flush()  # the audit record names the registration's id
            over = _over_capacity(event, override_capacity, taken)
            audit.record(
                "registration.created",
                user=user,
                event_id=event.id,
                registration_id=registration.id,
                source=str(source),
                status=str(status),
                capacity_override=over,
            )
        outcomes.append(Outcome(event, registration, created=True))
        if notify:
            mail_service.notify_registration(registration, str(status))
    db.session.flush()  # one flush for the registrations and their e-mails: ids are known
    for outcome in outcomes:
        if outcome.created:
            domain_events.record(
                "registration.created",
                event_id=outcome.event.id,
                registration_id=outcome.registration.id,
                status=str(outcome.registration.status),
                source=str(source),
            )
    return outcomes


def cancel(
    registration: Registration,
    *,
    user: User | None = None,
    actor: str | None = None,
    notify: bool = True,
) -> list[Registration]:
    """Cancel a registration. A seat that frees up (a confirmed one, or one held by an open
    offer) is offered to the first person waiting in the same transaction (services/offers),
    who is always e-mailed; `notify` is about the cancelled person only. Returns the
    registrations offered the seat (or confirmed, where offers do not apply). Cancelling twice
    is a no-op."""
    event = registration.event
    _lock(event)
    db.session.refresh(registration, attribute_names=["status", "offer_expires_at"])
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    held_a_seat = was_confirmed or offers.has_open_offer(registration)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    registration.offer_expires_at = None
    audit.record(
        "registration.cancelled",
        user=user,
        actor=actor or ("user" if user else "participant"),
        event_id=event.id,
        registration_id=registration.id,
        previous_status="confirmed" if was_confirmed else "waitlisted",
    )
    if notify and registration.email:
        mail_service.notify_registration(registration, "cancelled")
    db.session.flush()
    domain_events.record(
        "registration.cancelled",
        event_id=event.id,
        registration_id=registration.id,
        previous_status="confirmed" if was_confirmed else "waitlisted",
    )
    _record_booking_cancelled(registration)
    if not held_a_seat:
        return []
    return offers.fill_free_seats(event, user=user)


def _record_booking_cancelled(registration: Registration) -> None:
    """The booking's last live registration is cancelled: the booking is (a webhook event)."""
    if registration.booking_id is None:
        return
    live = db.session.scalar(
        select(Registration.id)
        .where(
            Registration.booking_id == registration.booking_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .limit(1)
    )
    if live is None:
        booking = db.session.get(Booking, registration.booking_id)
        domain_events.record(
            "booking.cancelled",
            event_id=booking.event_id or registration.event_id,
            booking_id=booking.id,
        )


def promote(
    registration: Registration, *, user: User, override_capacity: bool = False, notify: bool = True
) -> None:
    """An organiser moves a waitlisted person to confirmed, out of turn if they wish. Without a
    free seat it needs override_capacity (logged); someone holding an offer already has theirs
    (the offer is then accepted on their behalf)."""
    event = registration.event
    _lock(event)
    db.session.refresh(registration, attribute_names=["status", "offer_expires_at"])
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError(Code.NOT_WAITLISTED, event)
    holds_seat = offers.has_open_offer(registration)
    over = not holds_seat and _over_capacity(event, override_capacity)
    if not holds_seat and _seat_status(event, override_capacity) != RegistrationStatus.CONFIRMED:
        raise RegistrationError(Code.FULL, event)
    registration.status = RegistrationStatus.CONFIRMED
    registration.promoted_at = utcnow()
    registration.offer_expires_at = None
    audit.record(
        "registration.promoted",
        user=user,
        event_id=event.id,
        registration_id=registration.id,
        capacity_override=over,
    )
    if notify:
        mail_service.notify_registration(registration, "promoted")
    db.session.flush()
    domain_events.record(
        "registration.promoted",
        event_id=event.id,
        registration_id=registration.id,
        automatic=False,
    )


def reconfirm(
    registration: Registration, *, user: User, override_capacity: bool = False, notify: bool = True
) -> RegistrationStatus:
    """An organiser re-activates a cancelled registration; the seat rule decides confirmed or
    waitlisted. Refused if the same e-mail has registered again since, or if it was erased."""
    event = registration.event
    _lock(event)
    db.session.refresh(registration, attribute_names=["status"])
    if registration.status != RegistrationStatus.CANCELLED:
        raise RegistrationError(Code.NOT_CANCELLED, event)
    if registration.anonymised_at is not None or not registration.email:
        raise RegistrationError(Code.ANONYMISED, event)
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError(Code.CANCELLED, event)
    if _live_registration(event.id, registration.email) is not None:
        raise RegistrationError(Code.DUPLICATE, event)
    over = _over_capacity(event, override_capacity)
    status = _seat_status(event, override_capacity)
    registration.status = status
    registration.cancelled_at = None
    audit.record(
        "registration.reconfirmed",
        user=user,
        event_id=event.id,
        registration_id=registration.id,
        status=str(status),
        capacity_override=over,
    )
    if notify:
        mail_service.notify_registration(registration, str(status))
    db.session.flush()
    domain_events.record(
        "registration.reconfirmed",
        event_id=event.id,
        registration_id=registration.id,
        status=str(status),
    )
    return status


def change_capacity(event: Event, capacity: int | None, *, user: User | None) -> list[Registration]:
    """Set an event's capacity. Below the confirmed count it is refused (code
    'below_confirmed', info confirmed=N), below the seats taken with the open offers too
    ('below_taken', taken=N); a rise offers the new seats to the waiting list in order, in the
    same transaction (services/offers). Returns those offered."""
    if capacity is not None and capacity < 0:
        raise RegistrationError(Code.NEGATIVE_CAPACITY, event, field="capacity")
    _lock(event)
    confirmed = confirmed_count(event.id)
    if capacity is not None and capacity < confirmed:
        raise RegistrationError(Code.BELOW_CONFIRMED, event, field="capacity", confirmed=confirmed)
    taken = taken_count(event.id)
    if capacity is not None and capacity < taken:
        raise RegistrationError(Code.BELOW_TAKEN, event, field="capacity", taken=taken)
    previous = event.capacity
    event.capacity = capacity
    db.session.flush()
    if previous != capacity:
        audit.record(
            "event.capacity_changed",
            user=user,
            event_id=event.id,
            previous=previous,
            capacity=capacity,
        )
        domain_events.record(
            "event.capacity_changed", event_id=event.id, previous=previous, capacity=capacity
        )
    return offers.fill_free_seats(event, user=user)


def update_details(
    registration: Registration,
    changes: dict,
    *,
    user: User | None = None,
    actor: str | None = None,
) -> dict:
    """Correct a registration's name, organisation, job title, category or region (the
    participant from their manage page, or an organiser). Returns {field: (old, new)} of what
    changed; the audit log keeps the field names, not the personal values."""
    changed = {}
    for field in EDITABLE_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if isinstance(value, str):
            value = value.strip()
        if field == "category":
            value = ActorCategory(value)
        if field == "region":
            value = Region(value) if value else None
        old = getattr(registration, field)
        if old != value:
            setattr(registration, field, value)
            changed[field] = (old, value)
    if changed:
        audit.record(
            "registration.updated",
            user=user,
            actor=actor or ("user" if user else "participant"),
            event_id=registration.event_id,
            registration_id=registration.id,
            fields=sorted(changed),
        )
        db.session.flush()
        domain_events.record(
            "registration.updated",
            event_id=registration.event_id,
            registration_id=registration.id,
            fields=sorted(changed),
        )
    return changed


def move(
    registration: Registration,
    target: Event,
    *,
    user: User,
    override_capacity: bool = False,
    notify: bool = True,
) -> tuple[Outcome, list[Registration]]:
    """An organiser moves a person to another event (another stage of the tour, the other day
    of a congress). The new registration goes through the target's seat rule (waitlisted when
    full, unless override_capacity, logged); the old one is then cancelled, which gives its
    seat to the first waitlisted person. Both events are locked, in id order. Refused when the
    registration is not live, was erased, or the person is already registered for the target.
    Returns the new registration's outcome and the people promoted at the source."""
    source = registration.event
    if target.id == source.id:
        raise RegistrationError(Code.SAME_EVENT, target)
    for event in sorted((source, target), key=lambda e: e.id):
        _lock(event)
    db.session.refresh(registration, attribute_names=["status"])
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(Code.NOT_LIVE, source)
    if registration.anonymised_at is not None or not registration.email:
        raise RegistrationError(Code.ANONYMISED, source)
    if _live_registration(target.id, registration.email) is not None:
        raise RegistrationError(Code.ALREADY_REGISTERED, target)
    person = Participant(
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        category=registration.category,
        organisation_name=registration.organisation_name,
        job_title=registration.job_title,
        region=registration.region,
        language=registration.language,
        consent_at=registration.consent_at,
        consent_version=registration.consent_version,
    )
    [outcome] = register(
        [target],
        person,
        source=RegistrationSource.ORGANISER,
        user=user,
        override_capacity=override_capacity,
        notify=notify,
    )
    # A transfer, not a new registration: the original date stays (the list, the exports and
    # the person's page show when they registered), and where they came from is recorded.
    outcome.registration.created_at = registration.created_at
    outcome.registration.transferred_from_id = registration.id
    # The new event's e-mail tells the person; no separate "cancelled" message for the old one.
    promoted = cancel(registration, user=user, notify=False)
    audit.record(
        "registration.moved",
        user=user,
        event_id=source.id,
        registration_id=registration.id,
        to_event_id=target.id,
        to_registration_id=outcome.registration.id,
        status=str(outcome.status),
    )
    audit.record(
        "registration.moved_in",
        user=user,
        event_id=target.id,
        registration_id=outcome.registration.id,
        from_event_id=source.id,
        from_registration_id=registration.id,
    )
    db.session.flush()
    domain_events.record(
        "registration.moved",
        event_id=source.id,
        registration_id=registration.id,
        to_event_id=target.id,
        to_registration_id=outcome.registration.id,
    )
    return outcome, promoted
