"""Signed webhooks, against a real HTTP receiver on loopback: written with the change and sent
by the job after the commit (never for a rolled-back change), signed with the endpoint's
secret over id, timestamp and body, retried with back-off after a 500 or a timeout, in order
per resource, 410 disables the endpoint; a test event; the log."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import WebhookDelivery, WebhookEndpoint, utcnow
from eventapp.services import registrations
from eventapp.services.api import delivery as sending
from eventapp.services.api import webhooks
from eventapp.services.registrations import Participant
from tests.api.receiver import receiving

PERSON = {
    "first_name": "Lucie",
    "last_name": "Bernard",
    "email": "l.b@example.org",
    "category": "academic",
}


@pytest.fixture
def receiver():
    with receiving() as found:
        yield found


def _endpoint(org, user, url, types=("registration.created", "checkin.created"), **kw):
    endpoint, secret = webhooks.create_endpoint(
        org, url=url, event_types=list(types), user=user, **kw
    )
    db.session.commit()
    return endpoint, secret


def test_a_registration_and_a_check_in_are_delivered_signed(api_for, factory, receiver):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    _endpoint_row, secret = _endpoint(org, user, receiver.url)
    api = api_for(user, org)
    created = api.post(f"/api/v1/events/{event.id}/attendees", json=PERSON).json
    api.post(f"/api/v1/events/{event.id}/checkins", json={"registration_id": created["id"]})
    assert len(receiver.received) == 2
    kinds = []
    for item in receiver.received:
        assert webhooks.verify(secret, item.headers, item.body)
        assert not webhooks.verify("whsec_other", item.headers, item.body)
        tampered = item.body.replace(b"registration", b"Registration")
        assert not webhooks.verify(secret, item.headers, tampered)
        payload = json.loads(item.body)
        assert payload["id"] == item.headers["Webhook-Id"]
        assert payload["data"]["registration_id"] == created["id"]
        assert payload["links"]["registration"].endswith(
            f"/api/v1/events/{event.id}/attendees/{created['id']}"
        )
        assert "lucie" not in item.body.decode().lower()  # ids, not personal data
        kinds.append(payload["type"])
    assert kinds == ["registration.created", "checkin.created"]
    states = db.session.scalars(select(WebhookDelivery.state)).all()
    assert states == ["delivered", "delivered"]


def test_nothing_is_delivered_for_a_rolled_back_change(app, factory, receiver):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    _endpoint(org, user, receiver.url)
    with pytest.raises(ZeroDivisionError), write_transaction():
        registrations.register([event], Participant(**PERSON), user=user, notify=False)
        1 / 0  # noqa: B018 - the change fails after its domain event was recorded
    assert db.session.scalars(select(WebhookDelivery)).all() == []
    assert receiver.received == []


def test_endpoints_hear_only_their_types_events_and_organisation(api_for, factory, receiver):
    org, other = factory.organisation(), factory.organisation()
    user = factory.user(org)
    event, quiet = factory.event(organisers=[org]), factory.event(organisers=[org])
    _endpoint(org, user, receiver.url, types=["checkin.created"])
    _endpoint(org, user, receiver.url, types=["registration.created"], event_ids=[quiet.id])
    _endpoint(other, factory.user(other), receiver.url, types=["registration.created"])
    api_for(user, org).post(f"/api/v1/events/{event.id}/attendees", json=PERSON)
    assert receiver.received == []


def test_a_500_and_a_timeout_are_retried_with_back_off(app, api_for, factory, receiver):
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.5
    try:
        org = factory.organisation()
        user = factory.user(org)
        event = factory.event(organisers=[org])
        _endpoint(org, user, receiver.url)
        receiver.script = [500, "sleep"]
        api_for(user, org).post(f"/api/v1/events/{event.id}/attendees", json=PERSON)
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
        assert delivery.next_attempt_at > utcnow() + timedelta(seconds=50)
        assert sending.deliver_one(delivery.id) == "skipped"  # not due yet
        later = utcnow() + timedelta(minutes=2)
        assert sending.deliver_one(delivery.id, now=later) == "pending"
        db.session.expire_all()
        delivery = db.session.get(WebhookDelivery, delivery.id)
        assert (delivery.attempts, delivery.last_error) == (2, "timeout")
        assert sending.due(utcnow() + timedelta(minutes=10)) == [delivery.id]
        assert sending.deliver_one(delivery.id, now=utcnow() + timedelta(minutes=10)) == "delivered"
        ids = {item.headers["Webhook-Id"] for item in receiver.received}
        assert len(receiver.received) == 3 and len(ids) == 1  # one id at every attempt
    finally:
        app.config.pop("WEBHOOK_TIMEOUT_SECONDS")


def test_retries_stop_after_three_days(api_for, factory, receiver):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    _endpoint(org, user, receiver.url)
    receiver.script = [500, 500]
    api_for(user, org).post(f"/api/v1/events/{event.id}/attendees", json=PERSON)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    delivery.created_at = utcnow() - timedelta(days=3, minutes=1)
    db.session.commit()
    assert sending.deliver_one(delivery.id, now=utcnow() + timedelta(hours=7)) == "failed"
    assert sending.backoff(1) == timedelta(minutes=1)
    assert sending.backoff(3) == timedelta(minutes=4)
    assert sending.backoff(30) == timedelta(hours=6)


def test_410_gone_disables_the_endpoint(api_for, factory, receiver):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    endpoint, _secret = _endpoint(org, user, receiver.url)
    receiver.script = [410]
    api = api_for(user, org)
    api.post(f"/api/v1/events/{event.id}/attendees", json=PERSON)
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert not endpoint.active and endpoint.disabled_reason == "gone"
    api.post(f"/api/v1/events/{event.id}/attendees", json={**PERSON, "email": "b@example.org"})
    assert len(receiver.received) == 1


def test_deliveries_of_one_resource_go_out_in_order(api_for, factory, receiver):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    _endpoint(org, user, receiver.url)
    receiver.script = [500]
    api = api_for(user, org)
    person = api.post(f"/api/v1/events/{event.id}/attendees", json=PERSON).json
    api.post(f"/api/v1/events/{event.id}/checkins", json={"registration_id": person["id"]})
    first, second = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert (first.state, second.state) == ("pending", "pending")  # the check-in waits
    assert len(receiver.received) == 1
    db.session.expire_all()
    later = utcnow() + timedelta(minutes=2)
    assert sending.deliver_one(first.id, now=later) == "delivered"
    assert sending.deliver_one(second.id, now=later) == "delivered"
    types = [json.loads(item.body)["type"] for item in receiver.received]
    assert types == ["registration.created", "registration.created", "checkin.created"]


def test_a_test_event_and_send_again(app, factory, receiver):
    org = factory.organisation()
    user = factory.user(org)
    endpoint, secret = _endpoint(org, user, receiver.url)
    delivery = webhooks.send_test(endpoint)
    db.session.commit()
    assert sending.deliver([delivery.id])[delivery.id] == "delivered"
    webhooks.send_again(db.session.get(WebhookDelivery, delivery.id))
    db.session.commit()
    assert sending.deliver([delivery.id])[delivery.id] == "delivered"
    assert len(receiver.received) == 2
    assert all(webhooks.verify(secret, r.headers, r.body) for r in receiver.received)
    assert json.loads(receiver.received[0].body)["type"] == "webhook.test"


def test_the_log_keeps_30_days(factory, receiver):
    org = factory.organisation()
    endpoint, _secret = _endpoint(org, factory.user(org), receiver.url)
    old = webhooks.send_test(endpoint)
    old.state, old.created_at = "delivered", utcnow() - timedelta(days=31)
    webhooks.send_test(endpoint)
    db.session.commit()
    assert sending.prune() == 1


@pytest.mark.parametrize(
    "url", ["ftp://x.org/h", "https://", "javascript:alert(1)", "https://u:p@x.org/"]
)
def test_an_endpoint_needs_a_web_address(factory, url):
    org = factory.organisation()
    with pytest.raises(webhooks.WebhookError):
        webhooks.create_endpoint(org, url=url, event_types=["checkin.created"], user=None)
