"""Rate limits are shared by several app servers when RATELIMIT_STORAGE_URI points at Redis.

Each "server" is a separate Python process (as behind a load balancer): the limiter is a
process-wide extension, so two apps in one process would share its storage whatever it is.
The control run with in-memory storage shows the sharing comes from Redis."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from eventapp.privacy.routes import MANAGE_LINK_RATE_LIMIT

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT = int(MANAGE_LINK_RATE_LIMIT.split()[0])

SERVER = r"""
import json, sys
from eventapp import create_app

storage, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
app = create_app({
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": storage,
    "RATELIMIT_KEY_PREFIX": prefix,
    # A moving window: with the default fixed window, a minute boundary falling between the two
    # processes (each takes seconds to start on a loaded machine) reset the count and the test
    # failed for a reason that has nothing to do with sharing.
    "RATELIMIT_STRATEGY": "moving-window",
})
client = app.test_client()
responses = [client.get("/r/not-a-real-token/data.json") for _ in range(count)]
last = responses[-1]
print(json.dumps({
    "codes": [r.status_code for r in responses],
    "retry_after": last.headers.get("Retry-After"),
    "page": last.get_data(as_text=True),
}))
"""


def _redis_or_skip():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(error).__name__}): start it")
    return client


def _server(tmp_path, storage: str, prefix: str, count: int) -> dict:
    env = {
        **os.environ,
        "APP_CONFIG": "testing",
        "INSTANCE_PATH": str(tmp_path),
        "PYTHONWARNINGS": "error",
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVER, storage, prefix, str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_app_servers_share_the_limit_through_redis(tmp_path):
    redis_client = _redis_or_skip()
    prefix = f"eventapp-test-{uuid.uuid4().hex}"
    try:
        first = _server(tmp_path, REDIS_URL, prefix, LIMIT)
        assert first["codes"] == [404] * LIMIT  # the whole allowance, spent on server 1
        second = _server(tmp_path, REDIS_URL, prefix, 1)
        assert second["codes"] == [429]  # server 2 knows
        assert second["retry_after"]
        assert "Trop de tentatives" in second["page"]
    finally:
        keys = list(redis_client.scan_iter(match=f"*{prefix}*"))
        if keys:
            redis_client.delete(*keys)
        redis_client.close()


def test_in_memory_limits_are_per_server(tmp_path):
    prefix = f"eventapp-test-{uuid.uuid4().hex}"
    assert _server(tmp_path, "memory://", prefix, LIMIT + 1)["codes"][-1] == 429
    assert _server(tmp_path, "memory://", prefix, 1)["codes"] == [404]
