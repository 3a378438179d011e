from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.models.base import Base, utcnow


class BadgeDesign(Base):
    """An event's badge layout, chosen in the badge designer (services/badges.Design reads it):
    the format, the elements shown in their order, the name's and organisation's sizes. An
    event without one prints the default design."""

    __tablename__ = "badge_design"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    layout: Mapped[str] = mapped_column(String(20))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    name_size: Mapped[str] = mapped_column(String(10), default="m")
    organisation_size: Mapped[str] = mapped_column(String(10), default="m")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
