"""The organiser's B2B counts, each one query (GROUP BY), never one per person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import B2BParticipant, Meeting, MeetingRequest, RequestStatus, utcnow
from eventapp.services.b2b import attendance


@dataclass(frozen=True)
class B2BCounts:
    profiles: int
    requests: int
    pending: int
    accepted: int
    declined: int
    scheduled: int
    held: int = 0  # the table check-in: meetings held, no-shows
    no_shows: int = 0

    @property
    def placement_rate(self) -> float | None:
        """Scheduled meetings over accepted requests (None before any is accepted)."""
        return self.scheduled / self.accepted if self.accepted else None


def counts(event_id: int) -> B2BCounts:
    profiles = db.session.scalar(
        select(func.count()).select_from(B2BParticipant).where(B2BParticipant.event_id == event_id)
    )
    now = utcnow()
    by_status = dict(
        db.session.execute(
            select(MeetingRequest.status, func.count())
            .where(  # a pending request past its deadline is expired: not counted as pending
                MeetingRequest.event_id == event_id,
                (MeetingRequest.status != RequestStatus.PENDING)
                | MeetingRequest.expires_at.is_(None)
                | (MeetingRequest.expires_at > now),
            )
            .group_by(MeetingRequest.status)
        ).all()
    )
    total = db.session.scalar(
        select(func.count()).select_from(MeetingRequest).where(MeetingRequest.event_id == event_id)
    )
    scheduled = db.session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.event_id == event_id)
    )
    marked = attendance.counts(event_id)
    return B2BCounts(
        profiles=profiles or 0,
        requests=total or 0,
        pending=by_status.get("pending", 0),
        accepted=by_status.get("accepted", 0),
        declined=by_status.get("declined", 0),
        scheduled=scheduled or 0,
        held=marked["held"],
        no_shows=marked["no_show"],
    )
