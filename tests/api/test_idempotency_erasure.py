"""A kept idempotent answer that shows a person (their name, e-mail, answers) is deleted the
moment that person is erased (the right to erasure, or the retention purge), in the erasure's
transaction: not 24 hours later. Answers about other people stay, and replay."""

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import IdempotentRequest, IdempotentSubject, Registration
from eventapp.privacy.retention import purge_expired
from eventapp.services import privacy

PERSON = {
    "first_name": "Lucie",
    "last_name": "Bernard",
    "email": "lucie.bernard@example.org",
    "category": "academic",
}


def _kept():
    db.session.rollback()
    return db.session.scalars(select(IdempotentRequest.key).order_by(IdempotentRequest.key)).all()


def _create(api, event, key, **person):
    answer = api.post(
        f"/api/v1/events/{event.id}/attendees",
        json={**PERSON, **person},
        headers={"Idempotency-Key": key},
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_erasing_a_person_deletes_the_kept_answers_that_show_them_at_once(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    lucie = _create(api, event, "create-lucie")
    other = _create(api, event, "create-paul", first_name="Paul", email="paul@example.org")
    patched = api.patch(
        f"/api/v1/events/{event.id}/attendees/{lucie['id']}",
        json={"job_title": "Ingénieure procédés"},
        headers={"Idempotency-Key": "patch-lucie"},
    )
    assert patched.status_code == 200
    assert _kept() == ["create-lucie", "create-paul", "patch-lucie"]
    subjects = db.session.execute(select(IdempotentSubject.registration_id)).scalars().all()
    assert sorted(subjects) == sorted([lucie["id"], other["id"], lucie["id"]])

    with write_transaction():
        privacy.erase([db.session.get(Registration, lucie["id"])])

    assert _kept() == ["create-paul"]  # at once, not after 24 hours
    stored = db.session.scalars(select(IdempotentRequest.body)).all()
    assert all("lucie" not in (body or "").lower() for body in stored)
    assert db.session.scalar(select(func.count()).select_from(IdempotentSubject)) == 1
    # Paul's answer still replays.
    again = api.post(
        f"/api/v1/events/{event.id}/attendees",
        json={**PERSON, "first_name": "Paul", "email": "paul@example.org"},
        headers={"Idempotency-Key": "create-paul"},
    )
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == other


def test_an_erasure_rolled_back_keeps_the_answers(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    lucie = _create(api, event, "create-lucie")
    try:
        with write_transaction():
            privacy.erase([db.session.get(Registration, lucie["id"])])
            raise RuntimeError("the erasure fails after its events were recorded")
    except RuntimeError:
        pass
    assert _kept() == ["create-lucie"]


def test_the_retention_purge_deletes_the_answers_about_the_events_people(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    _create(api, event, "create-lucie")
    event.starts_at -= timedelta(days=800)
    event.ends_at -= timedelta(days=800)
    db.session.commit()
    purge_expired(privacy.Age(months=24))
    assert _kept() == []
