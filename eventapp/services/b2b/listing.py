"""Reading the meetings: the event's meetings with both people, in time and table order (one
query, shared by the organiser's grid and table sheets, the table check-in and the schedule's
export), and a participant's agenda (their meetings with the other person)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    B2BSlot,
    B2BTable,
    Meeting,
    MeetingRequest,
    NetworkProfile,
    Registration,
)
from eventapp.text import person_name


@dataclass
class MeetingRow:
    meeting: Meeting
    slot: B2BSlot
    table: B2BTable
    a: str  # the requester's name
    a_org: str
    b: str  # the other person's
    b_org: str


def with_people(event_id: int, *, slot_id: int | None = None):
    """The SELECT: each meeting with its slot, table, and both people's names and
    organisations (the requester first); `slot_id` keeps one slot's."""
    a, b = aliased(B2BParticipant), aliased(B2BParticipant)
    ra, rb = aliased(Registration), aliased(Registration)
    pa, pb = aliased(NetworkProfile), aliased(NetworkProfile)
    query = (
        select(
            Meeting,
            B2BSlot,
            B2BTable,
            ra.first_name,
            ra.last_name,
            pa.organisation_name,
            rb.first_name,
            rb.last_name,
            pb.organisation_name,
        )
        .join(B2BSlot, B2BSlot.id == Meeting.slot_id)
        .join(B2BTable, B2BTable.id == Meeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .join(a, a.id == MeetingRequest.sender_id)
        .join(b, b.id == MeetingRequest.recipient_id)
        .join(ra, ra.id == a.registration_id)
        .join(rb, rb.id == b.registration_id)
        .join(pa, pa.id == a.profile_id)
        .join(pb, pb.id == b.profile_id)
        .where(Meeting.event_id == event_id)
        .order_by(B2BSlot.starts_at, B2BTable.number)
    )
    if slot_id is not None:
        query = query.where(Meeting.slot_id == slot_id)
    return query


def rows(result) -> Iterator[MeetingRow]:
    """The query's result as MeetingRow objects (a generator: exports stream it)."""
    for meeting, slot, table, af, al, ao, bf, bl, bo in result:
        yield MeetingRow(meeting, slot, table, person_name(af, al), ao, person_name(bf, bl), bo)


@dataclass
class AgendaItem:
    meeting_id: int
    request_id: int
    starts_at: datetime
    ends_at: datetime
    table_number: int
    location: str
    other: B2BParticipant
    other_name: str
    other_organisation: str
    attendance: str | None = None  # the table check-in's mark


def agenda_of(participant: B2BParticipant) -> list[AgendaItem]:
    """The participant's meetings in time order, with the other person (one query)."""
    me = participant.id
    other = aliased(B2BParticipant)
    rows = db.session.execute(
        select(Meeting, B2BSlot, B2BTable, MeetingRequest, other)
        .join(B2BSlot, B2BSlot.id == Meeting.slot_id)
        .join(B2BTable, B2BTable.id == Meeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .join(
            other,
            or_(
                (MeetingRequest.sender_id == me) & (other.id == MeetingRequest.recipient_id),
                (MeetingRequest.recipient_id == me) & (other.id == MeetingRequest.sender_id),
            ),
        )
        .options(joinedload(other.profile), joinedload(other.registration))
        .order_by(B2BSlot.starts_at)
    ).all()
    return [
        AgendaItem(
            meeting.id,
            request.id,
            slot.starts_at,
            slot.ends_at,
            table.number,
            table.location,
            person,
            person.registration.full_name,
            person.profile.organisation_name,
            meeting.attendance,
        )
        for meeting, slot, table, request, person in rows
    ]
