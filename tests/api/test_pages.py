"""The organisation's API settings pages: a manager makes a token (shown once, then only its
prefix), revokes it; adds a webhook endpoint (its secret shown once), sends a test event, sees
the log and sends again. Viewers, check-in staff and other organisations get 404."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import ApiToken, WebhookDelivery, WebhookEndpoint, utcnow
from eventapp.services.api import webhooks
from tests.api.conftest import Api
from tests.api.receiver import receiving


def test_a_manager_makes_a_token_that_works_and_is_shown_once(client, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    user = factory.user(org, "manager")
    login(user)
    url = f"/organiser/organisations/{org.id}/api-tokens"
    page = client.get(url)
    assert page.status_code == 200 and "Jeton" in page.get_data(as_text=True)
    created = client.post(
        url,
        data={
            "name": "Synchro CRM",
            "scopes": ["attendees:read", "events:read"],
            "expires_on": (utcnow() + timedelta(days=30)).date().isoformat(),
            "events": [str(event.id)],
        },
    )
    body = html.unescape(created.get_data(as_text=True))
    secret = re.search(r'value="(evt_[^"]+)"', body).group(1)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.events == [event] and token.scopes == ["attendees:read", "events:read"]
    assert (
        Api(client.application.test_client(), secret).get(f"/api/v1/events/{event.id}").status_code
        == 200
    )
    listing = client.get(url).get_data(as_text=True)
    assert secret not in listing and token.prefix in listing
    revoked = client.post(f"{url}/{token.id}/revoke")
    assert revoked.status_code == 302
    assert Api(client.application.test_client(), secret).get("/api/v1/events").status_code == 401


def test_a_bad_token_form_keeps_what_was_typed(client, factory, login):
    org = factory.organisation()
    login(factory.user(org, "manager"))
    response = client.post(
        f"/organiser/organisations/{org.id}/api-tokens",
        data={"name": "Mon outil", "expires_on": "2020-01-01", "scopes": ["events:read"]},
    )
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and 'value="Mon outil"' in body
    assert db.session.scalars(select(ApiToken)).all() == []


def test_webhook_pages_add_test_log_and_send_again(client, factory, login):
    org = factory.organisation()
    login(factory.user(org, "owner"))
    with receiving() as receiver:
        url = f"/organiser/organisations/{org.id}/webhooks"
        created = client.post(url, data={"url": receiver.url, "event_types": ["checkin.created"]})
        body = html.unescape(created.get_data(as_text=True))
        secret = re.search(r'value="(whsec_[^"]+)"', body).group(1)
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.secret == secret
        assert client.post(f"{url}/{endpoint.id}/test").status_code == 302
        assert len(receiver.received) == 1
        assert webhooks.verify(secret, receiver.received[0].headers, receiver.received[0].body)
        log = client.get(f"{url}/{endpoint.id}").get_data(as_text=True)
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert delivery.uid in log and "Livré" in log
        client.post(f"{url}/{endpoint.id}/deliveries/{delivery.id}/again")
        assert len(receiver.received) == 2
        client.post(f"{url}/{endpoint.id}/toggle")
        db.session.expire_all()
        assert not db.session.get(WebhookEndpoint, endpoint.id).active
        assert client.post(f"{url}/{endpoint.id}/delete").status_code == 302
        assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_only_managers_of_the_organisation_reach_the_pages(app, factory, login):
    org = factory.organisation()
    endpoint, _secret = webhooks.create_endpoint(
        org, url="https://crm.example.org/h", event_types=["checkin.created"], user=None
    )
    db.session.commit()
    urls = [
        f"/organiser/organisations/{org.id}/api-tokens",
        f"/organiser/organisations/{org.id}/webhooks",
        f"/organiser/organisations/{org.id}/webhooks/{endpoint.id}",
    ]
    for role in ("viewer", "checkin"):
        client = app.test_client()
        login(factory.user(org, role), c=client)
        assert [client.get(u).status_code for u in urls] == [404, 404, 404], role
    outsider = app.test_client()
    login(factory.user(factory.organisation(), "owner"), c=outsider)
    assert [outsider.get(u).status_code for u in urls] == [404, 404, 404]
    mine = factory.organisation()
    theirs = app.test_client()
    login(factory.user(mine, "owner"), c=theirs)
    foreign_log = f"/organiser/organisations/{mine.id}/webhooks/{endpoint.id}"
    assert theirs.get(foreign_log).status_code == 404  # another organisation's endpoint


def test_the_members_page_links_the_api_settings(client, factory, login):
    org = factory.organisation()
    login(factory.user(org, "manager"))
    page = client.get(f"/organiser/organisations/{org.id}/members").get_data(as_text=True)
    assert f"/organiser/organisations/{org.id}/api-tokens" in page
