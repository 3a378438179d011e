"""The demo: the 2026 congress has B2B meetings with 150 profiles and about 400 requests in
every state, the sector directory dozens of organisations across regions; loading again adds
nothing, and loading is fast."""

import time

from sqlalchemy import func, select

from eventapp.models import (
    B2BParticipant,
    B2BSettings,
    B2BSlot,
    B2BTable,
    DirectoryEntry,
    Event,
    MeetingRequest,
)
from eventapp.services.b2b.scheduler import Options, schedule, validate
from eventapp.services.b2b.scheduling import build_problem


def _counts(db):
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (B2BParticipant, MeetingRequest, B2BSlot, B2BTable, DirectoryEntry)
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
                      "B2BTable": 25, "DirectoryEntry": counts["DirectoryEntry"]}  # fmt: skip
    assert counts["DirectoryEntry"] >= 48
    statuses = set(db.session.scalars(select(MeetingRequest.status)))
    assert {"pending", "accepted", "declined", "cancelled", "expired"} <= statuses
    regions = set(db.session.scalars(select(DirectoryEntry.region).where(DirectoryEntry.listed)))
    assert len(regions) >= 10
    problem = build_problem(congress)
    solution = schedule(problem, Options(time_limit=5))
    assert validate(problem, solution) == [] and solution.placed == len(problem.requests)
    db.session.rollback()
    started = time.monotonic()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert time.monotonic() - started < 30  # loading again only checks
    assert _counts(db) == counts
