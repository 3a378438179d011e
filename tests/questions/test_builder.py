"""The organiser's form builder: add every type, options with places, a condition, reorder
with buttons, delete (asks first when answered, audited), copy, preview; wording changes keep
answers readable; a viewer or an outsider gets 404."""

import html

from sqlalchemy import select

from eventapp.models import Answer, AuditLog, Question
from eventapp.questions.types import TYPES


def text(response):
    return html.unescape(response.get_data(as_text=True))


def _new(client, event, **data):
    base = {"kind": "short_text", "label_fr": "Question", "requirement": "optional"}
    return client.post(f"/organiser/events/{event.id}/questions/new", data={**base, **data})


def test_an_organiser_builds_the_congress_form(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    assert client.get(f"/organiser/events/{event.id}/questions").status_code == 200
    for kind in TYPES:
        form = client.get(f"/organiser/events/{event.id}/questions/new?kind={kind}")
        assert form.status_code == 200
    response = _new(
        client,
        event,
        kind="choice",
        label_fr="Atelier",
        label_en="Workshop",
        identifier="workshop",
        options="a | Atelier A | Workshop A | 40\nb | Atelier B | Workshop B | 40\nAtelier C",
        requirement="required",
    )
    assert response.status_code == 302, text(response)
    assert (
        _new(client, event, kind="yes_no", label_fr="Rendez-vous B2B", identifier="b2b").status_code
        == 302
    )
    b2b = db.session.scalar(select(Question).where(Question.identifier == "b2b"))
    response = _new(
        client,
        event,
        kind="long_text",
        label_fr="Ce que vous proposez",
        identifier="offer",
        depends_on=str(b2b.id),
        depends_values="yes",
    )
    assert response.status_code == 302, text(response)
    questions = db.session.scalars(select(Question).order_by(Question.position)).all()
    assert [q.identifier for q in questions] == ["workshop", "b2b", "offer"]
    workshop = questions[0]
    assert [(o.identifier, o.seat_limit) for o in workshop.options] == [
        ("a", 40),
        ("b", 40),
        ("atelier_c", None),
    ]
    assert questions[2].depends_on_id == b2b.id and questions[2].depends_values == ["yes"]
    # The public form shows them, the condition wired for the script.
    page = text(client.get(f"/events/{event.slug}/register"))
    assert "Atelier A" in page and f'data-depends-on="q_{b2b.id}"' in page
    preview = client.get(f"/organiser/events/{event.id}/questions/preview")
    assert preview.status_code == 200 and "Atelier A" in text(preview)


def test_bad_builder_input_is_a_4xx_with_the_message_and_the_input_kept(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    first = factory.question(event, "yes_no", identifier="gala")
    cases = [
        ({"kind": "choice", "label_fr": "Atelier", "options": ""}, "au moins une option"),
        ({"label_fr": "X", "identifier": "gala"}, "utilise déjà cet identifiant"),
        ({"label_fr": "X", "identifier": "Bad Id"}, "minuscules"),
        ({"kind": "choice", "label_fr": "X", "options": "a | A | A | beaucoup"}, "Ligne 1"),
        ({"label_fr": "X", "depends_on": str(first.id), "depends_values": "maybe"}, "dépendre"),
        ({"label_fr": "X", "requirement": "required_after"}, "à partir de laquelle"),
        ({"label_fr": ""}, "obligatoire"),
        ({"kind": "martian", "label_fr": "X"}, "choix"),
    ]
    for data, message in cases:
        response = _new(client, event, **data)
        assert response.status_code in (400, 422), (data, response.status_code)
        assert message in text(response), data
    assert db.session.scalar(select(Question.id).where(Question.id != first.id)) is None


def test_reorder_with_buttons_keeps_a_condition_after_its_question(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    a = factory.question(event, "yes_no", identifier="a", position=1)
    b = factory.question(event, "short_text", identifier="b", position=2)
    c = factory.question(
        event, "short_text", identifier="c", position=3, depends_on_id=a.id, depends_values=["yes"]
    )
    url = f"/organiser/events/{event.id}/questions/{{}}/move"
    assert client.post(url.format(c.id), data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    order = [q.identifier for q in db.session.scalars(select(Question).order_by(Question.position))]
    assert order == ["a", "c", "b"]
    # c cannot go above a, the question it depends on.
    client.post(url.format(c.id), data={"direction": "up"})
    db.session.expire_all()
    order = [q.identifier for q in db.session.scalars(select(Question).order_by(Question.position))]
    assert order == ["a", "c", "b"]
    assert b.id


def test_deleting_an_answered_question_asks_first_and_is_audited(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    q = factory.question(event, "yes_no", identifier="gala")
    question_id = q.id
    person = factory.registration(event)
    db.session.add(
        Answer(
            question_id=q.id, booking_id=person.booking_id, registration_id=person.id, value="yes"
        )
    )
    db.session.commit()
    url = f"/organiser/events/{event.id}/questions/{question_id}/delete"
    page = text(client.get(url))
    assert "1 personne y a répondu" in page
    refused = client.post(url, data={})
    assert refused.status_code == 422
    assert client.post(url, data={"confirm": "y"}).status_code == 302
    assert db.session.scalar(select(Question.id).where(Question.id == question_id)) is None
    assert db.session.scalar(select(Answer.id)) is None
    line = db.session.scalar(select(AuditLog).where(AuditLog.action == "question.deleted"))
    assert line.details["answers"] == 1 and line.details["question"] == "gala"


def test_a_new_wording_keeps_the_given_answers_readable(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    q = factory.question(event, "consent", identifier="photo", label_fr="Photos OK")
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "first_name": "Léa",
            "last_name": "Durand",
            "email": "lea@example.org",
            "category": "biotech",
            "consent": "y",
            f"q_{q.id}": "y",
        },
    )
    assert response.status_code == 302
    edit = client.post(
        f"/organiser/events/{event.id}/questions/{q.id}/edit",
        data={
            "kind": "consent",
            "label_fr": "J’accepte les photos",
            "identifier": "photo",
            "requirement": "optional",
        },
    )
    assert edit.status_code == 302, text(edit)
    db.session.expire_all()
    answer = db.session.scalar(select(Answer))
    assert answer.label == "Photos OK" and answer.consent_version == 1
    assert db.session.get(Question, q.id).version == 2
    registration = answer.registration_id
    page = text(client.get(f"/organiser/events/{event.id}/attendees/{registration}"))
    assert "J’accepte les photos" in page and "Photos OK" in page


def test_copy_the_form_of_another_event(client, db, factory, login):
    org = factory.organisation()
    source = factory.event(organisers=[org])
    target = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    a = factory.question(source, "yes_no", identifier="b2b")
    factory.question(
        source, "short_text", identifier="offer", depends_on_id=a.id, depends_values=["yes"]
    )
    response = client.post(
        f"/organiser/events/{target.id}/questions/copy", data={"source": source.id}
    )
    assert response.status_code == 302
    copied = db.session.scalars(
        select(Question).where(Question.event_id == target.id).order_by(Question.position)
    ).all()
    assert [q.identifier for q in copied] == ["b2b", "offer"]
    assert copied[1].depends_on_id == copied[0].id
    # Another organisation's event cannot be a source.
    foreign = factory.event(organisers=[factory.organisation()])
    factory.question(foreign, "short_text", identifier="secret")
    client.post(f"/organiser/events/{target.id}/questions/copy", data={"source": foreign.id})
    assert (
        db.session.scalar(
            select(Question.id).where(
                Question.event_id == target.id, Question.identifier == "secret"
            )
        )
        is None
    )


def test_viewers_and_outsiders_do_not_reach_the_builder(client, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "viewer"))
    assert client.get(f"/organiser/events/{event.id}/questions").status_code == 404
