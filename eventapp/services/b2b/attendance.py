"""The table check-in of B2B meetings on the day: a meeting is marked held or no-show by an
organiser or a host at the tables, or by one of its two people (the one who came says the
other did not), and the counts go to the organiser's report.

Rules:
- A meeting can be marked from OPEN_BEFORE before its slot starts (not days ahead by mistake);
  marking again changes the mark (the last word wins: a host corrects a participant), clearing
  it is the organisers' only.
- A participant marks only their own meetings: another's is a 404.
- One UPDATE of the meeting row in the request's transaction, as a door check-in is: two marks
  at once leave one of them, never a half.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from eventapp.extensions import db
from eventapp.models import (
    Attendance,
    B2BParticipant,
    B2BSlot,
    Meeting,
    MeetingRequest,
    utcnow,
)
from eventapp.services.b2b.errors import B2BError

OPEN_BEFORE = timedelta(minutes=15)


def _check_open(meeting: Meeting, now) -> None:
    starts_at = db.session.scalar(select(B2BSlot.starts_at).where(B2BSlot.id == meeting.slot_id))
    if now < starts_at - OPEN_BEFORE:
        raise B2BError(B2BError.Code.TOO_EARLY)


def mark(meeting: Meeting, value: Attendance | None) -> None:
    """Set (or, with None, clear) the meeting's attendance."""
    now = utcnow()
    if value is not None:
        _check_open(meeting, now)
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(attendance=value, attendance_at=now if value is not None else None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(meeting)


def meeting_of(participant: B2BParticipant, meeting_id: int) -> Meeting:
    """One of the participant's meetings, else 404."""
    found = db.session.scalar(
        select(Meeting)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(
            Meeting.id == meeting_id,
            Meeting.event_id == participant.event_id,
            (MeetingRequest.sender_id == participant.id)
            | (MeetingRequest.recipient_id == participant.id),
        )
    )
    if found is None:
        raise B2BError(B2BError.Code.NOT_YOURS)
    return found


def counts(event_id: int) -> dict[str, int]:
    """Meetings held, no-shows, not marked (one GROUP BY)."""
    rows = dict(
        db.session.execute(
            select(Meeting.attendance, func.count())
            .where(Meeting.event_id == event_id)
            .group_by(Meeting.attendance)
        ).all()
    )
    return {
        "held": rows.get(Attendance.HELD, 0),
        "no_show": rows.get(Attendance.NO_SHOW, 0),
        "unmarked": rows.get(None, 0),
    }


def current_slot(slots: list[B2BSlot]) -> B2BSlot | None:
    """The slot under way, else the next one, else the last: where the check-in page opens."""
    now = utcnow()
    for slot in slots:
        if now < slot.ends_at:
            return slot
    return slots[-1] if slots else None
