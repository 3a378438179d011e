"""An event's programme (issue 16): rooms, tracks, speakers, sessions, and what participants do
with them (sign-ups, stars, attendance at the door).

Draft and published: organisers edit the session rows (`starts_at`, `ends_at`, `room_id`,
`cancelled`); publishing copies those scheduling fields into the `published_*` columns, which
are what the public programme, sign-ups and agendas read. Texts and speakers show as soon as
they are saved (a typo fix needs no publication); a new session appears once published.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum, utcnow
from eventapp.models.enums import LabelledEnum

if TYPE_CHECKING:
    from eventapp.models.registration import Registration


class SessionKind(LabelledEnum):
    PLENARY = "plenary"
    ROUND_TABLE = "round_table"
    WORKSHOP = "workshop"
    PITCH = "pitch"
    B2B = "b2b"
    BREAK = "break"
    VISIT = "visit"

    @classmethod
    def _labels(cls):
        return {
            cls.PLENARY: _l("Plenary"),
            cls.ROUND_TABLE: _l("Round table"),
            cls.WORKSHOP: _l("Workshop"),
            cls.PITCH: _l("Pitch session"),
            cls.B2B: _l("B2B meeting slots"),
            cls.BREAK: _l("Break"),
            cls.VISIT: _l("Site visit"),
        }


class TrackColour(LabelledEnum):
    """The fixed palette of static/css/programme.css (`track-<value>` classes)."""

    BLUE = "blue"
    GREEN = "green"
    ORANGE = "orange"
    PURPLE = "purple"
    RED = "red"
    TEAL = "teal"
    GREY = "grey"

    @classmethod
    def _labels(cls):
        return {
            cls.BLUE: _l("Blue"),
            cls.GREEN: _l("Green"),
            cls.ORANGE: _l("Orange"),
            cls.PURPLE: _l("Purple"),
            cls.RED: _l("Red"),
            cls.TEAL: _l("Teal"),
            cls.GREY: _l("Grey"),
        }


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class ProgrammeState(Base):
    """One row per event with a programme: whether (and when) it was published."""

    __tablename__ = "programme_state"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[datetime | None]
    # Set on any change to a session's schedule since the last publication (the draft differs).
    changed_at: Mapped[datetime | None]


class Room(Base):
    __tablename__ = "programme_room"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)


class Track(Base):
    __tablename__ = "programme_track"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    colour: Mapped[TrackColour] = mapped_column(str_enum(TrackColour), default=TrackColour.BLUE)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_fr


session_speaker = Table(
    "programme_session_speaker",
    Base.metadata,
    Column(
        "session_id",
        ForeignKey("programme_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "speaker_id",
        ForeignKey("programme_speaker.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Speaker(TimestampMixin, Base):
    """A speaker of one event. Personal data: listed publicly only with `consent_listed`;
    anonymised by the event's retention purge (services/programme/privacy.py)."""

    __tablename__ = "programme_speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    bio_fr: Mapped[str] = mapped_column(Text, default="")
    bio_en: Mapped[str] = mapped_column(Text, default="")
    # Our own PNG re-encoding of the upload (services/programme/photos.py), never the upload.
    photo_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_updated_at: Mapped[datetime | None]
    consent_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Never shown publicly: recognises the speaker among the registrants (the speaker rate,
    # services/programme/speaker_rate.py); anonymised with the other fields.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # The speaker is also registered (and may get the speaker rate): their registration.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )

    def bio(self, locale: str) -> str:
        return self.bio_en if locale == "en" and self.bio_en else self.bio_fr


class ProgrammeSession(TimestampMixin, Base):
    __tablename__ = "programme_session"
    __table_args__ = (Index("ix_programme_session_event_id_starts_at", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind))
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_room.id", ondelete="SET NULL"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_track.id", ondelete="SET NULL"), index=True
    )
    # Places for sign-ups (workshops); None: no sign-up, everyone may come.
    seat_limit: Mapped[int | None]
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The published schedule (None: never published, not public yet).
    published_at: Mapped[datetime | None]
    published_starts_at: Mapped[datetime | None]
    published_ends_at: Mapped[datetime | None]
    published_room_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_room.id", ondelete="SET NULL")
    )
    published_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    room: Mapped[Room | None] = relationship(foreign_keys=[room_id])
    published_room: Mapped[Room | None] = relationship(foreign_keys=[published_room_id])
    track: Mapped[Track | None] = relationship()
    speakers: Mapped[list[Speaker]] = relationship(
        secondary=session_speaker, lazy="raise_on_sql", order_by="Speaker.name"
    )

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_fr

    def description(self, locale: str) -> str:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_fr
        )

    @property
    def is_public(self) -> bool:
        return self.published_at is not None

    @property
    def hours(self) -> float:
        return (self.published_ends_at - self.published_starts_at).total_seconds() / 3600

    @property
    def has_draft_changes(self) -> bool:
        return self.published_at is None or (
            self.starts_at != self.published_starts_at
            or self.ends_at != self.published_ends_at
            or self.room_id != self.published_room_id
            or self.cancelled != self.published_cancelled
        )


class SessionSignup(Base):
    """A participant's place in a session with limited places (or on its waiting list).
    A registration's sign-up row goes with its erasure (services/programme/privacy.py)."""

    __tablename__ = "programme_signup"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id"),
        Index("ix_programme_signup_session_id_status_id", "session_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_session.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SignupStatus] = mapped_column(str_enum(SignupStatus))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    # A waiting sign-up offered a freed place until this deadline (services/programme/
    # offers.py): the place is held for them meanwhile.
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]

    session: Mapped[ProgrammeSession] = relationship()
    registration: Mapped[Registration] = relationship()


class SessionStar(Base):
    """A session a participant starred for their own agenda."""

    __tablename__ = "programme_star"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_session.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionAttendance(Base):
    """Someone was seen at a session's door (scanned or ticked by check-in staff)."""

    __tablename__ = "programme_attendance"
    __table_args__ = (UniqueConstraint("session_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_session.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
