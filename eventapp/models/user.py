from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from eventapp.models.base import Base, TimestampMixin, str_enum
from eventapp.models.enums import MembershipRole

if TYPE_CHECKING:
    from eventapp.models.organisation import Organisation


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, Base):
    """An organiser, check-in staff member or administrator (participants have no account)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Part of the Flask-Login id: rotating it (password change) logs out every other session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(5))
    # Two-factor login (TOTP): the base32 secret, on once confirmed with a first code.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Not stored: the key of the session this object was loaded for (eventapp.account.sessions);
    # it is the third part of the Flask-Login id, so one session can end alone.
    session_key = None
    session_row_id = None
    organisation_requires_2fa = None  # known from the session's load, else asked

    def set_password(self, password: str) -> None:
        # The cost is the app's PASSWORD_HASH_METHOD (scrypt at Werkzeug's cost outside tests).
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def has_2fa(self) -> bool:
        return self.totp_enabled_at is not None

    def end_sessions(self) -> None:
        """Every session of this account ends at its next request (the loader compares it)."""
        self.session_token = new_session_token()

    def get_id(self) -> str:
        base = f"{self.id}:{self.session_token}"
        return f"{base}:{self.session_key}" if self.session_key else base

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole))
    # The days (Paris dates, inclusive) the membership holds on, e.g. check-in staff for the
    # days of an event; None: no bound (eventapp.permissions.rules reads them).
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
