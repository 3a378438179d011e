"""A booking (an order): what a participant makes and manages with one link.

One person for one or several events (the stages of a tour), or a person booking for colleagues
(a group: each attendee is a registration with their own name, e-mail, status and ticket). Every
registration belongs to exactly one booking; a registration added without one (an organiser's
form, an import, a walk-in) gets its own one-person booking at the flush (listener below).

Personal data: the booker's names and e-mail are anonymised with the last of the booking's
registrations (services/privacy: the retention purge and erasure call `scrub_bookings`).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from eventapp.models.event import Event
    from eventapp.models.registration import Registration

# No look-alike characters (no I/L/1, O/0, U/V): read aloud on the phone or typed by hand.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"


def new_reference() -> str:
    """A public reference such as "K7QM-4XPA" (40 bits: unique by chance, enforced by the
    unique index). It names the booking; it opens nothing."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def new_booking_token() -> str:
    # 32 random bytes, URL-safe: the booker's only credential for the booking's page.
    return secrets.token_urlsafe(32)


class Booking(TimestampMixin, Base):
    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True, default=new_reference)
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_booking_token)
    # The event or tour the booking was made from (its stages can be added later).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # Normalised to lower case; NULL once the booking is anonymised.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    anonymised_at: Mapped[datetime | None]

    event: Mapped[Event | None] = relationship()
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="booking", lazy="raise_on_sql", order_by="Registration.id"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.reference}>"


def booking_for(registration: Registration) -> Booking:
    """The one-person booking of a registration made on its own."""
    return Booking(
        event_id=registration.event_id,
        first_name=registration.first_name or "",
        last_name=registration.last_name or "",
        email=registration.email,
        language=registration.language or "fr",
    )


@event.listens_for(Session, "before_flush")
def _every_registration_has_a_booking(session, _context, _instances) -> None:
    from eventapp.models.registration import Registration

    for obj in list(session.new):
        if isinstance(obj, Registration) and obj.booking is None and obj.booking_id is None:
            obj.booking = booking_for(obj)


def insert_bookings_for(session, rows: list[dict]) -> None:
    """Bulk inserts of registrations (demo data, seeds): give each row its own booking, made
    in one statement, and set the rows' booking_id."""
    from sqlalchemy import insert

    if not rows:
        return
    bookings = [
        {
            "reference": new_reference(),
            "manage_token": new_booking_token(),
            "event_id": row.get("event_id"),
            "first_name": row.get("first_name") or "",
            "last_name": row.get("last_name") or "",
            "email": row.get("email"),
            "language": row.get("language") or "fr",
            **({"created_at": row["created_at"]} if row.get("created_at") else {}),
        }
        for row in rows
    ]
    ids = session.scalars(
        insert(Booking).returning(Booking.id, sort_by_parameter_order=True), bookings
    ).all()
    for row, booking_id in zip(rows, ids, strict=True):
        row["booking_id"] = booking_id
