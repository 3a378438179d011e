"""Production-like guards on the registration pages: real CSRF tokens (an expired one keeps
what was typed) and rate limits answering a friendly 429."""

import html
import re

import pytest
from sqlalchemy import func, select

from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.extensions import limiter
from eventapp.models import Registration
from tests.support.apps import DbAwareClient, make_config


@pytest.fixture
def make_app(app, database_url):
    """Build a second app on the test database with some settings changed; undo the global
    side effects (the limiter is one object shared by every app) afterwards."""
    built = []

    def _make(**settings):
        other = create_app(make_config(database_url, **settings))
        other.test_client_class = DbAwareClient
        built.append(other)
        return other

    yield _make
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    for other in built:
        with other.app_context():
            _db.engine.dispose()


def _form(**kw):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea@example.org",
        "organisation_name": "Yposkesi",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
    data.update(kw)
    return data


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_wrong_csrf_token_is_400_and_keeps_the_typed_values(make_app, factory):
    secured = make_app(WTF_CSRF_ENABLED=True)
    event = factory.event()
    client = secured.test_client()
    url = f"/events/{event.slug}/register"
    token = _token(client.get(url).get_data(as_text=True))
    response = client.post(url, data=_form(csrf_token="forged"))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Votre session a expiré" in page and "Yposkesi" in page
    other = secured.test_client()  # a token from another session is refused too
    assert other.post(url, data=_form(csrf_token=token)).status_code == 400
    assert client.post(url, data=_form()).status_code == 400  # missing token
    assert _db.session.scalar(select(func.count()).select_from(Registration)) == 0
    response = client.post(url, data=_form(csrf_token=token))
    assert response.status_code == 302


def test_manage_and_cancel_check_the_csrf_token(make_app, factory):
    secured = make_app(WTF_CSRF_ENABLED=True)
    reg = factory.registration(factory.event())
    client = secured.test_client()
    assert client.post(f"/r/{reg.manage_token}/cancel", data={}).status_code == 400
    assert client.post(f"/r/{reg.manage_token}", data={"first_name": "X"}).status_code == 400
    _db.session.expire_all()
    assert reg.status == "confirmed" and reg.first_name == "Camille"


def test_registration_posts_are_rate_limited_with_a_friendly_429(make_app, factory):
    limited = make_app(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="3 per minute")
    event = factory.event()
    client = limited.test_client()
    url = f"/events/{event.slug}/register"
    statuses = [
        client.post(url, data=_form(email=f"p{n}@example.org")).status_code for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    response = client.post(url, data=_form(email="late@example.org"))
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60  # until the minute's window ends
    page = html.unescape(response.get_data(as_text=True))
    assert "Trop de tentatives" in page
    assert client.get(url).status_code == 200  # reading the form stays free
    assert _db.session.scalar(select(func.count()).select_from(Registration)) == 3


def test_resend_link_is_rate_limited(make_app, factory):
    limited = make_app(RATELIMIT_ENABLED=True, RESEND_LINK_RATE_LIMIT="2 per hour")
    event = factory.event()
    client = limited.test_client()
    url = f"/events/{event.slug}/resend-link"
    responses = [client.post(url, data={"email": "a@example.org"}) for _ in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 429]
    # Retry-After says when this limit lets the visitor in again: most of the hour, not 60 s.
    assert 3000 < int(responses[-1].headers["Retry-After"]) <= 3600


def test_rate_limits_come_from_the_configuration():
    from config import Config

    assert Config.REGISTRATION_RATE_LIMIT and Config.RESEND_LINK_RATE_LIMIT
