"""Real processes for tests/jobs: gunicorn instances, a Celery worker and beat, each a separate
process on the test database (and Redis), as in production; a loopback SMTP server (aiosmtpd)
that can be slow, or hold one message until its sender dies; a participant posting the real
public form (CSRF and all).

Loaded by tests/conftest.py (`pytest_plugins`). Redis: TEST_REDIS_URL (default database 5);
every key a stack writes carries its own prefix and is deleted afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from eventapp.jobs import dispatch
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
START_TIMEOUT = 90  # seconds; the machine may be shared and busy


@pytest.fixture(autouse=True)
def _jobs_of_this_test_are_done():
    """A live server's requests run their jobs (JOBS_EAGER) after their responses, in its
    threads: the e-mails of a test's last requests may still be sending when it ends. They
    finish before the next test cleans the database."""
    yield
    if not dispatch.wait_until_published(timeout=60):
        with dispatch._waiting_changed:  # one test's leak must not fail the next ones
            dispatch._waiting = 0
        pytest.fail("jobs of requests still unpublished after 60 s (a response never closed?)")


def redis_or_skip():
    """A client of TEST_REDIS_URL, or the test is skipped with the reason."""
    try:
        import redis

        client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as error:
        pytest.skip(f"Redis not reachable at {TEST_REDIS_URL} ({type(error).__name__}): start it")
    return client


def postgresql_or_skip(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip(
            "needs PostgreSQL (TEST_DATABASE_URL): several app servers and a worker share one "
            "database server"
        )


# --- SMTP -------------------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler. `delay`: seconds before each message is accepted. `hold_at`: the n-th
    message (1-based) is not accepted until its sender hangs up (`held` is set when it
    arrives). A message whose sender disconnects before the answer is not kept (aiosmtpd
    cancels the handler), as a real server would not take responsibility for it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.delay = 0.0
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.arrived = 0
        self.messages: list[tuple[list[str], bytes]] = []
        self.accepted_at: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.arrived += 1
            number = self.arrived
        if self.hold_at == number:
            self.held.set()
            await asyncio.sleep(120)  # cancelled when the worker dies
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
            self.accepted_at.append(time.monotonic())
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        with self._lock:
            return [rcpt for rcpts, _content in self.messages for rcpt in rcpts]


@contextlib.contextmanager
def smtp_server():
    """(inbox, port): an SMTP server on loopback for the time of the block."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


# --- processes --------------------------------------------------------------------------------


class Proc:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self._out = self.log.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        return f"--- {self.name} ---\n" + "\n".join(self.output().splitlines()[-lines:])

    def wait_for_output(self, text: str, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None:
                code = self.process.returncode
                raise AssertionError(f"{self.name} exited ({code})\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: no {text!r} in {timeout} s\n{self.tail()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL to the whole group (a worker and its pool processes), as a machine dying."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever is left of the group
        self.process.wait(timeout=30)
        self._out.close()


class Stack:
    """App servers, workers and beat on one database and broker, with production settings."""

    def __init__(self, tmp_path: Path, database_url: str, broker_url: str | None, **env):
        self.prefix = f"eventapp-test-{uuid.uuid4().hex[:12]}:"
        self.redis_url = broker_url if broker_url and broker_url.startswith("redis") else None
        self.tmp = tmp_path
        self.env = {
            **os.environ,
            "APP_CONFIG": "production",
            "SECRET_KEY": "test-stack-" + uuid.uuid4().hex,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            "BASE_URL": "http://127.0.0.1",
            "CELERY_KEY_PREFIX": self.prefix,
            "RATELIMIT_KEY_PREFIX": self.prefix,
            "PYTHONPATH": str(ROOT),
            **({"REDIS_URL": self.redis_url} if self.redis_url else {"RATELIMIT_ENABLED": "0"}),
            **({"CELERY_BROKER_URL": broker_url} if broker_url else {}),
            **{key: str(value) for key, value in env.items()},
        }
        for name in ("TEST_DATABASE_URL", "FLASK_DEBUG"):
            self.env.pop(name, None)
        self.procs: list[Proc] = []

    def _start(self, name: str, command: list[str], **env) -> Proc:
        proc = Proc(name, command, {**self.env, **env}, self.tmp)
        self.procs.append(proc)
        return proc

    def web(self, workers: int = 2) -> str:
        """A gunicorn instance (sync workers) on a free port; returns its base URL."""
        port = _free_port()
        proc = self._start(
            "web",
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "eventapp:create_app()",
            ],
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                    return base
            except OSError:
                if proc.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start\n{proc.tail()}") from None
                time.sleep(0.3)

    def worker(self, concurrency: int = 2, **env) -> Proc:
        proc = self._start(
            "worker",
            [
                str(BIN / "flask"),
                "--app",
                "eventapp",
                "worker",
                "--concurrency",
                str(concurrency),
                "--without-mingle",
                "--without-gossip",
            ],
            **env,
        )
        proc.wait_for_output(" ready.")
        return proc

    def beat(self, **env) -> Proc:
        proc = self._start("beat", [str(BIN / "flask"), "--app", "eventapp", "beat"], **env)
        proc.wait_for_output("beat: Starting")
        return proc

    def logs(self) -> str:
        return "\n".join(proc.tail() for proc in self.procs)

    def stop_jobs(self) -> None:
        """Stop the workers and beat (the app servers go on)."""
        for proc in [p for p in self.procs if p.name != "web"]:
            proc.stop()
            self.procs.remove(proc)

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop()
        self.procs.clear()
        if self.redis_url:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(match=f"*{self.prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()


@contextlib.contextmanager
def _stacks(tmp_path, database_url):
    stacks = []

    def make(broker_url: str | None = None, **env) -> Stack:
        stack = Stack(tmp_path, database_url, broker_url, **env)
        stacks.append(stack)
        return stack

    try:
        yield make
    finally:
        for stack in stacks:
            stack.stop()


@pytest.fixture
def job_stack(tmp_path, database_url):
    """make(broker_url, **env) -> a Stack; everything it started is stopped after the test."""
    with _stacks(tmp_path, database_url) as make:
        yield make


@pytest.fixture(scope="module")
def module_job_stack(tmp_path_factory, database_url):
    """job_stack for the whole module (app servers started once for its tests)."""
    with _stacks(tmp_path_factory.mktemp("stack"), database_url) as make:
        yield make


# --- a participant ----------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Participant:
    """One person on the public site: their own cookies (session) and form token."""

    def __init__(self, base: str, follow_redirects: bool = True):
        handlers = [urllib.request.HTTPCookieProcessor(CookieJar())]
        if not follow_redirects:
            handlers.append(_NoRedirect())
        self.base = base
        self.opener = urllib.request.build_opener(*handlers)
        self.token = None

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            page = response.read().decode()
        match = TOKEN.search(page)
        if match:
            self.token = match.group(1)
        return page

    def status(self, path: str) -> int:
        """The status of a GET (an HTTP error's too)."""
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """(status, final URL); an HTTP error is returned as its status, not raised."""
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return response.status, response.url
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location") or ""


def person(n: int) -> dict:
    return {
        "first_name": "Participant",
        "last_name": f"N{n}",
        "email": f"participant{n}@example.org",
        "organisation_name": "Biotech",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
