"""Bookings (orders): one person for several stages of a tour, or a booker for colleagues, with
one manage link and one e-mail. The seat rule stays in services/registrations.py: `book()` calls
`registrations.register()` once per attendee, in the one transaction of the request.

Personal data: a booking holds the booker's names and e-mail. They are kept while one of its
registrations still holds personal data, and anonymised with the last of them (the retention
purge and erasure both go through privacy's `anonymise_rows`, which calls `scrub_bookings`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.orm import selectinload

from eventapp import events as domain_events
from eventapp.extensions import db
from eventapp.models import (
    Booking,
    Event,
    OutboxMessage,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    utcnow,
)
from eventapp.models.booking import new_booking_token
from eventapp.services import mail as mail_service
from eventapp.services import registrations as registrations_service
from eventapp.services import tickets
from eventapp.services.counts import waitlist_positions
from eventapp.services.errors import ServiceError
from eventapp.services.registrations import Outcome, Participant
from eventapp.text import normalise_email

ANONYMISED_NAME = "—"


def scrub_bookings(booking_ids: Iterable[int]) -> int:
    """Anonymise the bookings among these whose registrations are all anonymised. Returns how
    many were."""
    ids = sorted({i for i in booking_ids if i is not None})
    if not ids:
        return 0
    holding = exists().where(
        Registration.booking_id == Booking.id, Registration.anonymised_at.is_(None)
    )
    done = list(
        db.session.scalars(
            select(Booking).where(Booking.id.in_(ids), Booking.anonymised_at.is_(None), ~holding)
        )
    )
    now = utcnow()
    for booking in done:
        booking.first_name = ANONYMISED_NAME
        booking.last_name = ANONYMISED_NAME
        booking.email = None
        booking.manage_token = new_booking_token()
        booking.anonymised_at = now
    db.session.flush()
    return len(done)


def scrub_orphans() -> int:
    """Bookings left without any registration (their events were deleted): anonymised."""
    orphans = select(Booking.id).where(
        Booking.anonymised_at.is_(None),
        ~exists().where(Registration.booking_id == Booking.id),
    )
    result = db.session.execute(
        update(Booking)
        .where(Booking.id.in_(orphans))
        .values(
            first_name=ANONYMISED_NAME,
            last_name=ANONYMISED_NAME,
            email=None,
            anonymised_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def booking_ids_of(registrations: Sequence[Registration]) -> set[int]:
    return {r.booking_id for r in registrations}


# --- making a booking -----------------------------------------------------------------------


class BookingError(ServiceError):
    """A booking rule was not met (the seat rules answer with RegistrationError)."""

    kind = "booking"

    class Code(StrEnum):
        NOT_IN_TOUR = "not_in_tour"
        ALREADY_BOOKED = "already_booked"
        NOT_LIVE = "not_live"
        CANCELLED = "cancelled"
        NOT_PROCESSED = "not_processed"

    MESSAGES = {
        Code.NOT_IN_TOUR: _l("This stage is not part of the booking's tour."),
        Code.ALREADY_BOOKED: _l("This stage is already in your booking."),
        Code.NOT_LIVE: _l("Nothing is left to change: every registration is cancelled."),
        Code.CANCELLED: _l("This registration is already cancelled."),
        Code.NOT_PROCESSED: _l("Your registration could not be processed. Please send it again."),
    }
    STATUS = {Code.NOT_IN_TOUR: 422}


@dataclass
class BookingResult:
    booking: Booking | None  # None when nothing new was registered (every seat already held)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def created(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.created]

    @property
    def existing(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.created]


def book(
    events: Sequence[Event],
    attendees: Sequence[Participant],
    *,
    origin: Event | None = None,
    booker: Participant | None = None,
    source: RegistrationSource = RegistrationSource.PUBLIC,
    now: datetime | None = None,
    own_links: Collection[str] = (),
) -> BookingResult:
    """One booking: every attendee for every event (the seat rule per event, under its lock,
    events in id order: services/registrations.register), in the caller's transaction; one
    e-mail to the booker listing every registration with its status. An attendee who already
    holds a live registration for an event gets nothing new for it; their existing booking's
    link is e-mailed again (once per booking), and the answer is the same as for a new one.

    A group booking (colleagues among `attendees`): each is a registration of their own (own
    name, e-mail, status, ticket) in the one booking the booker manages; those whose e-mail is
    in `own_links` also get their registration's own e-mail and link (/r/<token>). The seat
    rule runs for each of them in turn inside the one transaction, under the same locks: a
    group larger than the seats left is confirmed up to the capacity, the rest waitlisted."""
    booker = booker or attendees[0]
    booking = Booking(
        event_id=(origin or events[0]).id if (origin or events) else None,
        first_name=booker.first_name.strip(),
        last_name=booker.last_name.strip(),
        email=normalise_email(booker.email),
        language=booker.language if booker.language in ("fr", "en") else "fr",
    )
    outcomes = []
    for person in attendees:
        outcomes += registrations_service.register(
            events, person, source=source, notify=False, now=now, booking=booking
        )
    result = BookingResult(booking if any(o.created for o in outcomes) else None, outcomes)
    if result.booking is not None:
        db.session.flush()
        # The new booking holds exactly the registrations just made: no need to read them back.
        made = [o.registration for o in result.created]
        notify_booking(
            result.booking, "created", sorted(made, key=lambda r: (r.event.starts_at, r.id))
        )
        domain_events.record(
            "booking.created",
            event_id=result.booking.event_id,
            booking_id=result.booking.id,
            registrations=len(result.created),
        )
        wanted = {normalise_email(address) for address in own_links} - {result.booking.email}
        for outcome in result.created:
            if outcome.registration.email in wanted:
                mail_service.notify_registration(outcome.registration, str(outcome.status))
    for booking_id in sorted({o.registration.booking_id for o in result.existing}):
        if result.booking is None or booking_id != result.booking.id:
            notify_booking(db.session.get(Booking, booking_id), "reminder_link")
    return result


def add_events(booking: Booking, events: Sequence[Event], *, now: datetime | None = None):
    """Add stages to a booking (the manage page): each of the booking's people for each new
    event, same seat rule, same lock; one e-mail listing the whole booking."""
    people = _people(booking)
    if not people:
        raise BookingError(BookingError.Code.NOT_LIVE)
    held = {r.event_id for r in live_registrations(booking)}
    if any(e.id in held for e in events):
        raise BookingError(BookingError.Code.ALREADY_BOOKED)
    outcomes = []
    for person in people:
        outcomes += registrations_service.register(
            events, person, notify=False, now=now, booking=booking
        )
    db.session.flush()
    if any(o.created for o in outcomes):
        notify_booking(booking, "updated")
    return outcomes


def _people(booking: Booking) -> list[Participant]:
    """The booking's distinct attendees (by e-mail), as on their live registrations."""
    seen = {}
    for r in live_registrations(booking):
        if r.email and r.email not in seen:
            seen[r.email] = Participant(
                first_name=r.first_name,
                last_name=r.last_name,
                email=r.email,
                category=r.category,
                organisation_name=r.organisation_name,
                job_title=r.job_title,
                region=r.region,
                language=r.language,
                consent_at=r.consent_at,
                consent_version=r.consent_version,
            )
    return list(seen.values())


def registrations_of(booking: Booking) -> list[Registration]:
    """Every registration of the booking with its event, by event date (one statement)."""
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.booking_id == booking.id)
        .options(selectinload(Registration.event))
    ).all()
    return sorted(rows, key=lambda r: (r.event.starts_at, r.id))


def live_registrations(booking: Booking) -> list[Registration]:
    return [r for r in registrations_of(booking) if r.is_live]


def update_person(
    booking: Booking, email: str, changes: dict, *, only: Collection[Registration] | None = None
) -> dict:
    """Correct a person's details once, on every live registration of theirs in the booking
    (or those of `only`: the participant's page leaves out events past their deadline for
    online changes). Returns {field: (old, new)} of what changed (the first registration's)."""
    changed = {}
    wanted = None if only is None else {r.id for r in only}
    for registration in live_registrations(booking):
        if registration.email == email and (wanted is None or registration.id in wanted):
            done = registrations_service.update_details(registration, changes, actor="participant")
            changed = changed or done
    return changed


def cancel_registration(booking: Booking, registration: Registration) -> list[Registration]:
    """Cancel one registration of the booking (the seat goes on through the seat rule)."""
    if registration.booking_id != booking.id:
        raise LookupError("not this booking's")
    if not registration.is_live:
        raise BookingError(BookingError.Code.CANCELLED)
    return registrations_service.cancel(registration, actor="participant")


# --- the booking's e-mail -------------------------------------------------------------------

BOOKING_KINDS = ("created", "updated", "reminder_link")


def notify_booking(
    booking: Booking, kind: str, registrations: Sequence[Registration] | None = None
) -> OutboxMessage | None:
    """Queue the one e-mail about the whole booking to the booker (rendered when sent, like the
    registration e-mails: services/mail). kind: created, updated, reminder_link.
    `registrations`: the booking's, in `registrations_of` order, when the caller has them all
    (a booking just made); read otherwise."""
    if registrations is None:
        registrations = registrations_of(booking)
    if not booking.email or not registrations:
        return None
    anchor = registrations[0]
    lang = booking.language or "fr"
    with force_locale(lang):
        subject = booking_subject(kind, booking, registrations, lang)
    return mail_service.enqueue(
        kind=f"booking.{kind}",
        recipient=booking.email,
        subject=subject,
        body_text="",
        event_id=booking.event_id or anchor.event_id,
        registration=anchor,
        deferred={
            "builder": "booking",
            "booking": booking.id,
            "statuses": {str(r.id): str(r.status) for r in registrations},
        },
    )


def booking_subject(kind, booking, registrations, lang) -> str:
    title = (booking.event or registrations[0].event).title(lang)
    if kind == "reminder_link":
        return _("Your booking link: %(event)s", event=title)
    if kind == "updated":
        return _(
            "Booking %(reference)s updated: %(event)s", reference=booking.reference, event=title
        )
    return _("Booking %(reference)s: %(event)s", reference=booking.reference, event=title)


def booking_rows(registrations: Sequence[Registration], statuses: dict | None = None):
    """What the e-mail and the pages list: each registration, its event, status, position."""
    positions = waitlist_positions(registrations)
    rows = []
    for r in registrations:
        status = RegistrationStatus((statuses or {}).get(str(r.id)) or r.status)
        rows.append(
            {
                "registration": r,
                "event": r.event,
                "status": status,
                "position": positions.get(r.id)
                if status == RegistrationStatus.WAITLISTED
                else None,
            }
        )
    return rows


@mail_service.deferred_builder("booking")
def build_booking_mail(message: OutboxMessage, reference: dict):
    from eventapp.helpers import external_url
    from eventapp.services import calendar

    booking = db.session.get(Booking, reference.get("booking"))
    if booking is None or not booking.email:
        raise LookupError("the booking of this e-mail no longer exists")
    registrations = registrations_of(booking)
    lang = booking.language or "fr"
    kind = message.kind.removeprefix("booking.")
    with force_locale(lang):
        rows = booking_rows(registrations, reference.get("statuses"))
        confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        files = []
        if confirmed:
            files.append(("tickets.pdf", "application/pdf", tickets_pdf(confirmed, lang)))
            online = {r.event_id: r.event.online_url for r in confirmed if r.event.online_url}
            files.append(
                (
                    "events.ics",
                    "text/calendar",
                    calendar.event_calendar([r.event for r in confirmed], lang, online_urls=online),
                )
            )
        live = [r for r in registrations if r.is_live]
        own = [r for r in live if r.email == booking.email]
        origin = booking.event or registrations[0].event
        context = {
            "booking": booking,
            "rows": rows,
            "kind": kind,
            "lang": lang,
            "manage_url": external_url("registration.booking", token=booking.manage_token),
            "has_ticket": bool(confirmed),
            # Each confirmed person's "My programme" (issue 16), from the features' builders.
            "extras": {r.id: mail_service.extra_context(r, "confirmed") for r in confirmed},
            "any_deadline": any(r.event.changes_until for r in live),
            # The booker's own details, to check (the first of their live registrations).
            "person": (own or live or [None])[0],
            "contacts": sorted(
                {r.event.contact_email for r in registrations if r.event.contact_email}
                | ({origin.contact_email} if origin.contact_email else set())
            ),
        }
        body_text = message.body_text or render_template("mail/booking.txt", **context)
        body_html = message.body_html or render_template("mail/booking.html", **context)
    return body_text, body_html, files


def tickets_pdf(registrations: Sequence[Registration], lang: str) -> bytes:
    """One PDF with a page per confirmed registration's ticket."""
    return tickets.pdf_of_many(registrations, lang)
