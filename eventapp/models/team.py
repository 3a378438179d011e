"""Teams: invitations to an organisation (or to one event), per-event grants (co-organisers),
and what the accounts keep for two-factor login and their login history."""

from __future__ import annotations

from datetime import date, datetime
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
    # With event_id: the grant it becomes holds only on these days (Paris dates, inclusive).
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

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
    # The days (Europe/Paris dates, inclusive) on which the grant holds; None: no bound. A
    # volunteer's check-in for one day ends by itself (permissions.rules reads these).
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

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
    browser. Kept LOGIN_HISTORY_DAYS (eventapp.account.sessions.purge, by the retention run)."""

    __tablename__ = "login_record"
    __table_args__ = (Index("ix_login_record_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    network: Mapped[str] = mapped_column(String(50))  # "192.0.2.x" / "2001:db8:…"
    browser: Mapped[str] = mapped_column(String(120))
    # A digest of the browser's user agent: a login from an unseen one is told by e-mail.
    browser_key: Mapped[str] = mapped_column(String(64))


class UserSession(Base):
    """One signed-in browser: the session cookie (and a "remember me" cookie) carries `key`,
    of which only the SHA-256 is kept. A session is live while `ended_at` is empty and
    `generation` is the account's current session token (rotating it ends them all). Ended
    sessions are deleted after SESSION_HISTORY_DAYS, live ones once the remember cookie would
    have expired (eventapp.account.sessions.purge)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[str] = mapped_column(String(64))  # digest of User.session_token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    network: Mapped[str] = mapped_column(String(50))  # as LoginRecord.network
    browser: Mapped[str] = mapped_column(String(120))


class LoginThrottle(Base):
    """Failed logins counted per (account, address) pair and per account, so that guesses slow
    down without locking the account holder out (issue 20, point 5). `key` and `account` are
    digests (no e-mail or address is stored); rows are deleted a day after their last failure."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
