"""Bookings (orders): one person for several stages of a tour, or a booker for colleagues, with
one manage link and one e-mail. The seat rule stays in services/registrations.py: `book()` calls
`registrations.register()` once per attendee, in the one transaction of the request.

Personal data: a booking holds the booker's names and e-mail. They are kept while one of its
registrations still holds personal data, and anonymised with the last of them (the retention
purge and erasure both go through privacy's `anonymise_rows`, which calls `scrub_bookings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import exists, select, update

from eventapp.extensions import db
from eventapp.models import Booking, Registration, utcnow
from eventapp.models.booking import new_booking_token

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
