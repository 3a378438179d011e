"""The organiser's B2B counts, each one query (GROUP BY), never one per person; and the
figures per actor category (requests, acceptance rate, meetings held, no-shows)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from eventapp.extensions import db
from eventapp.models import (
    ActorCategory,
    Attendance,
    B2BParticipant,
    Meeting,
    MeetingRequest,
    NetworkProfile,
    RequestStatus,
    utcnow,
)
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


@dataclass
class CategoryStats:
    """One actor category's figures: requests its people sent and received, the acceptance
    rate of those received (accepted over accepted, declined and expired ones: a request still
    pending or withdrawn by its sender has no answer), and the meetings one of its people is
    in (a meeting between two people of the category counts once)."""

    category: ActorCategory | None  # None: the whole event
    sent: int = 0
    received: int = 0
    accepted: int = 0
    decided: int = 0
    scheduled: int = 0
    held: int = 0
    no_shows: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.decided if self.decided else None

    def add(self, status: str, requests: int, meetings: int, held: int, no_shows: int, *,
            sent: bool, received: bool) -> None:  # fmt: skip
        """One group's figures; `sent`/`received`: the category is its sender's/recipient's."""
        self.sent += requests if sent else 0
        if received:
            self.received += requests
            self.accepted += requests if status == RequestStatus.ACCEPTED else 0
            self.decided += requests if status in DECIDED else 0
        self.scheduled += meetings
        self.held += held
        self.no_shows += no_shows


DECIDED = (RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.EXPIRED)


def by_category(event_id: int) -> tuple[list[CategoryStats], CategoryStats]:
    """Per actor category (in the vocabulary's order, the ones with a request), and for the
    whole event: one GROUP BY query, by the sender's and the recipient's categories."""
    a, b = aliased(B2BParticipant), aliased(B2BParticipant)
    pa, pb = aliased(NetworkProfile), aliased(NetworkProfile)
    lapsed = (
        (MeetingRequest.status == RequestStatus.PENDING)
        & MeetingRequest.expires_at.is_not(None)
        & (MeetingRequest.expires_at <= utcnow())
    )
    status = case((lapsed, RequestStatus.EXPIRED.value), else_=MeetingRequest.status)

    def marked(value: Attendance):
        return func.coalesce(func.sum(case((Meeting.attendance == value, 1), else_=0)), 0)

    rows = db.session.execute(
        select(
            pa.category,
            pb.category,
            status,
            func.count(MeetingRequest.id),
            func.count(Meeting.id),
            marked(Attendance.HELD),
            marked(Attendance.NO_SHOW),
        )
        .join(a, a.id == MeetingRequest.sender_id)
        .join(b, b.id == MeetingRequest.recipient_id)
        .join(pa, pa.id == a.profile_id)
        .join(pb, pb.id == b.profile_id)
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(MeetingRequest.event_id == event_id)
        .group_by(pa.category, pb.category, status)
    ).all()
    per: dict[str, CategoryStats] = {}
    total = CategoryStats(None)
    for sender, recipient, state, requests, meetings, held, no_shows in rows:
        figures = (str(state), requests, meetings, held, no_shows)
        total.add(*figures, sent=True, received=True)
        for category in {str(sender), str(recipient)}:
            row = per.setdefault(category, CategoryStats(ActorCategory(category)))
            row.add(*figures, sent=category == str(sender), received=category == str(recipient))
    return [per[c.value] for c in ActorCategory if c.value in per], total
