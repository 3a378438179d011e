from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum
from eventapp.models.enums import ActorCategory, Region, RegistrationSource, RegistrationStatus
from eventapp.text import person_name, search_text

if TYPE_CHECKING:
    from eventapp.models.booking import Booking
    from eventapp.models.event import Event
    from eventapp.models.user import User

LIVE_CONDITION = text("status != 'cancelled'")


def new_manage_token() -> str:
    # 32 random bytes, URL-safe: the participant's only credential for their manage page.
    return secrets.token_urlsafe(32)


def _search_text_default(context) -> str:
    # Bulk inserts (demo data, benchmark seed) fill it too: a default computed from the row.
    row = context.get_current_parameters()
    return search_text(
        row.get("last_name"), row.get("first_name"), row.get("email"), row.get("organisation_name")
    )


# Ticket codes are read aloud and typed at the door: capitals and digits without look-alikes
# (no I/L/1, O/0, U/V), 16 of them (77 bits), printed in groups of four. Codes made before
# (URL-safe base64, mixed case) keep working: the desk looks a typed code up as typed too.
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
TICKET_CODE_LENGTH = 16


def new_ticket_code() -> str:
    # Random ticket identifier (not the id, not the e-mail); tickets carry it with a signature.
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_CODE_LENGTH))


class Registration(TimestampMixin, Base):
    """One person's registration for one event (a tour stage, a congress...).

    Only one live (not cancelled) registration per event and e-mail: the partial unique index
    below enforces it in the database. The waiting-list position is derived from
    (created_at, id) among the event's waitlisted registrations; it is not stored.
    """

    __tablename__ = "registration"
    __table_args__ = (
        Index(
            "uq_registration_event_id_email_live",
            "event_id",
            "email",
            unique=True,
            sqlite_where=LIVE_CONDITION,
            postgresql_where=LIVE_CONDITION,
        ),
        Index("ix_registration_event_id_status_created_at", "event_id", "status", "created_at"),
        # The attendee list's sort orders, ending with the tie-breaker id and the status the
        # list filters on: a page deep in 100,000 rows is found in the index alone, then its
        # 50 rows are read (organiser/filters.py). On PostgreSQL it also carries the searched
        # text, so a search's page is found in the index alone too (migrations 0003, 0004).
        Index(
            "ix_registration_event_id_last_name",
            "event_id",
            "last_name",
            "first_name",
            "id",
            "status",
            postgresql_include=["search_text"],
        ),
        Index("ix_registration_event_id_created_at", "event_id", "created_at", "id", "status"),
        # Counts and filters (status, category, region, checked in) read in the index alone.
        Index(
            "ix_registration_event_id_facets",
            "event_id",
            "status",
            "category",
            "region",
            "checked_in_at",
            "offer_expires_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # The booking (order) it belongs to: every registration has exactly one (models/booking.py).
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Normalised to lower case by the service; NULL once the registration is anonymised.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[ActorCategory] = mapped_column(str_enum(ActorCategory))
    region: Mapped[Region | None] = mapped_column(str_enum(Region, 10))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    source: Mapped[RegistrationSource] = mapped_column(
        str_enum(RegistrationSource), default=RegistrationSource.PUBLIC
    )
    language: Mapped[str] = mapped_column(String(5), default="fr")
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_manage_token)
    ticket_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_ticket_code)
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    cancelled_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    # A waiting-list offer: a freed seat held for this person until the deadline (counted as
    # taken: services/counts.taken_count); accepting confirms, declining or expiry passes it on
    # (services/offers.py). offer_expires_at is set exactly while the offer is open.
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    # When the reminder e-mail before the event was queued (services/reminders.py): once only.
    reminded_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    checkin_desk: Mapped[str | None] = mapped_column(String(40))
    anonymised_at: Mapped[datetime | None]
    # An organiser moved the person here from another event: that event's registration (it
    # keeps its cancelled row); this one keeps its created_at (issue 20, point 15). No foreign
    # key (adding one on SQLite means copying the table, which drops the search triggers): a
    # purged source simply shows nothing.
    transferred_from_id: Mapped[int | None] = mapped_column(index=True)
    # Names, e-mail and organisation folded (lower case, no accents): what the attendee search
    # looks in, through a trigram index (migration 0004). Kept by the events below.
    search_text: Mapped[str] = mapped_column(Text, default=_search_text_default, server_default="")

    event: Mapped[Event] = relationship()
    booking: Mapped[Booking] = relationship(back_populates="registrations")
    checked_in_by: Mapped[User | None] = relationship()

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    @property
    def is_live(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} {self.status}>"


@event.listens_for(Registration, "before_insert")
@event.listens_for(Registration, "before_update")
def _keep_search_text(_mapper, _connection, registration: Registration) -> None:
    registration.search_text = search_text(
        registration.last_name,
        registration.first_name,
        registration.email,
        registration.organisation_name,
    )
