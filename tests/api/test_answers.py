"""Writing a registration's answers through /api/v1 (POST and PATCH of an attendee): the
event's own form validates them (types, ranges, options, conditions), the answers not sent are
kept, a full option is a 409 naming its question, and the option's seat limit holds under
simultaneous requests (the event lock of questions/answers.save)."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Answer, AnswerChoice, Registration
from tests.support.races import race

PERSON = {
    "first_name": "Lucie",
    "last_name": "Bernard",
    "email": "lucie.bernard@example.org",
    "category": "academic",
}


@pytest.fixture
def setup(factory, api_for):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org], capacity=50)
    questions = {
        "diet": factory.question(event, identifier="diet"),
        "visit": factory.question(
            event,
            "choice",
            options=[("morning", "Matin", 1), ("afternoon", "Après-midi")],
            identifier="visit",
        ),
        "topics": factory.question(
            event,
            "multi_choice",
            options=[("cell", "Cell"), ("gene", "Gene")],
            identifier="topics",
        ),
        "dinner": factory.question(event, "yes_no", identifier="dinner"),
        "guests": factory.question(
            event, "number", identifier="guests", min_number=Decimal(0), max_number=Decimal(3)
        ),
        "secret": factory.question(event, identifier="secret", sensitive=True),
    }
    questions["menu"] = factory.question(
        event,
        identifier="menu",
        depends_on_id=questions["dinner"].id,
        depends_values=["yes"],
    )
    return event, api_for(user, org), questions


def _stored(registration_id):
    db.session.rollback()
    rows = db.session.scalars(select(Answer).where(Answer.registration_id == registration_id))
    return {a.question.identifier: a.value for a in rows}


def test_a_new_attendee_is_registered_with_their_answers(setup):
    event, api, _questions = setup
    sent = {
        "diet": "  Sans   gluten ",
        "visit": "morning",
        "topics": ["gene", "cell"],
        "dinner": True,
        "guests": 2,
        "menu": "Végétarien",
    }
    created = api.post(f"/api/v1/events/{event.id}/attendees", json={**PERSON, "answers": sent})
    assert created.status_code == 201, created.json
    expected = {
        "diet": "Sans gluten",  # the form's one-line rule
        "visit": "morning",
        "topics": "cell,gene",
        "dinner": "yes",
        "guests": "2",
        "menu": "Végétarien",
    }
    assert created.json["answers"] == expected
    assert _stored(created.json["id"]) == expected
    chosen = db.session.scalar(select(func.count()).select_from(AnswerChoice))
    assert chosen == 3  # morning, cell, gene: the options are linked, as the form does


def test_bad_answers_are_a_422_by_question_and_register_nobody(setup):
    event, api, _questions = setup
    cases = {
        "visit": ("evening", "visit"),
        "guests": (7, "guests"),
        "topics": (["cell", "nope"], "topics"),
        "diet": (["a", "b"], "diet"),
        "dinner": ("maybe", "dinner"),
        "unknown": ("x", "unknown"),
        "secret": ("x", "secret"),  # sensitive answers do not go through the API
    }
    for identifier, (value, named) in cases.items():
        answer = api.post(
            f"/api/v1/events/{event.id}/attendees",
            json={**PERSON, "answers": {identifier: value}},
        )
        assert answer.status_code == 422, (identifier, answer.json)
        assert answer.mimetype == "application/problem+json"
        messages = answer.json["errors"]["json"]["answers"]
        assert list(messages) == [named] and messages[named][0], (identifier, messages)
    too_long = api.post(
        f"/api/v1/events/{event.id}/attendees", json={**PERSON, "answers": {"diet": "x" * 201}}
    )
    assert too_long.status_code == 422
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_messages_are_in_the_readers_language(setup):
    event, api, _questions = setup
    url = f"/api/v1/events/{event.id}/attendees"
    body = {**PERSON, "answers": {"guests": 9}}
    fr = api.post(url, json=body, headers={"Accept-Language": "fr"}).json
    en = api.post(url, json=body, headers={"Accept-Language": "en"}).json
    assert fr["errors"]["json"]["answers"]["guests"] == ["Au plus 3."]
    assert en["errors"]["json"]["answers"]["guests"] == ["At most 3."]


def test_patch_changes_the_answers_sent_and_keeps_the_others(setup):
    event, api, _questions = setup
    created = api.post(
        f"/api/v1/events/{event.id}/attendees",
        json={**PERSON, "answers": {"diet": "Halal", "topics": ["cell"], "guests": 1}},
    ).json
    url = f"/api/v1/events/{event.id}/attendees/{created['id']}"
    patched = api.patch(url, json={"answers": {"topics": ["gene"], "guests": None}})
    assert patched.status_code == 200, patched.json
    assert patched.json["answers"] == {"diet": "Halal", "topics": "gene"}
    assert patched.json["updated_at"] > created["updated_at"]  # seen by modified_since
    since = api.get(
        f"/api/v1/events/{event.id}/attendees",
        query_string={"modified_since": patched.json["updated_at"]},
    ).json["items"]
    assert [a["id"] for a in since] == [created["id"]]
    assert _stored(created["id"]) == {"diet": "Halal", "topics": "gene"}


def test_an_answer_hidden_by_its_condition_is_removed_as_on_the_page(setup):
    event, api, _questions = setup
    created = api.post(
        f"/api/v1/events/{event.id}/attendees",
        json={**PERSON, "answers": {"dinner": "yes", "menu": "Poisson"}},
    ).json
    assert created["answers"] == {"dinner": "yes", "menu": "Poisson"}
    url = f"/api/v1/events/{event.id}/attendees/{created['id']}"
    assert api.patch(url, json={"answers": {"dinner": False}}).json["answers"] == {"dinner": "no"}


def test_a_full_option_is_a_409_naming_its_question_but_stays_its_holders(setup):
    event, api, _questions = setup
    url = f"/api/v1/events/{event.id}/attendees"
    first = api.post(url, json={**PERSON, "answers": {"visit": "morning"}}).json
    second = api.post(
        url, json={**PERSON, "email": "autre@example.org", "answers": {"visit": "morning"}}
    )
    assert second.status_code == 422  # seen full by the form, as on the page
    assert second.json["errors"]["json"]["answers"]["visit"]
    assert "Matin" in second.json["errors"]["json"]["answers"]["visit"][0]
    again = api.patch(f"{url}/{first['id']}", json={"answers": {"visit": "morning", "diet": "x"}})
    assert again.status_code == 200, again.json  # a full option its holder keeps
    assert again.json["answers"]["visit"] == "morning"


def test_the_last_place_of_an_option_goes_to_one_of_simultaneous_requests(app, setup):
    event, api, questions = setup
    url = f"/api/v1/events/{event.id}/attendees"

    def post(n):
        client = app.test_client()
        body = {**PERSON, "email": f"p{n}@example.org", "answers": {"visit": "morning"}}
        answer = client.post(url, json=body, headers=api._headers({}))
        return answer.status_code, answer.json

    errors, results = race(app, post, 6)
    assert errors == []
    statuses = [status for status, _body in results.values()]
    assert statuses.count(201) == 1, results
    # Refused by the form (the option seen full) or, on PostgreSQL where the requests run
    # side by side, by the count under the event lock: either way naming the question.
    for status, body in results.values():
        assert status in (201, 409, 422), results
        if status != 201:
            assert "Matin" in body["errors"]["json"]["answers"]["visit"][0], body
    db.session.rollback()
    holders = db.session.scalar(
        select(func.count())
        .select_from(AnswerChoice)
        .where(AnswerChoice.option_id == questions["visit"].options[0].id)
    )
    assert holders == 1
    # The refused requests registered nobody (their whole change was rolled back).
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
