"""Benchmark plumbing: a fresh database, gunicorn, a keep-alive HTTP load generator, and
figures (percentiles, peak RSS). The scenarios live in bench/scenarios.py and bench/rush.py.

The load generator is plain Python (http.client on keep-alive connections, one thread per
concurrent client) rather than wrk: the rush needs a session and a CSRF token per participant
and the checks need every answer, which wrk would need Lua scripts for; and the references
(/healthz, the bare insert) go through the very same client, so the ratios compare like with
like."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
STARTED = time.monotonic()


def elapsed() -> str:
    """Time since the benchmark started, for the progress lines: [mm:ss]."""
    seconds = int(time.monotonic() - STARTED)
    return f"[{seconds // 60:02d}:{seconds % 60:02d}]"


# --- databases ------------------------------------------------------------------------------


def fresh_database(kind: str, workdir: Path) -> str:
    """A new empty database: an SQLite file, or a new PostgreSQL database next to the one in
    BENCH_DATABASE_URL (dropped and re-created)."""
    if kind == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["BENCH_DATABASE_URL"])
    name = f"{url.database}_bench"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def app_env(database_url: str, secret_key: str) -> dict[str, str]:
    """Production settings, as a deployment would run them, plus BENCH_MODE."""
    return {
        **os.environ,
        "APP_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
        "BENCH_MODE": "1",
        "RATELIMIT_ENABLED": "0",  # 2,000 participants from one address is the point
        # Mail goes to the outbox table in the request's transaction; a worker sends it.
        "MAIL_SEND_ON_COMMIT": "0",
        "BASE_URL": "http://127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }


def flask_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "eventapp", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Target:
    """Any HTTP server on loopback (the test suite's live server); Server is one too."""

    port: int


class Server:
    """gunicorn serving create_app() in production mode on a free port."""

    def __init__(self, env: dict[str, str], worker_class: str, workers: int, threads: int = 1):
        self.env = env
        self.port = free_port()
        self.label = f"{worker_class} {workers}" + (f"×{threads}" if threads > 1 else "")
        self.args = [
            str(VENV_BIN / "gunicorn"),
            "--workers", str(workers),
            "--worker-class", worker_class,
            "--threads", str(threads),
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120",
            "--log-level", "warning",
            "eventapp:create_app()",
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
        self.log = open(ROOT / "bench" / "results" / "gunicorn.log", "ab")
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see bench/results/gunicorn.log")
            try:
                conn = HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within 60 s")
        # Warm every worker (imports, first connection) before measuring.
        load(self, [("GET", "/healthz", None, {})] * 50, concurrency=8)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time the processes have used so far (from /proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / tick


def rss_kib(pid: int, field_name: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


class PeakRss:
    """Samples the workers' resident memory while a request runs; reports the largest growth
    of any worker above its idle size."""

    def __init__(self, server: Server, interval: float = 0.02):
        self.server, self.interval = server, interval
        self.idle: dict[int, int] = {}
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.idle = {pid: rss_kib(pid) for pid in self.server.worker_pids()}
        self.peak = dict(self.idle)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in self.idle:
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    self.peak[pid] = max(self.peak[pid], rss_kib(pid))
            time.sleep(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return max(self.peak[pid] - self.idle[pid] for pid in self.idle) / 1024


# --- HTTP load ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    cookies: list[str] = field(default_factory=list)


def request(
    conn: HTTPConnection, method: str, path: str, body: bytes | None = None, headers=None
) -> Response:
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    raw = conn.getresponse()
    data = raw.read()
    elapsed = time.perf_counter() - started
    cookies = [value.split(";", 1)[0] for key, value in raw.getheaders() if key == "Set-Cookie"]
    return Response(raw.status, dict(raw.getheaders()), data, elapsed, cookies)


LAST_CPU: dict[str, float] = {}


def load(
    server: Server | Target,
    jobs: Iterable,
    concurrency: int,
    run: Callable[[HTTPConnection, object], Response] | None = None,
) -> tuple[list[Response | Exception], float]:
    """Run every job on `concurrency` threads, each with its own keep-alive connection.
    A job is (method, path, body, headers), or anything `run(conn, job)` understands.
    Returns the responses (or the exceptions) in job order, and the wall time. The server's
    CPU time per request (gunicorn workers only) is left in LAST_CPU["ms_per_request"]."""
    jobs = list(jobs)
    pids = server.worker_pids() if isinstance(server, Server) else []
    cpu_before = cpu_seconds(pids)
    results: list[Response | Exception | None] = [None] * len(jobs)
    cursor = iter(range(len(jobs)))
    lock = threading.Lock()

    def default_run(conn, job):
        method, path, body, headers = job
        return request(conn, method, path, body, headers)

    runner = run or default_run

    def worker():
        conn = HTTPConnection("127.0.0.1", server.port, timeout=120)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            try:
                results[index] = runner(conn, jobs[index])
            except (OSError, HTTPException) as error:
                results[index] = error
                conn.close()
                conn = HTTPConnection("127.0.0.1", server.port, timeout=120)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if pids and jobs:
        LAST_CPU["ms_per_request"] = (cpu_seconds(pids) - cpu_before) * 1000 / len(jobs)
    return results, wall


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def summary(responses: list, wall: float) -> dict:
    ok = [r for r in responses if isinstance(r, Response)]
    latencies = [r.seconds * 1000 for r in ok]
    return {
        "server_cpu_ms": round(LAST_CPU.pop("ms_per_request", float("nan")), 2),
        "requests": len(responses),
        "rps": round(len(responses) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "errors": len(responses) - len(ok) + sum(1 for r in ok if r.status >= 500),
        "status": {str(s): sum(1 for r in ok if r.status == s) for s in {r.status for r in ok}},
    }


CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: bytes) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no csrf_token in the page")
    return match.group(1).decode()


def location_path(response: Response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def session_cookie(response: Response, name: str = "session") -> str:
    """The `name=value` pair of the session cookie the response set ("" if none)."""
    for cookie in response.cookies:
        if cookie.startswith(name + "="):
            return cookie
    return ""


def session_data(cookie: str, secret_key: str) -> dict:
    """The content of Flask's signed session cookie (`session=...`), signature checked with the
    app's SECRET_KEY: what the server told this client, which only the server could write."""
    from flask.json.tag import TaggedJSONSerializer
    from itsdangerous import URLSafeTimedSerializer

    value = cookie.split("=", 1)[1] if "=" in cookie else cookie
    serializer = URLSafeTimedSerializer(
        secret_key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.loads(value)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
