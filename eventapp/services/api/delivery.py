"""Sending webhook deliveries, in the jobs only (never in a web request): the signed POST,
the outcome (delivered; retried with exponential back-off for 3 days; 410 Gone disables the
endpoint), the order per resource, the periodic sweep and the 30-day log. The rules are in
webhooks.py's docstring."""

from __future__ import annotations

import json
import time as time_module
from datetime import datetime, timedelta

import urllib3
from flask import current_app
from sqlalchemy import delete, or_, select, update

from eventapp.database import own_transaction
from eventapp.extensions import db
from eventapp.jobs import dispatch
from eventapp.models import WebhookDelivery, WebhookEndpoint, utcnow
from eventapp.services.api import destinations
from eventapp.services.api.webhooks import DELIVER_JOB, sign

RETRY_FOR = timedelta(days=3)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
KEEP_LOG = timedelta(days=30)
TIMEOUT_SECONDS = 10


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _older_pending(delivery: WebhookDelivery) -> bool:
    if not delivery.resource:
        return False
    return (
        db.session.scalar(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.endpoint_id == delivery.endpoint_id,
                WebhookDelivery.resource == delivery.resource,
                WebhookDelivery.state == "pending",
                WebhookDelivery.id < delivery.id,
            )
            .limit(1)
        )
        is not None
    )


def _post(endpoint, delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """One signed POST to the endpoint's address, checked again now that it is resolved
    (destinations.py: no private or local network, no redirect followed): its status, or
    None and why it was not sent or not answered."""
    try:
        target = destinations.target(endpoint.url)
    except destinations.Refused as error:
        return None, f"refused: {error.reason}"
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time_module.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "eventapp-webhooks/1",
        "Webhook-Id": delivery.uid,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": sign(endpoint.secret, delivery.uid, timestamp, body),
    }
    timeout = current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", TIMEOUT_SECONDS)
    try:
        return target.post(body, headers, timeout), None
    except urllib3.exceptions.TimeoutError:
        return None, "timeout"
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return None, type(error).__name__[:200]


def deliver_one(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if it is due (and no older one of its resource waits). Returns its
    state afterwards ("delivered", "pending", "failed", "waiting", "skipped")."""
    with own_transaction():
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != "pending":
            return "skipped"
        endpoint = delivery.endpoint
        if not endpoint.active:
            return "skipped"
        if _older_pending(delivery):
            return "waiting"
        now = now or utcnow()
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return "skipped"
        # Claimed for this attempt: another worker does not send it meanwhile.
        delivery.next_attempt_at = now + backoff(delivery.attempts + 1)
        url, secret = endpoint.url, endpoint.secret
    status, error = _post(_Target(url, secret), delivery)
    with own_transaction():
        delivery = db.session.get(WebhookDelivery, delivery_id)
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = status, error
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.delivered_at = "delivered", utcnow()
        elif status == 410:
            delivery.state = "failed"
            delivery.endpoint.active = False
            delivery.endpoint.disabled_reason = "gone"
        elif utcnow() - delivery.created_at > RETRY_FOR:
            delivery.state = "failed"
        return delivery.state


class _Target:
    def __init__(self, url, secret):
        self.url, self.secret = url, secret


def deliver(delivery_ids: list[int]) -> dict:
    """The job: each delivery, then the next ones of the same resources that were waiting."""
    outcome = {}
    for delivery_id in sorted(delivery_ids):
        outcome[delivery_id] = deliver_one(delivery_id)
        if outcome[delivery_id] == "delivered":
            for follower in _waiting_after(delivery_id):
                outcome[follower] = deliver_one(follower)
                if outcome[follower] != "delivered":
                    break
    return outcome


def _waiting_after(delivery_id: int) -> list[int]:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or not delivery.resource:
        return []
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.endpoint_id == delivery.endpoint_id,
                WebhookDelivery.resource == delivery.resource,
                WebhookDelivery.state == "pending",
                WebhookDelivery.id > delivery_id,
            )
            .order_by(WebhookDelivery.id)
            .limit(100)
        )
    )


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt has come (the sweep's)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.state == "pending",
                or_(
                    WebhookDelivery.next_attempt_at.is_(None),
                    WebhookDelivery.next_attempt_at <= now,
                ),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
    )


def sweep(now: datetime | None = None) -> int:
    """The periodic job: due deliveries sent again (each its own job), the log pruned."""
    ids = due(now)
    for start in range(0, len(ids), 50):
        dispatch.enqueue(DELIVER_JOB, ids[start : start + 50])
    prune(now)
    return len(ids)


def prune(now: datetime | None = None) -> int:
    """Deliveries older than 30 days leave the log; failed ones stay failed."""
    now = now or utcnow()
    with own_transaction():
        removed = db.session.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.created_at < now - KEEP_LOG, WebhookDelivery.state != "pending"
            )
        ).rowcount
        db.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.state == "pending",
                WebhookDelivery.created_at < now - RETRY_FOR - timedelta(days=1),
            )
            .values(state="failed")
        )
    return removed


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )
