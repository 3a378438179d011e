"""Security headers on every response of every page, HSTS in production."""

import pytest

from config import ProductionConfig
from eventapp import create_app
from eventapp.extensions import db as _db


def _parameterless_get_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            urls.append(rule.rule)
    return sorted(urls)


def _assert_headers(response, url):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, url
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
    assert "unsafe-eval" not in csp and "object-src 'none'" in csp, url
    assert "frame-ancestors 'none'" in csp, url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("Referrer-Policy") == "same-origin", url


def test_every_get_page_carries_the_security_headers(app, client, factory, login):
    urls = _parameterless_get_urls(app)
    # The walk really covers the site (a rule renamed away would not silently shrink it).
    assert {"/", "/healthz", "/readyz", "/privacy", "/auth/login", "/organiser/"} <= set(urls)
    admin = factory.user(is_admin=True)
    for logged_in in (False, True):
        if logged_in:
            login(admin)
        for url in urls:
            response = client.get(url)
            response.close()
            assert response.status_code < 500, (url, response.status_code)
            _assert_headers(response, url)


def test_error_json_static_and_token_responses_carry_them_too(client, factory):
    registration = factory.registration(factory.event())
    for url in (
        "/nulle-part",
        "/api/nothing",
        "/static/css/app.css",
        f"/r/{registration.manage_token}/data.json",
        f"/r/{registration.manage_token}/erase",
        "/r/" + "x" * 43 + "/data.json",
    ):
        response = client.get(url)
        response.close()
        _assert_headers(response, url)
    _assert_headers(client.post("/healthz"), "POST /healthz (405)")


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config = type(
        "Prod",
        (ProductionConfig,),
        # The limiter is a process-wide extension: keep it as the test app has it.
        {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False},
    )
    prod = create_app(config)
    yield prod
    with prod.app_context():
        _db.engine.dispose()


def test_production_sends_hsts_on_every_response(production_app):
    client = production_app.test_client()
    # Error responses too: this database has no schema, so /privacy is a 503 page.
    for url in ("/healthz", "/nulle-part", "/static/css/app.css", "/privacy", "/readyz"):
        response = client.get(url)
        response.close()
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        ), url
        _assert_headers(response, url)
