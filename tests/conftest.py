"""Shared fixtures: one app per test session (per xdist worker), a clean database per test, a
test client whose requests get their own database session (like real ones), factories, login,
query counting, a live server and Chromium for browser tests. Helpers live in tests/support/.

Database: SQLite file in a temporary folder, or TEST_DATABASE_URL (PostgreSQL in CI); under
pytest-xdist each worker has its own (tests/support/databases.py).
"""

import os
import shutil
from contextlib import suppress

import pytest

from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.extensions import limiter
from tests import factories
from tests.support.apps import DbAwareClient, make_config
from tests.support.browser import ARTIFACTS, CHROMIUM, chromium_skip_reason
from tests.support.checks import assert_friendly_503, check_accessibility  # noqa: F401
from tests.support.databases import (
    clean_tables,
    reset_schema,
    worker_database_url,
    xdist_worker,
)
from tests.support.network import TcpProxy, free_port, serving
from tests.support.queries import count_queries
from tests.support.races import race  # noqa: F401

# The F401 names above and this alias: tests written before tests/support/ (other branches)
# import them from here. New tests import from tests.support.
_free_port = free_port

pytest_plugins = ["tests.support.jobs"]  # fixtures of tests/jobs: processes, SMTP, Redis


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return worker_database_url(url, xdist_worker())
    # tmp_path_factory's folder is the worker's own under xdist.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(make_config(database_url))
    app.test_client_class = DbAwareClient
    # Files the app writes (demo credentials, backups) stay in this worker's temporary folder.
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    reset_schema(app)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _db_per_test(app):
    """Each test runs in an app context on an empty database."""
    with app.app_context():
        clean_tables()
        if limiter.enabled and getattr(limiter, "_storage", None) is not None:
            limiter.reset()
        outbox = getattr(app.extensions.get("mailman"), "outbox", None)
        if outbox is not None:
            outbox.clear()
        yield
        _db.session.rollback()
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory():
    return factories


@pytest.fixture
def mail_outbox(app):
    """Messages handed to the locmem mail backend (flask-mailman)."""
    mailman = app.extensions["mailman"]
    if not hasattr(mailman, "outbox"):
        mailman.outbox = []
    return mailman.outbox


@pytest.fixture
def login(client):
    """login(user, password=DEFAULT_PASSWORD) logs the test client in through the real form."""

    def _login(user, password=factories.DEFAULT_PASSWORD, c=None):
        response = (c or client).post(
            "/auth/login", data={"email": user.email, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture
def query_counter(db):
    return lambda: count_queries(db.engine)


# --- live server and browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app, database_url):
    """The app served by a threaded WSGI server on a free port, on the test database, with
    CSRF protection on (like production). Yields its base URL."""
    port = free_port()
    served = create_app(
        make_config(
            database_url,
            WTF_CSRF_ENABLED=True,
            BASE_URL=f"http://127.0.0.1:{port}",
        )
    )
    with serving(served, port) as url:
        yield url
    with served.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page (phone-sized when the test is marked `phone`), French by default.
    A screenshot is saved under tests/artifacts/ when the test ends."""
    phone = request.node.get_closest_marker("phone") is not None
    locale_marker = request.node.get_closest_marker("locale")
    locale = locale_marker.args[0] if locale_marker else "fr-FR"
    context = browser.new_context(
        base_url=live_server,
        locale=locale,
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        is_mobile=phone,
        has_touch=phone,
    )
    pg = context.new_page()
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    # A page that crashed may not be able to take its screenshot; the test result stands.
    with suppress(Exception):
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "phone: run the browser test in a phone-sized viewport")
    config.addinivalue_line("markers", "locale(code): browser locale, e.g. en-GB")
    if not hasattr(config, "workerinput"):  # once, before any xdist worker saves screenshots
        shutil.rmtree(ARTIFACTS, ignore_errors=True)


BROWSER_FIXTURES = {"browser", "page", "live_server"}


def pytest_collection_modifyitems(config, items):
    """Under `--dist loadgroup`, the tests that drive Chromium or the live server run on one
    worker: one browser and one server for all of them, and the other worker's CPU for the
    rest of the suite."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("browser"))


# --- trust: temporary SQLite apps and a proxy that can cut the database ----------------------


@pytest.fixture
def sqlite_app_factory(tmp_path):
    """make(**config) -> a new app on its own, migrated SQLite file (tmp_path), whatever
    TEST_DATABASE_URL says: for SQLite-only behaviour (backups, locks). `app.db_path` is the
    file. Engines are disposed at the end of the test."""
    from flask_migrate import upgrade

    made = []

    def make(name="other.db", migrate=True, **config):
        path = tmp_path / name
        other = create_app(make_config(f"sqlite:///{path}", **config))
        other.test_client_class = DbAwareClient
        other.db_path = path
        if migrate:
            with other.app_context():
                upgrade()
                _db.session.remove()
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def db_proxy(database_url):
    """A TcpProxy in front of the test PostgreSQL server, `db_proxy.database_url` pointing at
    it. PostgreSQL runs only (skipped on SQLite, which has no server to cut)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has no server to cut")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.database_url = proxy.url(database_url)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def proxied_app(db_proxy):
    """An app (CSRF off, like `app`) whose database connections go through `db_proxy`, on the
    same test database. Cut it with `db_proxy.close()`."""
    other = create_app(make_config(db_proxy.database_url))
    other.test_client_class = DbAwareClient
    yield other
    db_proxy.close()
    with other.app_context():
        _db.session.remove()
        _db.engine.dispose()


# --- trust2: the process-wide rate limiter back to the test app's setting after each test ----


@pytest.fixture(autouse=True)
def _limiter_back_to_the_test_apps_setting(app):
    """Flask-Limiter's `limiter` is one object per process: a test that builds another app
    (production settings, a rate-limited app) switches it on for every app. Put it back as the
    test app has it, so later tests are not limited by accident (counters are reset per test,
    but a test sending many requests would hit production limits)."""
    yield
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def limited(app, database_url, monkeypatch):
    """A client of an app with rate limiting on (the test app has it off), memory storage."""
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # restored after the test
    limited_app = create_app(
        make_config(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    )
    limited_app.test_client_class = DbAwareClient
    limiter.reset()
    yield limited_app.test_client()
    limiter.reset()
    with limited_app.app_context():
        _db.engine.dispose()
