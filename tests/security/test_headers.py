"""Security headers on every response of every page, HSTS in production."""

import logging
from pathlib import Path

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
        {
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://events.example.fr",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        },
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


# --- issue 20, point 8 ---------------------------------------------------------------------


def test_pages_with_personal_data_are_never_stored(client, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    user = factory.user(org, "manager")
    for path in ("/auth/login", "/auth/password/reset", "/auth/password/reset/not-a-token"):
        assert "no-store" in client.get(path).headers.get("Cache-Control", ""), path
    login(user)
    for path in (
        "/organiser/",
        f"/organiser/events/{event.id}",
        f"/organiser/events/{event.id}/attendees",
        f"/api/organiser/events/{event.id}/counts",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path


def test_public_pages_stay_cacheable(client, factory):
    event = factory.event(status="published")
    assert "no-store" not in client.get(f"/events/{event.slug}").headers.get("Cache-Control", "")


def test_production_refuses_to_start_without_base_url(monkeypatch, tmp_path):
    monkeypatch.delenv("BASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for base in ("http://127.0.0.1:5000", "", "events.example.fr"):
        config = type(
            "Prod",
            (ProductionConfig,),
            {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
            | ({"BASE_URL": base} if base != "http://127.0.0.1:5000" else {}),
        )
        with pytest.raises(RuntimeError, match="BASE_URL"):
            create_app(config)


def test_development_warns_when_the_request_host_is_not_base_url(database_url, caplog):
    from tests.support.apps import make_config

    dev = create_app(
        make_config(database_url, WARN_HOST_MISMATCH=True, BASE_URL="http://127.0.0.1:5000")
    )
    with caplog.at_level(logging.WARNING):
        dev.test_client().get("/", base_url="http://127.0.0.1:5000")
        assert "BASE_URL" not in caplog.text
        dev.test_client().get("/", base_url="http://127.0.0.1:8123")
    assert "127.0.0.1:8123" in caplog.text and "BASE_URL is http://127.0.0.1:5000" in caplog.text
    with dev.app_context():
        _db.engine.dispose()


def test_make_run_sets_base_url_from_host_and_port():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert 'BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}"' in run
