"""The demo's forms: the 2026 congress with its questions and plausible answers (one workshop
nearly full), the 2027 tour's stages with a limited site visit."""

from sqlalchemy import func, select

from eventapp.models import AnswerChoice, Event, Question, QuestionOption
from eventapp.questions.fields import option_counts


def test_the_demo_congress_has_its_form_and_answers(app, runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2026")
    )
    identifiers = db.session.scalars(
        select(Question.identifier)
        .where(Question.event_id == congress.id)
        .order_by(Question.position)
    ).all()
    assert identifiers == [
        "logistique",
        "diet",
        "diet_other",
        "workshop",
        "gala",
        "photo_consent",
        "b2b",
        "b2b_offer",
        "b2b_seek",
    ]
    options = db.session.scalars(
        select(QuestionOption)
        .join(Question)
        .where(Question.event_id == congress.id, Question.identifier == "workshop")
        .order_by(QuestionOption.position)
    ).all()
    with app.test_request_context():
        counts = option_counts([o.id for o in options])
    assert [counts.get(o.id) for o in options] == [38, 27, 19]  # A nearly full
    assert all(o.seat_limit == 40 for o in options)
    visits = db.session.scalar(
        select(func.count()).select_from(Question).where(Question.identifier == "site_visit")
    )
    assert visits >= 3
    assert db.session.scalar(select(func.count()).select_from(AnswerChoice)) > 300
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(Question).where(Question.event_id == congress.id)
        )
        == 9
    )
