"""The demo's programmes: the 2026 congress's two days (plenaries, three parallel workshops per
half-day, pitches, a round table, B2B slots) published without conflicts, a tour stage with a
site visit; loading twice adds nothing."""

from sqlalchemy import func, select

from eventapp.models import Event, ProgrammeSession, SessionKind, Speaker
from eventapp.services import programme


def test_the_demo_congress_has_a_published_two_day_programme(app, runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2026")
    )
    sessions = programme.published_sessions(congress)
    kinds = [s.kind for s in sessions]
    assert kinds.count(SessionKind.WORKSHOP) == 12  # 3 parallel per half-day, 4 half-days
    assert {
        SessionKind.PLENARY,
        SessionKind.PITCH,
        SessionKind.ROUND_TABLE,
        SessionKind.B2B,
    } <= set(kinds)
    with app.test_request_context():
        assert programme.find_conflicts(congress, programme.draft_sessions(congress)) == []
        assert len(programme.days(sessions, published=True)) == 2
    titles = " ".join(s.title_fr for s in sessions)
    assert (
        "Vecteurs viraux" in titles and "anticorps" in titles and "thérapies cellulaires" in titles
    )
    assert any(
        sp.organisation == "Medicen Paris Region" for sp in programme.listed_speakers(congress)
    )
    stage = db.session.scalar(select(Event).where(Event.slug == "fbt-2027-etape-1-grand-ouest"))
    assert SessionKind.VISIT in {s.kind for s in programme.published_sessions(stage)}
    before = db.session.scalar(select(func.count()).select_from(ProgrammeSession))
    speakers = db.session.scalar(select(func.count()).select_from(Speaker))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ProgrammeSession)) == before
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == speakers
