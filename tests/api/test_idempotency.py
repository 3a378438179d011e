"""Idempotency-Key: the same key and body replay the first answer without a second change
(errors included); the same key with another body is refused; a key still running answers
409; "try again" answers are not kept; answers expire."""

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.api.v1 import idempotency
from eventapp.extensions import db
from eventapp.models import IdempotentRequest, Registration, utcnow
from tests.support.races import race

PERSON = {
    "first_name": "Lucie",
    "last_name": "Bernard",
    "email": "l.b@example.org",
    "category": "academic",
}


def _count():
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_the_same_key_and_body_replay_the_first_answer(api_for, factory, mail_outbox):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    url = f"/api/v1/events/{event.id}/attendees"
    key = {"Idempotency-Key": "sync-42"}
    first = api.post(url, json=PERSON, headers=key)
    second = api.post(url, json=PERSON, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json and second.headers["Idempotent-Replayed"] == "true"
    assert _count() == 1
    other = api.post(url, json={**PERSON, "email": "x@example.org"}, headers=key)
    assert other.status_code == 422 and other.json["code"] == "api.idempotency_key_reused"
    assert _count() == 1


def test_errors_are_replayed_too_and_keys_belong_to_their_token(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    user = factory.user(org)
    api, other_token = api_for(user, org), api_for(user, org)
    url = f"/api/v1/events/{event.id}/attendees"
    key = {"Idempotency-Key": "k1"}
    bad = api.post(url, json={"first_name": "A"}, headers=key)
    assert bad.status_code == 422
    replay = api.post(url, json={"first_name": "A"}, headers=key)
    assert replay.status_code == 422 and replay.headers["Idempotent-Replayed"] == "true"
    assert other_token.post(url, json=PERSON, headers=key).status_code == 201


def test_a_key_still_running_answers_409_and_a_stale_one_is_taken_over(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    url = f"/api/v1/events/{event.id}/attendees"
    api.post(url, json=PERSON, headers={"Idempotency-Key": "warm"})
    token_id = db.session.scalar(select(IdempotentRequest.token_id))
    body = {**PERSON, "email": "run@example.org"}
    with api.client.application.test_request_context(url, method="POST", json=body):
        print_ = idempotency.fingerprint()
    db.session.add(
        IdempotentRequest(
            token_id=token_id,
            key="running",
            fingerprint=print_,
            status=None,
            expires_at=utcnow() + timedelta(hours=24),
        )
    )
    db.session.commit()
    busy = api.post(url, json=body, headers={"Idempotency-Key": "running"})
    assert busy.status_code == 409 and busy.json["code"] == "api.in_progress"
    row = db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.key == "running"))
    row.created_at = utcnow() - timedelta(minutes=10)  # its process died
    db.session.commit()
    assert api.post(url, json=body, headers={"Idempotency-Key": "running"}).status_code == 201


def test_conflicts_are_not_kept(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    url = f"/api/v1/events/{event.id}/publish"
    key = {"Idempotency-Key": "pub"}
    factory_event = event
    assert api.post(url, headers=key).status_code == 409  # already published
    factory_event.status = "draft"
    db.session.commit()
    assert api.post(url, headers=key).status_code == 200  # the 409 was not kept


def test_expired_answers_are_pruned(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    api.post(f"/api/v1/events/{event.id}/attendees", json=PERSON, headers={"Idempotency-Key": "a"})
    assert idempotency.prune(utcnow()) == 0
    assert idempotency.prune(utcnow() + timedelta(hours=25)) == 1


def test_two_racing_requests_with_one_key_register_once(app, api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    url = f"/api/v1/events/{event.id}/attendees"
    headers = {"Authorization": f"Bearer {api.secret}", "Idempotency-Key": "race"}

    def send(_n):
        response = app.test_client().post(url, json=PERSON, headers=headers)
        return response.status_code, response.get_json()

    errors, results = race(app, send, 2)
    assert not errors
    statuses = sorted(status for status, _body in results.values())
    assert statuses in ([201, 201], [201, 409]), results
    db.session.rollback()  # a fresh snapshot: the threads committed after this session's
    assert _count() == 1
