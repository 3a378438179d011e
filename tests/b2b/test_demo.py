"""The demo: the 2026 congress has B2B meetings with about twenty profiles and requests in
every state; loading again adds nothing."""

from sqlalchemy import func, select

from eventapp.models import B2BParticipant, B2BSettings, B2BSlot, B2BTable, Event, MeetingRequest
from eventapp.services.b2b.scheduler import Options, schedule, validate
from eventapp.services.b2b.scheduling import build_problem


def _counts(db):
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (B2BParticipant, MeetingRequest, B2BSlot, B2BTable)
    }


def test_the_2026_congress_has_b2b_meetings_and_loading_again_adds_nothing(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2026")
    )
    assert db.session.get(B2BSettings, congress.id).enabled
    counts = _counts(db)
    assert counts == {"B2BParticipant": 20, "MeetingRequest": counts["MeetingRequest"],
                      "B2BSlot": 12, "B2BTable": 15}  # fmt: skip
    assert 20 <= counts["MeetingRequest"] <= 30
    statuses = set(db.session.scalars(select(MeetingRequest.status)))
    assert {"pending", "accepted", "declined", "cancelled"} <= statuses
    problem = build_problem(congress)
    solution = schedule(problem, Options(time_limit=5))
    assert validate(problem, solution) == [] and solution.placed == len(problem.requests)
    db.session.rollback()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _counts(db) == counts
