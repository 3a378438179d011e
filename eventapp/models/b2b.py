"""B2B meetings and the sector directory (issue 18).

- `NetworkProfile`: a person's networking profile *with their organisation*, not with one event
  (the person is known by the e-mail their manage links prove; one profile per e-mail and
  organisation): what they offer and seek, as tags of the bioproduction vocabulary plus free
  text, a pitch, a category and a region. It follows them from a tour stage to the congress,
  where they are only asked to confirm it. Deleted with the person's erasure.
- `B2BSettings`: an event's B2B meetings switched on, with its rules (requests a person may
  send, meetings a person may have, how long a request stays open).
- `B2BBlock` → `B2BSlot`: the meeting blocks (a day, a start and an end, a slot length); the
  breaks are the time between blocks. `B2BTable`: numbered tables, optionally in a room.
- `B2BParticipant`: a registration of the event that opted in, with the profile it shows there
  and the slots it declared unavailable. Per-event data: it goes with the registration's
  anonymisation (erasure, the event's retention purge).
- `MeetingRequest` (pending → accepted / declined / cancelled / expired) and `Meeting`, one
  accepted request held in one slot at one table. `MeetingSeat` is one row per person and slot
  of a meeting: its primary key is the database's guarantee that nobody is in two meetings in
  one slot, as the (slot, table) unique key is for the tables.
- `ScheduleRun`: one run of the scheduler (a job), with its report.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum, utcnow
from eventapp.models.enums import ActorCategory, LabelledEnum, Region

if TYPE_CHECKING:
    from eventapp.models.event import Event
    from eventapp.models.registration import Registration


class B2BTag(LabelledEnum):
    """The bioproduction vocabulary of offers and needs."""

    VIRAL_VECTORS = "viral_vectors"
    MABS = "mabs"
    CELL_THERAPY = "cell_therapy"
    GENE_THERAPY = "gene_therapy"
    MRNA = "mrna"
    VACCINES = "vaccines"
    FILL_FINISH = "fill_finish"
    ANALYTICS = "analytics"
    PROCESS_DEVELOPMENT = "process_development"
    CDMO_CAPACITY = "cdmo_capacity"
    EQUIPMENT = "equipment"
    DIGITAL = "digital"
    QUALITY = "quality"
    REGULATORY = "regulatory"
    FUNDING = "funding"
    RECRUITMENT = "recruitment"
    TRAINING = "training"
    PARTNERSHIP = "partnership"

    @classmethod
    def _labels(cls):
        return {
            cls.VIRAL_VECTORS: _l("Viral vectors"),
            cls.MABS: _l("Monoclonal antibodies"),
            cls.CELL_THERAPY: _l("Cell therapy"),
            cls.GENE_THERAPY: _l("Gene therapy"),
            cls.MRNA: _l("mRNA"),
            cls.VACCINES: _l("Vaccines"),
            cls.FILL_FINISH: _l("Fill & finish"),
            cls.ANALYTICS: _l("Analytics and testing"),
            cls.PROCESS_DEVELOPMENT: _l("Process development"),
            cls.CDMO_CAPACITY: _l("CDMO capacity"),
            cls.EQUIPMENT: _l("Equipment and consumables"),
            cls.DIGITAL: _l("Digital and automation"),
            cls.QUALITY: _l("Quality (QA/QC)"),
            cls.REGULATORY: _l("Regulatory affairs"),
            cls.FUNDING: _l("Funding"),
            cls.RECRUITMENT: _l("Recruitment"),
            cls.TRAINING: _l("Training"),
            cls.PARTNERSHIP: _l("Research partnership"),
        }


class RequestStatus(LabelledEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @classmethod
    def _labels(cls):
        return {
            cls.PENDING: _l("Waiting for an answer"),
            cls.ACCEPTED: _l("Accepted"),
            cls.DECLINED: _l("Declined"),
            cls.CANCELLED: _l("Cancelled"),
            cls.EXPIRED: _l("Expired"),
        }


class RunStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @classmethod
    def _labels(cls):
        return {
            cls.QUEUED: _l("Waiting to start"),
            cls.RUNNING: _l("Running"),
            cls.DONE: _l("Done"),
            cls.FAILED: _l("Failed"),
        }


class Attendance(LabelledEnum):
    """What the table check-in says of a meeting on the day."""

    HELD = "held"
    NO_SHOW = "no_show"

    @classmethod
    def _labels(cls):
        return {cls.HELD: _l("Held"), cls.NO_SHOW: _l("No-show")}


class NetworkProfile(TimestampMixin, Base):
    __tablename__ = "network_profile"
    __table_args__ = (UniqueConstraint("email", "organisation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The person (lower case, as on registrations); never shown to other participants before
    # a meeting is accepted, never in a URL.
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    organisation_key: Mapped[str] = mapped_column(String(200))  # folded name
    category: Mapped[ActorCategory] = mapped_column(str_enum(ActorCategory))
    region: Mapped[Region | None] = mapped_column(str_enum(Region, 10))
    pitch: Mapped[str] = mapped_column(Text, default="")
    offers: Mapped[list] = mapped_column(JSON, default=list)  # B2BTag values
    needs: Mapped[list] = mapped_column(JSON, default=list)
    offers_text: Mapped[str] = mapped_column(String(300), default="")
    needs_text: Mapped[str] = mapped_column(String(300), default="")
    # Folded organisation, pitch and free texts: what the profile search looks in.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # " o:mabs n:fill_finish ": the tags in a form every database filters with LIKE.
    tag_text: Mapped[str] = mapped_column(String(800), default="")


class B2BSettings(TimestampMixin, Base):
    __tablename__ = "b2b_settings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    request_limit: Mapped[int] = mapped_column(default=20)  # requests a person may send
    meeting_cap: Mapped[int | None]  # meetings a person may have; None: one per slot
    request_expiry_hours: Mapped[int | None] = mapped_column(default=72)
    published_at: Mapped[datetime | None]  # the schedule was sent to the participants
    # "organiser": the scheduler places the accepted requests; "self_pick": the one who accepts
    # picks a slot where both are free (a table is taken at once).
    slot_mode: Mapped[str] = mapped_column(String(20), default="organiser")
    # Booking rules by category: [sender category, recipient category] pairs that may not
    # request each other, and the most meetings a person of a category may have.
    denied_pairs: Mapped[list] = mapped_column(JSON, default=list)
    category_caps: Mapped[dict] = mapped_column(JSON, default=dict)

    event: Mapped[Event] = relationship()


class B2BBlock(Base):
    __tablename__ = "b2b_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    slot_minutes: Mapped[int]
    # Its reminders were e-mailed (services/b2b/reminders: claimed by one conditional UPDATE).
    reminded_at: Mapped[datetime | None]

    slots: Mapped[list[B2BSlot]] = relationship(
        back_populates="block",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="B2BSlot.position",
        lazy="raise_on_sql",
    )


class B2BSlot(Base):
    __tablename__ = "b2b_slot"
    __table_args__ = (
        UniqueConstraint("block_id", "position"),
        Index("ix_b2b_slot_event_id_starts_at", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    block_id: Mapped[int] = mapped_column(ForeignKey("b2b_block.id", ondelete="CASCADE"))
    position: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    block: Mapped[B2BBlock] = relationship(back_populates="slots")


class B2BTable(Base):
    __tablename__ = "b2b_table"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    number: Mapped[int]
    location: Mapped[str] = mapped_column(String(120), default="")


class B2BParticipant(Base):
    __tablename__ = "b2b_participant"
    __table_args__ = (Index("ix_b2b_participant_event_id_profile_id", "event_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("network_profile.id", ondelete="CASCADE"), index=True
    )
    opted_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    unavailable: Mapped[list] = mapped_column(JSON, default=list)  # B2BSlot ids

    registration: Mapped[Registration] = relationship()
    profile: Mapped[NetworkProfile] = relationship()


class MeetingRequest(Base):
    __tablename__ = "meeting_request"
    __table_args__ = (
        UniqueConstraint("sender_id", "recipient_id"),
        Index("ix_meeting_request_event_id_status", "event_id", "status"),
        Index("ix_meeting_request_recipient_id_status", "recipient_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("b2b_participant.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("b2b_participant.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]

    sender: Mapped[B2BParticipant] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[B2BParticipant] = relationship(foreign_keys=[recipient_id])


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("slot_id", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_request.id", ondelete="CASCADE"), unique=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("b2b_slot.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(ForeignKey("b2b_table.id", ondelete="CASCADE"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The table check-in on the day (an organiser or one of the two): held or no-show.
    attendance: Mapped[Attendance | None] = mapped_column(str_enum(Attendance, 10))
    attendance_at: Mapped[datetime | None]

    request: Mapped[MeetingRequest] = relationship()
    slot: Mapped[B2BSlot] = relationship()
    table: Mapped[B2BTable] = relationship()


class MeetingSeat(Base):
    """A person's place in a meeting's slot: the primary key forbids a second meeting."""

    __tablename__ = "meeting_seat"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("b2b_participant.id", ondelete="CASCADE"), primary_key=True
    )
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("b2b_slot.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )


class ScheduleRun(Base):
    __tablename__ = "b2b_schedule_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.QUEUED)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    requests: Mapped[int | None]  # accepted requests given to the scheduler
    placed: Mapped[int | None]
    bound: Mapped[int | None]
    # What the scheduler said: method, status, idle slots, the requests left out and why
    # (request ids and reason codes only: the page puts the names in).
    report: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(300))
