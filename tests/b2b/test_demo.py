"""The demo: the 2026 congress has B2B meetings with 150 profiles, about 400 requests in every
state and a published schedule, the sector directory dozens of organisations across regions;
loading again adds nothing, and loading is fast."""

import time

from sqlalchemy import func, select

from eventapp.models import (
    B2BParticipant,
    B2BSettings,
    B2BSlot,
    B2BTable,
    DirectoryEntry,
    Event,
    Meeting,
    MeetingRequest,
    OutboxMessage,
    RequestStatus,
)
from eventapp.services.b2b.listing import agenda_of
from eventapp.services.b2b.scheduler import Options, schedule, validate
from eventapp.services.b2b.scheduling import build_problem


def _counts(db):
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (B2BParticipant, MeetingRequest, B2BSlot, B2BTable, DirectoryEntry, Meeting)
    }


def test_the_2026_congress_has_b2b_meetings_and_loading_again_adds_nothing(runner, db):
    started = time.monotonic()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    print(f"demo load: {time.monotonic() - started:.1f} s")
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2026")
    )
    assert db.session.get(B2BSettings, congress.id).enabled
    counts = _counts(db)
    assert counts == {"B2BParticipant": 150, "MeetingRequest": 400, "B2BSlot": 12,
                      "B2BTable": 25, "DirectoryEntry": counts["DirectoryEntry"],
                      "Meeting": counts["Meeting"]}  # fmt: skip
    assert counts["DirectoryEntry"] >= 48
    statuses = set(db.session.scalars(select(MeetingRequest.status)))
    assert {"pending", "accepted", "declined", "cancelled", "expired"} <= statuses
    regions = set(db.session.scalars(select(DirectoryEntry.region).where(DirectoryEntry.listed)))
    assert len(regions) >= 10
    # A published schedule: every accepted request placed (the database's constraints keep the
    # hard rules), nobody e-mailed, and the meetings in the people's agendas.
    assert db.session.get(B2BSettings, congress.id).published_at is not None
    meetings = db.session.scalar(select(func.count()).select_from(Meeting))
    accepted = db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED)
    )
    assert meetings == accepted > 150
    outbox = select(func.count()).select_from(OutboxMessage)
    assert db.session.scalar(outbox.where(OutboxMessage.kind.like("b2b.%"))) == 0
    someone = db.session.scalar(select(Meeting).order_by(Meeting.id).limit(1))
    sender = db.session.get(MeetingRequest, someone.request_id).sender
    assert someone.id in {item.meeting_id for item in agenda_of(sender)}
    problem = build_problem(congress)
    assert len(problem.existing) == meetings
    solution = schedule(problem, Options(time_limit=5))
    assert validate(problem, solution) == [] and solution.placed == len(problem.requests)
    db.session.rollback()
    started = time.monotonic()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert time.monotonic() - started < 30  # loading again only checks
    assert _counts(db) == counts
