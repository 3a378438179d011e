"""Rate limits with the limits production runs with (config.Config's defaults, not test
values): registration, the "e-mail me my link" form, the manage page's corrections and
cancellation, failed logins and password-reset requests each answer a friendly 429 (in the
reader's language, with Retry-After) once their allowance is spent, while reading pages stays
free. With Redis storage, the login limit lives in Redis (so every app server shares it) and
Redis never holds an e-mail address.

Other tests show the details: tests/registration/test_limits.py (registration, resend link),
tests/auth/test_login.py and tests/auth/test_password.py (per account and per address),
tests/security/test_shared_rate_limit.py (manage links; two server processes sharing Redis).

Flask-Limiter's `limiter` is one object per process: every app built here is undone at the
end (the limiter's state is saved and restored), so the rest of the suite runs unlimited.
"""

from __future__ import annotations

import html
import os
import uuid

import pytest
from limits import parse_many

from config import Config
from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.extensions import limiter
from tests import factories
from tests.support.apps import DbAwareClient, make_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def limited_apps(app, database_url):
    """limited(**config) -> an app with rate limiting on (production limits unless given)."""
    saved = dict(vars(limiter))
    built = []

    def limited(**config):
        config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        other = create_app(make_config(database_url, RATELIMIT_ENABLED=True, **config))
        other.test_client_class = DbAwareClient
        built.append(other)
        return other

    yield limited
    if limiter.enabled and getattr(limiter, "_storage", None) is not None:
        limiter.reset()
    vars(limiter).clear()
    vars(limiter).update(saved)
    for other in built:
        with other.app_context():
            _db.engine.dispose()


def allowance(setting: str) -> int:
    """The smallest number of requests a limit string allows ("20 per minute;200 per hour")."""
    return min(item.amount for item in parse_many(getattr(Config, setting)))


def assert_friendly_429(response, message: str) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = html.unescape(response.get_data(as_text=True))
    assert "Trop de tentatives" in page and message in page
    assert "per" not in page.split("<main", 1)[-1].split("</main>")[0]  # not "5 per 15 minute"


GENERIC = "Vous avez fait trop de demandes"


def test_every_limited_form_answers_a_friendly_429_after_its_production_limit(
    limited_apps, factory
):
    app = limited_apps()
    event = factory.event()
    registration = factory.registration(event)
    user = factory.user(factory.organisation())
    token = registration.manage_token
    cases = [
        # (limit setting, url, body, expected message on the 429 page)
        ("REGISTRATION_RATE_LIMIT", f"/events/{event.slug}/register", {}, GENERIC),
        ("RESEND_LINK_RATE_LIMIT", f"/events/{event.slug}/resend-link", {"email": "x"}, GENERIC),
        ("MANAGE_RATE_LIMIT", f"/r/{token}", {"first_name": ""}, GENERIC),
        ("MANAGE_RATE_LIMIT", f"/r/{token}/cancel", {"csrf_token": "x"}, GENERIC),
        # (failed logins: per account and address with growing delays, and per address:
        # tests/auth/test_login.py)
        (
            "PASSWORD_RESET_REQUEST_LIMIT",
            "/auth/password/forgot",
            {"email": user.email},
            "Trop de demandes de réinitialisation",
        ),
    ]
    for n, (setting, url, body, message) in enumerate(cases):
        client = app.test_client()
        address = {"REMOTE_ADDR": f"10.77.0.{n}"}  # each case from its own network address
        allowed = allowance(setting)
        codes = [
            client.post(url, data=body, environ_base=address).status_code for _ in range(allowed)
        ]
        assert 429 not in codes, (setting, url, codes)
        response = client.post(url, data=body, environ_base=address)
        assert_friendly_429(response, message)
        # Reading stays free; another address is not affected.
        assert client.get(url, environ_base=address).status_code in (200, 302), url
        # (logins and resets also count per account, whatever the address)
        if setting not in ("LOGIN_FAILURE_LIMIT", "PASSWORD_RESET_REQUEST_LIMIT"):
            other = {"REMOTE_ADDR": f"10.78.0.{n}"}
            assert client.post(url, data=body, environ_base=other).status_code != 429, url


def test_the_429_is_in_english_for_english_readers(limited_apps, factory):
    app = limited_apps(REGISTRATION_RATE_LIMIT="1 per minute")
    event = factory.event()
    client = app.test_client()
    client.get("/language/en")
    client.post(f"/events/{event.slug}/register", data={})
    response = client.post(f"/events/{event.slug}/register", data={})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def _redis():
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except Exception as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(error).__name__}): start it")
    return connection


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_failed_logins_are_counted_in_redis_for_every_app_server(limited_apps, factory, storage):
    """Server 1 takes the failures from one address (on several accounts); server 2 (a new
    app: a new limiter storage, nothing held in memory) refuses the next attempt from that
    address, because the counter is in Redis. The control with in-memory storage lets it
    through. Redis keys never hold an e-mail address. (The per-account counters are rows of
    the database, shared by every server: tests/auth/test_login.py.)"""
    user = factory.user(factory.organisation())
    prefix = f"eventapp-test-{uuid.uuid4().hex}"
    uri = REDIS_URL if storage == "redis" else "memory://"
    connection = _redis() if storage == "redis" else None
    try:
        limit = "5 per 15 minutes"
        first = limited_apps(
            RATELIMIT_STORAGE_URI=uri, RATELIMIT_KEY_PREFIX=prefix, LOGIN_ADDRESS_LIMIT=limit
        )
        first_storage = limiter._storage
        client = first.test_client()
        for n in range(5):
            response = client.post(
                "/auth/login",
                data={"email": f"guess{n}@example.org", "password": "wrong password"},
                environ_base={"REMOTE_ADDR": "10.79.0.1"},
            )
            assert response.status_code == 401
        second = limited_apps(
            RATELIMIT_STORAGE_URI=uri, RATELIMIT_KEY_PREFIX=prefix, LOGIN_ADDRESS_LIMIT=limit
        )
        assert limiter._storage is not first_storage  # server 2 starts with its own storage
        response = second.test_client().post(
            "/auth/login",
            data={"email": user.email, "password": factories.DEFAULT_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.79.0.1"},
        )
        if storage == "redis":
            assert_friendly_429(response, "Trop de tentatives de connexion échouées")
            keys = [k.decode() for k in connection.scan_iter(match=f"*{prefix}*")]
            assert keys and any("address:" in key for key in keys)
            assert not [k for k in keys if "@" in k or user.email.split("@")[0] in k]
        else:
            assert response.status_code == 302  # each server counted alone
    finally:
        if connection is not None:
            keys = list(connection.scan_iter(match=f"*{prefix}*"))
            if keys:
                connection.delete(*keys)
            connection.close()


def test_a_faked_forwarded_address_does_not_escape_the_limit(limited_apps, factory):
    """Reached directly (TRUSTED_PROXIES=0), X-Forwarded-For is the client's own writing:
    a new fake address on every request does not buy a new allowance."""
    app = limited_apps(RESEND_LINK_RATE_LIMIT="2 per minute")
    event = factory.event()
    client = app.test_client()
    url = f"/events/{event.slug}/resend-link"
    codes = [
        client.post(
            url,
            data={"email": "a@example.org"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]


def test_behind_a_trusted_proxy_each_visitor_has_their_own_allowance(limited_apps, factory):
    """Behind a load balancer (TRUSTED_PROXIES=1) every request comes from its address: the
    visitor's address is the one the proxy appended to X-Forwarded-For, so two visitors do not
    share an allowance, and a visitor cannot escape theirs by writing addresses before it."""
    app = limited_apps(RESEND_LINK_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    event = factory.event()
    client = app.test_client()
    url = f"/events/{event.slug}/resend-link"
    balancer = {"REMOTE_ADDR": "10.0.0.2"}

    def send(forwarded: str) -> int:
        return client.post(
            url,
            data={"email": "a@example.org"},
            headers={"X-Forwarded-For": forwarded},
            environ_base=balancer,
        ).status_code

    assert [send("192.0.2.10") for _ in range(3)] == [302, 302, 429]
    # Another visitor behind the same balancer is not affected.
    assert send("192.0.2.20") == 302
    # The first visitor writing a fake address before theirs: still the first visitor.
    assert send("203.0.113.99, 192.0.2.10") == 429


def test_the_api_counts_per_token_and_answers_429_with_retry_after(limited_apps, factory):
    """/api/v1 (issue 17): each token has its own allowance; past it, a 429 problem with
    Retry-After; another token, and the public reads of another address, are not affected."""
    from tests.api.conftest import Api, make_token

    app = limited_apps(API_RATE_LIMIT="3 per minute")
    org = factory.organisation()
    user = factory.user(org)
    event = factory.event(organisers=[org])
    first = Api(app.test_client(), make_token(user, org))
    second = Api(app.test_client(), make_token(user, org))
    url = f"/api/v1/events/{event.id}"
    assert [first.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(url)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "api.rate_limited" and "per minute" not in refused.json["detail"]
    assert second.get(url).status_code == 200
