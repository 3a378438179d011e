from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum, utcnow
from eventapp.models.enums import MailingStatus, OutboxStatus

if TYPE_CHECKING:
    from eventapp.models.registration import Registration


class Mailing(Base):
    """A message an organiser wrote to a filtered list of attendees."""

    __tablename__ = "mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipients_count: Mapped[int] = mapped_column(default=0)
    # Sent at once (status sent, sent_at = created_at), or scheduled for send_at (UTC) and then
    # sent by the `mailings.send_due` job, or cancelled before.
    status: Mapped[MailingStatus] = mapped_column(
        str_enum(MailingStatus), default=MailingStatus.SENT, server_default="sent"
    )
    send_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # The PDF attached to every message; its name stays in the log once the file is deleted
    # (MailingAttachment.expires_at).
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("mailing_attachment.id", ondelete="SET NULL"), index=True
    )
    attachment_name: Mapped[str | None] = mapped_column(String(255))


class MailingAttachment(Base):
    """A PDF an organiser attaches to a mailing, kept in the database (never under static/),
    deleted by the retention run once `expires_at` has passed: a day after its upload while no
    mailing uses it, MAILING_ATTACHMENT_DAYS after the mailing went out."""

    __tablename__ = "mailing_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class OutboxMessage(TimestampMixin, Base):
    """An e-mail waiting to be sent. Written in the same transaction as the change it reports,
    sent after the commit; a failed send stays here and is retried by `flask mail send-pending`."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "mimetype", "content" (base64)}]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    mailing_id: Mapped[int | None] = mapped_column(
        ForeignKey("mailing.id", ondelete="SET NULL"), index=True
    )
    # Lets a message be queued with a registration not flushed yet: one flush writes both.
    registration: Mapped[Registration | None] = relationship(lazy="raise")


class ImportUpload(Base):
    """An uploaded attendee file kept between the preview and the organiser's confirmation."""

    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes]
    imported_at: Mapped[datetime | None]
    # The organiser's column mapping (a field key per column, services/imports/checking.py),
    # and the shape of the file's header: the next file of the same shape gets the mapping.
    mapping: Mapped[list | None] = mapped_column(JSON)
    header_signature: Mapped[str | None] = mapped_column(String(40), index=True)
    # What the file holds: "attendees" (services/imports) or "programme" (the sessions of
    # services/programme/importing.py); each kind checks its own rows on the same steps.
    kind: Mapped[str] = mapped_column(String(20), default="attendees", server_default="attendees")
