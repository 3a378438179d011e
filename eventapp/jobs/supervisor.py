"""`flask --app eventapp run-all` (what `make run` and `make serve` run): the development web
server (or gunicorn with `--gunicorn N` workers), a Celery worker and beat, as three child
processes whose output is shown line by line with a prefix.

Ctrl+C (SIGINT), SIGTERM or SIGHUP stops them all: each child runs in its own process group, so
the terminal's Ctrl+C reaches only this process, which sends SIGTERM to each child (the worker
finishes the jobs in hand, then stops its pool), waits up to STOP_TIMEOUT seconds, then kills
whatever is left in each child's process group (the worker's pool processes included); a second
Ctrl+C kills at once. If one child stops by itself (a port already taken), the others are
stopped too. On Linux the children also get SIGTERM if this process itself is killed
(PR_SET_PDEATHSIG), so none is left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

STOP_TIMEOUT = 10.0
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _commands(
    app: str, host: str, port: int, concurrency: int, gunicorn: int | None
) -> dict[str, list[str]]:
    flask = [sys.executable, "-m", "flask", "--app", app]
    web = [*flask, "run", "--host", host, "--port", str(port), "--no-reload"]
    if gunicorn:
        factory = f"{app}:create_app()" if ":" not in app else app
        web = [sys.executable, "-m", "gunicorn", "--workers", str(gunicorn)]
        web += ["--bind", f"{host}:{port}", "--access-logfile", "-", factory]
    return {
        "web": web,
        "worker": [*flask, "worker", "--concurrency", str(concurrency)],
        "beat": [*flask, "beat"],
    }


class Child:
    def __init__(self, name: str, command: list[str], out_lock: threading.Lock):
        self.name = name
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self._lock = out_lock
        self.reader = threading.Thread(target=self._copy_output, daemon=True)
        self.reader.start()

    def _copy_output(self) -> None:
        for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            with self._lock:
                print(f"{self.name:>6} | {line}", flush=True)

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def run(app: str, host: str, port: int, concurrency: int, gunicorn: int | None = None) -> int:
    lock = threading.Lock()
    stopping = threading.Event()
    children: list[Child] = []

    def on_signal(signum, _frame):
        if stopping.is_set():  # a second Ctrl+C: no more waiting
            for child in children:
                child.signal_group(signal.SIGKILL)
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    for name, command in _commands(app, host, port, concurrency, gunicorn).items():
        children.append(Child(name, command, lock))
    print(f"run-all: web http://{host}:{port}, worker, beat (Ctrl+C stops all)", flush=True)

    status = 0
    while not stopping.is_set():
        ended = [c for c in children if c.process.poll() is not None]
        if ended:
            status = ended[0].process.returncode or 1
            print(f"run-all: {ended[0].name} stopped ({status}); stopping the others", flush=True)
            break
        stopping.wait(0.2)

    for child in children:
        # The leader only: the worker then stops its own pool once the jobs in hand are done.
        with contextlib.suppress(ProcessLookupError):
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        # Whatever is left of each group (the worker's pool processes too).
        child.signal_group(signal.SIGKILL)
        child.process.wait()
        child.reader.join(timeout=2)
    print("run-all: stopped", flush=True)
    return status
