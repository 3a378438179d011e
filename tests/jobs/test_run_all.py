"""`make run`'s `flask run-all`: with nothing but Python (embedded broker in the instance
folder), the web server, a worker and beat start; a registration's e-mail is sent by the worker;
Ctrl+C (SIGINT) stops every process it started, the worker's pool included."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from eventapp.models import OutboxMessage
from tests.conftest import _free_port
from tests.support.jobs import Participant, person, smtp_server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process table from /proc")
def test_run_all_serves_sends_through_its_worker_and_stops_everything(
    tmp_path, database_url, factory, db
):
    port = _free_port()
    with smtp_server() as (inbox, smtp_port):
        env = {
            **os.environ,
            "APP_CONFIG": "development",
            "FLASK_DEBUG": "0",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),  # the embedded broker and beat's file live here
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "RATELIMIT_ENABLED": "0",
        }
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "TEST_DATABASE_URL"):
            env.pop(name, None)
        log = (tmp_path / "run-all.log").open("wb")
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "eventapp", "run-all", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output = lambda: (tmp_path / "run-all.log").read_text(errors="replace")  # noqa: E731
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while "celery@" not in output() or " ready." not in output():
                assert time.monotonic() < deadline and supervisor.poll() is None, output()
                time.sleep(0.3)
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=5).close()  # noqa: S310
                    break
                except OSError:
                    assert time.monotonic() < deadline, output()
                    time.sleep(0.3)
            assert "beat: Starting" in output()
            started = _descendants(supervisor.pid)
            assert len(started) >= 5, output()  # web, worker + its 2 pool processes, beat

            event = factory.event()
            participant = Participant(base)
            participant.get(f"/events/{event.slug}/register")
            status, _url = participant.post(f"/events/{event.slug}/register", person(1))
            assert status == 200
            while not inbox.messages or "mail.send [" not in output():  # the worker's log line
                assert time.monotonic() < deadline + 30, output()
                time.sleep(0.2)
            assert inbox.recipients() == ["participant1@example.org"]
            assert "worker | " in output()
        finally:
            supervisor.send_signal(signal.SIGINT)  # what Ctrl+C sends it
            code = supervisor.wait(timeout=60)
            log.close()
    assert code == 0, output()
    assert "run-all: stopped" in output()
    assert [pid for pid in started if _alive(pid)] == []
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"
