"""The manage and booking pages warn about "required after a date" answers still missing:
before the date, until when to answer; after it, that it is now required. Answered, hidden by
a condition or organiser-only questions are not mentioned."""

import html
from datetime import timedelta

from sqlalchemy import select

from eventapp.models import Answer, utcnow


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_missing_answers_are_announced_with_their_date(client, db, factory):
    event = factory.event()
    soon = factory.question(
        event,
        "short_text",
        identifier="badge",
        label_fr="Nom sur le badge",
        requirement="required_after",
        required_from=utcnow() + timedelta(days=3),
    )
    factory.question(
        event,
        "short_text",
        identifier="diet",
        label_fr="Régime alimentaire",
        requirement="required_after",
        required_from=utcnow() - timedelta(days=1),
    )
    factory.question(
        event,
        "short_text",
        identifier="internal",
        label_fr="Note interne",
        requirement="required_after",
        required_from=utcnow() - timedelta(days=1),
        organiser_only=True,
    )
    reg = factory.registration(event)
    db.session.commit()
    for url in (f"/r/{reg.manage_token}", f"/b/{reg.booking.manage_token}"):
        page = text(client.get(url))
        assert "Il manque encore des réponses" in page
        assert "«\u00a0Nom sur le badge\u00a0»\u00a0: merci de répondre avant le" in page
        assert "«\u00a0Régime alimentaire\u00a0» est obligatoire depuis le" in page
        assert "Note interne" not in page
    db.session.add(
        Answer(
            question_id=soon.id,
            booking_id=reg.booking_id,
            registration_id=reg.id,
            value="Léa D.",
            label="Nom sur le badge",
        )
    )
    db.session.commit()
    page = text(client.get(f"/r/{reg.manage_token}"))
    assert "Nom sur le badge\u00a0»\u00a0: merci" not in page and "Régime alimentaire" in page


def test_a_hidden_conditional_question_is_not_asked_for(client, db, factory):
    event = factory.event()
    b2b = factory.question(event, "yes_no", identifier="b2b", label_fr="RDV B2B")
    factory.question(
        event,
        "short_text",
        identifier="offer",
        label_fr="Votre offre",
        requirement="required_after",
        required_from=utcnow() - timedelta(days=1),
        depends_on_id=b2b.id,
        depends_values=["yes"],
    )
    reg = factory.registration(event)
    db.session.add(
        Answer(
            question_id=b2b.id,
            booking_id=reg.booking_id,
            registration_id=reg.id,
            value="no",
            label="RDV B2B",
        )
    )
    db.session.commit()
    assert "Il manque encore des réponses" not in text(client.get(f"/r/{reg.manage_token}"))
    answer = db.session.scalar(select(Answer))
    answer.value = "yes"
    db.session.commit()
    assert "«\u00a0Votre offre\u00a0» est obligatoire" in text(client.get(f"/r/{reg.manage_token}"))
