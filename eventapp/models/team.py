"""Teams: invitations to an organisation (or to one event), per-event grants (co-organisers),
and what the accounts keep for two-factor login and their login history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, str_enum, utcnow
from eventapp.models.enums import MembershipRole

if TYPE_CHECKING:
    from eventapp.models.event import Event
    from eventapp.models.organisation import Organisation
    from eventapp.models.user import User


class Invitation(Base):
    """An invitation by e-mail to join an organisation with a role (or, with `event_id`, to hold
    the role on that event only). Only the SHA-256 of the link's token is kept; the link is
    single-use (accepted_at) and expires (expires_at); revoking sets revoked_at."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    event: Mapped[Event | None] = relationship()

    def is_pending(self, now: datetime | None = None) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and (now or utcnow()) < self.expires_at
        )


class EventGrant(Base):
    """A role on one event (a tour stage is an event; on a tour it reaches its stages) given by
    the event's lead organisation to another organisation (its members hold the role, within
    what their own role grants) or to one person."""

    __tablename__ = "event_grant"
    __table_args__ = (
        CheckConstraint(
            "(organisation_id IS NULL) != (user_id IS NULL)", name="organisation_or_user"
        ),
        Index("ix_event_grant_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship()


class RecoveryCode(Base):
    """One of the ten single-use codes that replace a TOTP code once (only its hash is kept)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class LoginRecord(Base):
    """A login: when, a coarse place (the IP's first bytes, never the whole address) and the
    browser. Kept LOGIN_HISTORY_DAYS (eventapp.account.services.purge_login_history)."""

    __tablename__ = "login_record"
    __table_args__ = (Index("ix_login_record_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    network: Mapped[str] = mapped_column(String(50))  # "192.0.2.x" / "2001:db8:…"
    browser: Mapped[str] = mapped_column(String(120))
    # A digest of the browser's user agent: a login from an unseen one is told by e-mail.
    browser_key: Mapped[str] = mapped_column(String(64))
