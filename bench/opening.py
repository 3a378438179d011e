"""The opening (issue 21): 5,000 people open the congress form (its real questions) and submit
it at concurrency 64, on gunicorn as docs/deploy.md recommends for 2 cores, with a Celery mail
worker running and e-mail on: each booking's e-mail is published to Redis after its response
and sent by the worker to a loopback SMTP server (aiosmtpd, in this process). Then: the
database against the answers (0 oversold, 0 lost, 0 5xx), p99 of the POST, and every e-mail
delivered exactly once within 2 minutes of the last POST.

Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/5), keys under a prefix of this run,
deleted afterwards. SMTP: BENCH_SMTP_PORT (default 2525)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
import uuid
from collections import Counter

from bench import harness, rush
from bench.report import Run, fmt_ms

CONCURRENCY = 64
DEADLINE = 120  # seconds after the last POST for the last e-mail
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "2525"))


class Inbox:
    """aiosmtpd handler: every envelope recipient with the time it was accepted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            self.received.extend((now, address.lower()) for address in envelope.rcpt_tos)
        return "250 OK"


@contextlib.contextmanager
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def opening_env(env: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        **env,
        "MAIL_SEND_ON_COMMIT": "1",
        "REDIS_URL": REDIS_URL,
        "CELERY_KEY_PREFIX": prefix,
        "RATELIMIT_KEY_PREFIX": prefix,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(SMTP_PORT),
        "MAIL_USE_TLS": "0",
        "MAIL_USE_SSL": "0",
    }


@contextlib.contextmanager
def mail_worker(env: dict[str, str]):
    (harness.ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    log = open(harness.ROOT / "bench" / "results" / "worker.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [str(harness.VENV_BIN / "flask"), "--app", "eventapp", "worker", "-Q", "mail",
         "--concurrency", "2"],
        cwd=harness.ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _clean_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def opening(env, run: Run, event: dict, people: int, seats: int, server_config) -> None:
    from bench.scenarios import sql

    prefix = f"bench-opening-{uuid.uuid4().hex[:8]}:"
    app_env = opening_env(env, prefix)
    worker_class, workers, threads = server_config
    with (
        smtp_server() as inbox,
        mail_worker(app_env),
        harness.Server(app_env, worker_class, workers, threads) as server,
    ):
        slug = event["slug"]
        started = time.monotonic()
        clients, forms = rush.open_forms(server, slug, people, CONCURRENCY, event["keys"])
        answers, posts = rush.submit_forms(server, slug, clients, CONCURRENCY, env["SECRET_KEY"])
        last_post = time.monotonic()
        expected = sum(1 for a in answers if a.success)
        while time.monotonic() < last_post + DEADLINE + 30:
            with inbox.lock:
                if len(inbox.received) >= expected:
                    break
            time.sleep(0.5)
        time.sleep(2)  # a duplicate would come right after
        with inbox.lock:
            received = list(inbox.received)
    with contextlib.suppress(Exception):
        _clean_redis(prefix)
    rows = [
        rush.Row(*row)
        for row in sql(
            env,
            "SELECT r.id, r.email, r.status FROM registration r JOIN event e "
            "ON e.id = r.event_id WHERE e.slug = :slug",
            slug=slug,
        )
    ]
    result = rush.check(rows, answers, seats)
    per_address = Counter(address for _t, address in received)
    wanted = {a.email.lower() for a in answers if a.success}
    missing = len(wanted - set(per_address))
    twice = sum(n - 1 for n in per_address.values() if n > 1)
    last_mail = max((t for t, _a in received), default=last_post)
    after = last_mail - last_post
    run.figures["opening"] = {
        "forms": forms,
        "posts": posts,
        "check": result,
        "mails_received": len(received),
        "mails_missing": missing,
        "mails_twice": twice,
        "last_mail_after_last_post_s": round(after, 1),
        "submission_seconds": round(last_post - started, 1),
    }
    label = f"{people:,} people, {seats} seats, c={CONCURRENCY}, {server.label}, mail worker"
    run.line("Opening", f"form pages GET ({label})",
             f"{forms['rps']:,.0f} req/s, p99 {fmt_ms(forms['p99_ms'])}")  # fmt: skip
    run.line(
        "Opening",
        "registration POST: req/s, p50 / p99; GET + POST wall time",
        f"{posts['rps']:,.0f} req/s, {posts['p50_ms']:.0f} / {fmt_ms(posts['p99_ms'])}; "
        f"{last_post - started:.0f} s",
        "p99 ≤ 1 s",
        posts["p99_ms"] <= 1000,
    )
    run.line(
        "Opening",
        "database: oversold / lost / duplicates / 5xx; confirmed / waitlisted",
        f"{result['oversold']} / {result['lost']} / {result['duplicates']} / "
        f"{result['server_errors']}; {result['confirmed']} / {result['waitlisted']}",
        f"0 / 0 / 0 / 0; exactly {seats} / {people - seats}",
        rush.passed(result),
    )
    run.line(
        "Opening",
        "e-mails at the SMTP server: received / missing / twice; last one after the last POST",
        f"{len(received)} / {missing} / {twice}; {after:.0f} s",
        f"each once, ≤ {DEADLINE} s",
        missing == 0 and twice == 0 and after <= DEADLINE,
    )
