from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum, utcnow
from eventapp.models.enums import EventKind, EventStatus, OrganiserRole, Region

if TYPE_CHECKING:
    from eventapp.models.organisation import Organisation


class Event(TimestampMixin, Base):
    """A congress, a tour, a tour stage, a workshop, a webinar or a meeting.

    A stage has a parent (its tour) and a position in it. Capacity None means unlimited.
    Registration is open when the event is published and now is inside
    [registration_opens_at, registration_closes_at) (a missing bound is open-ended), and never
    after the event has ended.
    """

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_status_starts_at", "status", "starts_at"),
        Index("ix_event_parent_id_position", "parent_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    position: Mapped[int | None]
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    # Main region (for filters and the map); stages spanning several regions list them all in
    # EventRegion.
    region: Mapped[Region | None] = mapped_column(str_enum(Region, 10))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus), default=EventStatus.DRAFT, index=True
    )
    cancelled_at: Mapped[datetime | None]
    # How long a waiting-list offer holds a freed seat, in hours (None: the default, 48 h, and
    # 6 h within 3 days of the event: services/offers.py).
    offer_hours: Mapped[int | None]
    # The organiser's contact for participants (shown in their e-mails, never on public pages):
    # a professional address, kept and deleted with the event.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # The reminder e-mail goes out this many hours before the start (None: the default, 3 days
    # before, and 8:00 Paris time on the day for a webinar: services/reminders.py).
    reminder_hours: Mapped[int | None]
    # Participants may cancel or change their registration online until then (None: until the
    # event ends); afterwards only the organiser can.
    changes_until: Mapped[datetime | None]
    # What to bring / practical information, shown after registering, in the confirmation
    # e-mail and on the manage page (plain text; not personal data).
    practical_info_fr: Mapped[str] = mapped_column(Text, default="")
    practical_info_en: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Event | None] = relationship(remote_side="Event.id", back_populates="stages")
    stages: Mapped[list[Event]] = relationship(
        back_populates="parent", order_by="Event.position", lazy="raise_on_sql"
    )
    organiser_links: Mapped[list[EventOrganiser]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
        order_by="EventOrganiser.position",
    )
    region_links: Mapped[list[EventRegion]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="raise_on_sql"
    )

    def title(self, locale: str) -> str:
        """The event's one name, on every screen, e-mail, file and calendar (issue 20, point
        13): a stage is named with its tour, « French Bioproduction Tour 2027 — Grand Est »,
        unless its own title already says it (the demo's stages do). Every view, e-mail,
        export, badge, ticket, invoice and .ics calls this, never the columns."""
        own = self.own_title(locale)
        if self.parent_id is None or self.parent is None:
            return own
        tour = self.parent.own_title(locale)
        if not tour or tour.casefold() in own.casefold():
            return own
        return f"{tour} — {own}"

    def own_title(self, locale: str) -> str:
        """The title as typed (the edit form, the tour's own list of its stages)."""
        return self.title_en if locale == "en" and self.title_en else self.title_fr

    def description(self, locale: str) -> str:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_fr
        )

    def practical_info_text(self, locale: str) -> str:
        return (
            self.practical_info_en
            if locale == "en" and self.practical_info_en
            else self.practical_info_fr or ""
        )

    def changes_allowed(self, now: datetime | None = None) -> bool:
        """Whether a participant may still cancel or change their registration online."""
        now = now or utcnow()
        if self.has_ended(now):
            return False
        return self.changes_until is None or now < self.changes_until

    @property
    def full_address(self) -> str:
        """Venue, street address and town, for people to find the place ("" if none)."""
        parts = [self.venue, self.address]
        if self.city and not (self.address and self.city.lower() in self.address.lower()):
            parts.append(self.city)
        return ", ".join(p for p in parts if p)

    @property
    def map_url(self) -> str | None:
        """An OpenStreetMap search for the address (a link, never embedded tiles)."""
        if not (self.address or self.city):
            return None
        parts = [self.address]
        if self.city and not (self.address and self.city.lower() in self.address.lower()):
            parts.append(self.city)
        query = ", ".join(p for p in parts if p)
        return "https://www.openstreetmap.org/search?query=" + quote_plus(query)

    @property
    def is_tour(self) -> bool:
        return self.kind == EventKind.TOUR

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.ends_at

    def registration_state(self, now: datetime | None = None) -> str:
        """One of: draft, cancelled, ended, not_yet_open, closed, open (tours: 'tour')."""
        now = now or utcnow()
        if self.status == EventStatus.DRAFT:
            return "draft"
        if self.status == EventStatus.CANCELLED:
            return "cancelled"
        if self.kind == EventKind.TOUR:
            return "tour"
        if now >= self.ends_at:
            return "ended"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet_open"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "closed"
        return "open"

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventOrganiser(Base):
    __tablename__ = "event_organiser"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[OrganiserRole] = mapped_column(
        str_enum(OrganiserRole), default=OrganiserRole.CO_ORGANISER
    )
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="organiser_links")
    organisation: Mapped[Organisation] = relationship(back_populates="event_links")


class EventRegion(Base):
    """The regions an event covers (a tour stage may span several)."""

    __tablename__ = "event_region"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[Region] = mapped_column(str_enum(Region, 10), primary_key=True, index=True)

    event: Mapped[Event] = relationship(back_populates="region_links")
