"""API tokens: shown once and kept hashed; named, expiring, revocable; scoped per resource
and action and limited to events; they act as their owner in their organisation through the
same permission rules as a browser session, never more."""

import hashlib
from datetime import timedelta

import pytest

from eventapp.extensions import db
from eventapp.models import ApiToken, EventGrant, utcnow
from eventapp.services.api import tokens
from tests.api.conftest import Api, make_token


def test_a_token_is_kept_as_the_digest_of_its_secret_only(factory):
    org = factory.organisation()
    user = factory.user(org)
    secret = make_token(user, org)
    token = db.session.query(ApiToken).one()
    assert secret.startswith("evt_") and len(secret) > 40
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(vars(token)) and token.prefix == secret[:12]
    assert tokens.authenticate(secret).id == token.id
    assert tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_the_api_answers_401_without_a_valid_token(client, factory):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    url = f"/api/v1/events/{event.id}"
    for headers in ({}, {"Authorization": "Bearer evt_nope"}, {"Authorization": "Basic x"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    secret = make_token(user, org)
    assert Api(client, secret).get(url).status_code == 200


def test_a_browser_session_carries_no_authority_on_the_api(client, factory, login):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    login(user)
    assert client.get(f"/api/v1/events/{event.id}").status_code == 401
    body = {"first_name": "A", "last_name": "B", "email": "a@example.org", "category": "academic"}
    assert client.post(f"/api/v1/events/{event.id}/attendees", json=body).status_code == 401


def test_expired_revoked_or_orphaned_tokens_stop_working(client, factory):
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    url = f"/api/v1/events/{event.id}"
    expired, revoked, left = (make_token(user, org) for _ in range(3))
    rows = {t.prefix: t for t in db.session.query(ApiToken)}
    rows[expired[:12]].expires_at = utcnow() - timedelta(seconds=1)
    tokens.revoke(rows[revoked[:12]], user=user)
    db.session.commit()
    assert Api(client, expired).get(url).status_code == 401
    assert Api(client, revoked).get(url).status_code == 401
    assert Api(client, left).get(url).status_code == 200
    db.session.delete(user.memberships[0])  # the owner leaves the organisation
    db.session.commit()
    assert Api(client, left).get(url).status_code == 401


def test_last_use_is_noted(client, factory):
    org = factory.organisation()
    user = factory.user(org)
    secret = make_token(user, org)
    assert db.session.query(ApiToken).one().last_used_at is None
    Api(client, secret).get("/api/v1/events")
    db.session.expire_all()
    assert db.session.query(ApiToken).one().last_used_at is not None


def test_scopes_narrow_what_a_token_may_do(client, factory):
    org = factory.organisation()
    user = factory.user(org, "manager")
    event = factory.event(organisers=[org])
    person = factory.registration(event)
    reader = Api(client, make_token(user, org, scopes=["events:read"]))
    assert reader.get(f"/api/v1/events/{event.id}").status_code == 200
    assert reader.get(f"/api/v1/events/{event.id}/attendees").status_code == 404
    assert reader.get(f"/api/v1/events/{event.id}/attendees/{person.id}").status_code == 404
    checkin = Api(client, make_token(user, org, scopes=["checkin:write"]))
    assert checkin.get(f"/api/v1/events/{event.id}/attendees").status_code == 404
    response = checkin.post(
        f"/api/v1/events/{event.id}/checkins", json={"registration_id": person.id}
    )
    assert response.status_code == 200 and response.json["state"] == "checked_in"


def test_a_token_never_holds_more_than_its_owner(client, factory):
    """A viewer's token with every scope still cannot write; check-in staff can only check in."""
    org = factory.organisation()
    event = factory.event(organisers=[org])
    person = factory.registration(event)
    viewer = Api(client, make_token(factory.user(org, "viewer"), org))
    assert viewer.get(f"/api/v1/events/{event.id}/attendees").status_code == 200
    assert (
        viewer.post(
            f"/api/v1/events/{event.id}/checkins", json={"registration_id": person.id}
        ).status_code
        == 404
    )
    assert (
        viewer.patch(
            f"/api/v1/events/{event.id}/attendees/{person.id}", json={"job_title": "x"}
        ).status_code
        == 404
    )
    staff = Api(client, make_token(factory.user(org, "checkin"), org))
    assert staff.get(f"/api/v1/events/{event.id}/attendees").status_code == 404
    assert (
        staff.post(
            f"/api/v1/events/{event.id}/checkins", json={"registration_id": person.id}
        ).status_code
        == 200
    )


def test_a_token_limited_to_events_sees_only_those(client, factory):
    org = factory.organisation()
    user = factory.user(org)
    chosen, other = factory.event(organisers=[org]), factory.event(organisers=[org])
    api = Api(client, make_token(user, org, events=[chosen]))
    assert api.get(f"/api/v1/events/{chosen.id}").status_code == 200
    assert api.get(f"/api/v1/events/{other.id}").status_code == 404
    assert [e["id"] for e in api.get("/api/v1/events").json["items"]] == [chosen.id]


def test_a_token_speaks_for_its_organisation_only(client, factory):
    """A person in two organisations, with a personal grant elsewhere: the token of one
    organisation reaches none of the rest, and never an administrator's everything."""
    mine, theirs, third = factory.organisation(), factory.organisation(), factory.organisation()
    user = factory.user(mine, "manager", is_admin=True)
    user.memberships.append(type(user.memberships[0])(organisation=theirs, role="manager"))
    granted = factory.event(organisers=[third])
    db.session.add(EventGrant(event_id=granted.id, user_id=user.id, role="manager"))
    db.session.commit()
    own, foreign = factory.event(organisers=[mine]), factory.event(organisers=[theirs])
    api = Api(client, make_token(user, mine))
    assert api.get(f"/api/v1/events/{own.id}").status_code == 200
    assert api.get(f"/api/v1/events/{foreign.id}").status_code == 404
    assert api.get(f"/api/v1/events/{granted.id}").status_code == 404
    assert [e["id"] for e in api.get("/api/v1/events").json["items"]] == [own.id]


def test_an_organisation_grant_reaches_the_token(client, factory):
    mine, lead = factory.organisation(), factory.organisation()
    user = factory.user(mine, "manager")
    event = factory.event(organisers=[lead])
    db.session.add(EventGrant(event_id=event.id, organisation_id=mine.id, role="viewer"))
    db.session.commit()
    api = Api(client, make_token(user, mine))
    assert api.get(f"/api/v1/events/{event.id}/attendees").status_code == 200
    assert api.patch(f"/api/v1/events/{event.id}", json={"city": "Lyon"}).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["everything"]}, "scopes"),
        ({"days": 0}, "expires_on"),
        ({"days": 400}, "expires_on"),
    ],
)
def test_a_token_needs_a_name_scopes_and_a_near_expiry(factory, changes, field):
    org = factory.organisation()
    user = factory.user(org)
    values = {"name": "CRM", "scopes": ["events:read"], "days": 30}
    values.update(changes)
    with pytest.raises(tokens.TokenError) as raised:
        tokens.create_token(
            org,
            user,
            name=values["name"],
            scopes=values["scopes"],
            expires_on=(utcnow() + timedelta(days=values["days"])).date(),
        )
    assert raised.value.field == field


def test_a_token_cannot_be_limited_to_another_organisations_event(factory):
    org = factory.organisation()
    user = factory.user(org)
    foreign = factory.event(organisers=[factory.organisation()])
    with pytest.raises(tokens.TokenError):
        tokens.create_token(
            org,
            user,
            name="x",
            scopes=["events:read"],
            expires_on=(utcnow() + timedelta(days=3)).date(),
            event_ids=[foreign.id],
        )
