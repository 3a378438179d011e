"""Shared fixtures: one app per test session, a clean database per test, a test client whose
requests get their own database session (like real ones), factories, login, query counting, a
live server and Chromium for browser tests.

Database: SQLite file in a temporary folder, or TEST_DATABASE_URL (PostgreSQL in CI).
"""

import contextvars
import html
import os
import shutil
import socket
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event
from sqlalchemy import text
from werkzeug.serving import make_server

from config import TestingConfig
from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.extensions import limiter
from eventapp.jobs import dispatch
from tests import factories

pytest_plugins = ["tests.support.jobs"]  # fixtures of tests/jobs: processes, SMTP, Redis

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


def make_config(database_url: str, **extra):
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **extra})


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_schema(app) -> None:
    """Empty database, then the real migrations (so every run proves them)."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        _db.session.remove()


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(make_config(database_url))
    app.test_client_class = DbAwareClient
    _reset_schema(app)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


class DbAwareClient(FlaskClient):
    """A test client whose requests behave like real ones next to the test's app context.

    Before each request the test's own session is committed: set-up becomes visible to the
    request and the test's next reads start a fresh transaction (no stale snapshot). The request
    then runs in an empty contextvars context, so it pushes its own app context: its own `g`,
    its own database session, its own Flask-Babel locale, as in production.
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        # A server publishes a request's jobs once it has sent the response (jobs/dispatch.py);
        # the test client never closes one: they run here, after the response, as in a worker.
        jobs = self.environ_base[dispatch.ENVIRON_KEY] = []
        response = contextvars.Context().run(super().open, *args, **kwargs)
        contextvars.Context().run(dispatch.publish, jobs)
        return response


def _clean_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        _db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            _db.session.execute(text(f'DELETE FROM "{name}"'))
    _db.session.commit()


@pytest.fixture(autouse=True)
def _db_per_test(app):
    """Each test runs in an app context on an empty database."""
    with app.app_context():
        _clean_tables()
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


@contextmanager
def count_queries(engine):
    """with count_queries(db.engine) as queries: ...; len(queries) statements ran."""
    statements: list[str] = []

    def _before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", _before)


@pytest.fixture
def query_counter(db):
    return lambda: count_queries(db.engine)


# --- live server and browser ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app, database_url):
    """The app served by a threaded WSGI server on a free port, on the test database, with
    CSRF protection on (like production). Yields its base URL."""
    port = _free_port()
    served = create_app(
        make_config(
            database_url,
            WTF_CSRF_ENABLED=True,
            BASE_URL=f"http://127.0.0.1:{port}",
        )
    )
    server = make_server("127.0.0.1", port, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with served.app_context():
            _db.engine.dispose()


def chromium_skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            f"{CHROMIUM} is not installed (apt-get install -y chromium); `make test` installs "
            "it where it can"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed"
    return None


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


def pytest_sessionstart(session):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


# --- trust: temporary SQLite apps and a TCP proxy that can cut the database -----------------


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


class TcpProxy:
    """A TCP proxy in a thread, in front of the test PostgreSQL server. `close()` cuts every
    open connection and refuses new ones (the database "goes away" for apps that connect
    through it, while the real server keeps serving everyone else); `reopen()` listens again
    on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = _free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self.open()

    def open(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)

    reopen = open

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # closed meanwhile
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Refuse new connections and cut the open ones (both directions)."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def url(self, database_url: str) -> str:
        from sqlalchemy.engine import make_url

        proxied = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return proxied.render_as_string(hide_password=False)


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


def assert_friendly_503(response) -> None:
    """The database is down or locked: a friendly 503, in French, that saved nothing."""
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = html.unescape(response.get_data(as_text=True))
    assert "Service momentanément indisponible" in page
    assert "Rien n'a été enregistré" in page
    assert "Traceback" not in page and "OperationalError" not in page


def check_accessibility(page):
    """axe-core finds no violation on the page (Playwright)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def race(app, worker, count):
    """Run worker(n) for n in range(count) in real threads released together (each with its
    own app context, so its own database connection). Returns (errors, {n: result}); a thread
    still running after two minutes is an error too."""
    barrier = threading.Barrier(count)
    errors, results = [], {}

    def run(n):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results[n] = worker(n)
        except Exception as error:  # collected and asserted by the caller
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors.extend(f"thread {n} still running" for n, t in enumerate(threads) if t.is_alive())
    return errors, results
