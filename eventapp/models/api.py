"""The REST API's tables (issue 17): an organisation's tokens (hashed, scoped, limited to some
events), the answers kept for idempotent writes, and the signed webhooks (endpoints and their
deliveries). No personal data but what an idempotent answer holds, for 24 hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, utcnow

api_token_event = Table(
    "api_token_event",
    Base.metadata,
    Column("token_id", ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ApiToken(Base):
    """A token made by `user` for `organisation`: it acts as that person in that organisation
    only, within its scopes and (if any are chosen) its events. Only the SHA-256 of the secret
    is kept; `prefix` (the secret's first characters) tells tokens apart in lists."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    all_events: Mapped[bool] = mapped_column(default=True)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    organisation = relationship("Organisation")
    events = relationship("Event", secondary=api_token_event, order_by="Event.starts_at")


class IdempotentRequest(Base):
    """The first answer to a write sent with an `Idempotency-Key`, replayed for the same key and
    body (`status` is None while the first request runs). Deleted after `expires_at`."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # method, path and body
    status: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class IdempotentSubject(Base):
    """A registration whose personal data a kept answer (IdempotentRequest.body) holds: when
    the person is erased, the answer goes at once (api/v1/idempotency.py), not after 24 hours.
    No personal data itself; deleted with its answer."""

    __tablename__ = "idempotent_subject"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("idempotent_request.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: the answer must go with the person even if the row is deleted first.
    registration_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    event_id: Mapped[int] = mapped_column(index=True)


class WebhookEndpoint(Base):
    """Where an organisation wants to hear about its events: a URL, the event types, the
    secret that signs each delivery (shown once), optionally some events only."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(80))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: all events
    active: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation = relationship("Organisation")


class WebhookDelivery(Base):
    """One message to one endpoint: written in the transaction of the change it tells about,
    sent by a job after the commit, retried with back-off until `next_attempt_at` runs out."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(60))
    # What it is about ("registration:12"): deliveries of one resource go out in order.
    resource: Mapped[str] = mapped_column(String(60), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]

    endpoint = relationship("WebhookEndpoint")
