"""The app factory, configuration, base layout, languages, headers and error pages."""

import re

import pytest

from config import DEFAULT_SQLITE_URL, ProductionConfig
from eventapp import create_app
from eventapp.models import User


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    config = type(
        "Prod", (ProductionConfig,), {"SECRET_KEY": None, "BASE_URL": "https://events.example.fr"}
    )
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_refuses_the_default_sqlite_database(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://events.example.fr",
            "SQLALCHEMY_DATABASE_URI": DEFAULT_SQLITE_URL,
        },
    )
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(config)


def test_production_starts_with_secret_and_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/eventapp-prod-check.db")
    config = type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://events.example.fr",
            "SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/eventapp-prod-check.db",
            "RATELIMIT_ENABLED": False,  # else production needs Redis (tests/jobs)
        },
    )
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    # Passwords at full cost (the tests' TestingConfig uses a cheaper scrypt).
    with app.app_context():
        user = User(email="cost@example.org", name="Cost")
        user.set_password("a long enough password")
        assert user.password_hash.startswith("scrypt:32768:8:1$")
        assert user.check_password("a long enough password")


def test_home_lists_published_events_but_not_drafts(client, factory):
    org = factory.organisation(short_name="Polepharma")
    factory.event(organisers=[org], title_fr="Congrès visible", status="published")
    factory.event(organisers=[org], title_fr="Brouillon secret", status="draft")
    page = client.get("/").get_data(as_text=True)
    assert "Congrès visible" in page
    assert "Brouillon secret" not in page
    assert "Polepharma" in page


def test_french_is_the_default_language(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Aller au contenu principal" in page  # skip link


def test_accept_language_picks_english_on_first_visit(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to main content" in page


def test_language_switch_persists_and_refuses_foreign_redirects(client):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    response = client.get("/language/fr?next=/auth/login")
    assert response.headers["Location"] == "/auth/login"
    assert '<html lang="fr">' in client.get("/auth/login").get_data(as_text=True)


def test_security_headers_on_every_response(client):
    for url in ("/", "/does-not-exist", "/healthz"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_friendly_404_in_french(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404


def test_no_inline_script_or_style_in_pages(client, factory):
    factory.event()
    for url in ("/", "/auth/login", "/nulle-part"):
        page = client.get(url).get_data(as_text=True)
        assert " style=" not in page and " onclick=" not in page
        assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline script of any kind


def test_organiser_area_needs_login(client):
    response = client.get("/organiser/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_rate_limit_without_its_own_message_shows_the_friendly_one(app):
    from flask_limiter.errors import RateLimitExceeded

    class FakeLimit:
        error_message = None
        limit = "5 per 15 minute"

    with app.test_request_context("/"):
        handler = app._find_error_handler(RateLimitExceeded(FakeLimit()), [])
        response = handler(RateLimitExceeded(FakeLimit()))
    text = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "5 per 15 minute" not in text
    assert "Trop de" in text or "too many" in text.lower()
    assert response.headers["Retry-After"]


def test_401_has_its_own_message(app):
    from werkzeug.exceptions import Unauthorized

    with app.test_request_context("/"):
        response = app._find_error_handler(Unauthorized(), [])(Unauthorized())
    assert response.status_code == 401
    assert "Something went wrong" not in response.get_data(as_text=True)
