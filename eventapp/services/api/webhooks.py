"""Signed webhooks: an organisation's endpoints hear about what happens to its events.

- A delivery row is written by a before-commit subscriber of the domain events, in the
  transaction of the change (a rolled-back change delivers nothing); its job is published
  after the commit (`webhooks.deliver`), and the periodic sweep (`webhooks.sweep`) sends again
  what is due: at least once.
- Each POST carries `Webhook-Id` (the delivery's id, the same at every attempt),
  `Webhook-Timestamp` (Unix seconds) and `Webhook-Signature`: "v1=" and the hex HMAC-SHA256,
  with the endpoint's secret, of "<id>.<timestamp>.<body>". The body says what happened and
  links the resource (receivers fetch fresh data): ids and plain values only, no personal data.
- A 2xx answer delivers; anything else, a timeout or a refused connection is retried with
  exponential back-off (1 min, 2, 4 … at most 6 h apart) for 3 days, then the delivery fails;
  410 Gone disables the endpoint. Deliveries of one resource go out in order: one waits while
  an older one of the same resource is still pending.
- The log keeps 30 days of deliveries (`prune`).

No HTTP inside a web request: only the job sends (delivery.py)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
import time as time_module

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy import event as sa_event

from eventapp import events as domain_events
from eventapp.extensions import db
from eventapp.helpers import external_url
from eventapp.jobs import dispatch
from eventapp.models import (
    Event,
    EventOrganiser,
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.api import destinations
from eventapp.services.errors import ServiceError

log = logging.getLogger(__name__)

DELIVER_JOB = "webhooks.deliver"
SWEEP_JOB = "webhooks.sweep"
SIGNATURE_VERSION = "v1"
_PENDING_KEY = "webhook_deliveries"

# The domain events an endpoint may subscribe to, with their labels.
EVENT_TYPES = {
    "registration.created": _l("A person registered"),
    "registration.updated": _l("A registration was corrected"),
    "registration.cancelled": _l("A registration was cancelled"),
    "registration.promoted": _l("A person was promoted from the waiting list"),
    "registration.offered": _l("A waiting-list place was offered"),
    "registration.moved": _l("A person was moved to another event"),
    "registration.reconfirmed": _l("A cancelled registration was confirmed again"),
    "booking.created": _l("A booking was made"),
    "booking.cancelled": _l("A booking was cancelled (all its registrations)"),
    "checkin.created": _l("A person was checked in"),
    "checkin.undone": _l("A check-in was undone"),
    "payment.received": _l("A payment was received"),
    "payment.refunded": _l("A payment was refunded"),
    "payment.released": _l("An unpaid booking was released"),
    "event.published": _l("An event was published"),
    "event.unpublished": _l("An event was unpublished"),
    "event.updated": _l("An event was changed"),
    "event.cancelled": _l("An event was cancelled"),
}
TEST_TYPE = "webhook.test"


class WebhookError(ServiceError):
    kind = "webhook"

    class Code(enum.StrEnum):
        BAD_URL = "bad_url"
        CREDENTIALS = "credentials"
        PRIVATE_ADDRESS = "private_address"
        NO_TYPE = "no_type"
        UNKNOWN_TYPE = "unknown_type"

    MESSAGES = {
        Code.BAD_URL: _l("Give the full address of the receiver, starting with https://."),
        Code.CREDENTIALS: _l("Leave the user name and password out of the address."),
        Code.PRIVATE_ADDRESS: _l(
            "This address leads to a private or local network: webhooks go to public "
            "addresses only."
        ),
        Code.NO_TYPE: _l("Choose at least one kind of event."),
        Code.UNKNOWN_TYPE: _l("Unknown kind of event."),
    }
    STATUS = dict.fromkeys(Code, 422)


def sign(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    message = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(secret: str, headers, body: bytes, *, tolerance: int = 300, now=None) -> bool:
    """What a receiver does (documented on /api/v1/docs): the signature matches and the
    timestamp is recent."""
    try:
        timestamp = int(headers["Webhook-Timestamp"])
        expected = sign(secret, headers["Webhook-Id"], timestamp, body)
    except (KeyError, ValueError):
        return False
    now = time_module.time() if now is None else now
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(
        expected, headers.get("Webhook-Signature", "")
    )


# --- endpoints ---------------------------------------------------------------------------------


REFUSALS = {
    destinations.Reason.CREDENTIALS: WebhookError.Code.CREDENTIALS,
    destinations.Reason.PRIVATE: WebhookError.Code.PRIVATE_ADDRESS,
}


def _check_url(url: str) -> str:
    """A receiver's address: https (http in development), no credentials, not a private or
    local network (services/api/destinations.py)."""
    url = (url or "").strip()
    if len(url) > 500:
        raise WebhookError(WebhookError.Code.BAD_URL, field="url")
    try:
        destinations.check_new(url)
    except destinations.Refused as error:
        code = REFUSALS.get(error.reason, WebhookError.Code.BAD_URL)
        raise WebhookError(code, field="url") from None
    return url


def create_endpoint(
    organisation: Organisation, *, url: str, event_types: list[str], user, event_ids=()
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown once)."""
    url = _check_url(url)
    if not event_types:
        raise WebhookError(WebhookError.Code.NO_TYPE, field="event_types")
    if any(name not in EVENT_TYPES for name in event_types):
        raise WebhookError(WebhookError.Code.UNKNOWN_TYPE, field="event_types")
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        organisation_id=organisation.id,
        url=url,
        secret=secret,
        event_types=sorted(set(event_types)),
        event_ids=sorted(set(event_ids)),
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.created", user=user, endpoint_id=endpoint.id)
    return endpoint, secret


def set_active(endpoint: WebhookEndpoint, active: bool, *, user) -> None:
    endpoint.active = active
    endpoint.disabled_reason = None if active else "disabled"
    audit.record(
        "webhook.enabled" if active else "webhook.disabled", user=user, endpoint_id=endpoint.id
    )


def delete_endpoint(endpoint: WebhookEndpoint, *, user) -> None:
    audit.record("webhook.deleted", user=user, endpoint_id=endpoint.id)
    db.session.delete(endpoint)


# --- deliveries written with the change --------------------------------------------------------


def _resource(payload) -> str:
    for key in ("registration_id", "payment_id", "booking_id", "event_id"):
        if payload.get(key) is not None:
            return f"{key.removesuffix('_id')}:{payload[key]}"
    return ""


def _links(payload) -> dict:
    links = {}
    event_id = payload.get("event_id")
    if event_id is not None:
        links["event"] = external_url("v1_events.event_read", event_id=event_id)
        if payload.get("registration_id") is not None:
            links["registration"] = external_url(
                "v1_attendees.attendee_read",
                event_id=event_id,
                registration_id=payload["registration_id"],
            )
        if payload.get("payment_id") is not None or payload.get("booking_id") is not None:
            links["payments"] = external_url("v1_reads.payments", event_id=event_id)
        if payload.get("booking_id") is not None and payload.get("registration_id") is None:
            links["attendees"] = external_url("v1_attendees.attendee_list", event_id=event_id)
    return links


def _new_delivery(endpoint: WebhookEndpoint, event_type: str, data: dict) -> WebhookDelivery:
    now = utcnow()
    uid = "whd_" + secrets.token_urlsafe(18)
    delivery = WebhookDelivery(
        uid=uid,
        endpoint_id=endpoint.id,
        event_type=event_type,
        resource=_resource(data),
        payload={
            "id": uid,
            "type": event_type,
            "created_at": now.isoformat(),
            "data": data,
            "links": _links(data),
        },
        state="pending",
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(delivery)
    return delivery


def _endpoints_statement():
    """Built once: every commit that records a registration event runs it. Plain columns (no
    entities loaded) — nearly always nothing matches."""
    ids = bindparam("ids", expanding=True)
    organisers = select(EventOrganiser.organisation_id).where(EventOrganiser.event_id.in_(ids))
    return select(WebhookEndpoint.id, WebhookEndpoint.event_types, WebhookEndpoint.event_ids).where(
        WebhookEndpoint.organisation_id.in_(organisers), WebhookEndpoint.active.is_(True)
    )


_ENDPOINTS = _endpoints_statement()


def _endpoints_for(event_id: int, event_type: str) -> list[WebhookEndpoint]:
    """The active endpoints of the event's (and its tour's) organisers that want `event_type`
    for this event."""
    event = db.session.get(Event, event_id)
    if event is None:
        return []
    ids = [event.id] + ([event.parent_id] if event.parent_id else [])
    wanted = [
        endpoint_id
        for endpoint_id, types, event_ids in db.session.execute(_ENDPOINTS, {"ids": ids})
        if event_type in (types or ()) and (not event_ids or set(event_ids) & set(ids))
    ]
    return [db.session.get(WebhookEndpoint, endpoint_id) for endpoint_id in wanted]


def _record_deliveries(event: domain_events.DomainEvent) -> None:
    """Before the commit: one delivery per endpoint that wants this event."""
    if event.name not in EVENT_TYPES or event.payload.get("event_id") is None:
        return
    targets = _endpoints_for(event["event_id"], event.name)
    if not targets:
        return
    data = dict(event.payload)
    created = [_new_delivery(endpoint, event.name, data) for endpoint in targets]
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).extend(d.id for d in created)


def _publish_deliveries(_event: domain_events.DomainEvent) -> None:
    """After the commit: the deliveries' job."""
    ids = db.session.info.pop(_PENDING_KEY, None)
    if ids:
        dispatch.after_commit(DELIVER_JOB, ids)


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test delivery (the "send a test event" button), sent by the job after the commit."""
    delivery = _new_delivery(endpoint, TEST_TYPE, {"organisation_id": endpoint.organisation_id})
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append(delivery.id)
    return delivery


def send_again(delivery: WebhookDelivery) -> None:
    """The log's "send again": pending now, with the same id (receivers de-duplicate)."""
    delivery.state = "pending"
    delivery.next_attempt_at = utcnow()
    delivery.created_at = utcnow()  # three more days of retries
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append(delivery.id)


def publish_pending() -> None:
    """Publish the job of the deliveries made outside a domain event (test, send again)."""
    ids = db.session.info.pop(_PENDING_KEY, None)
    if ids:
        dispatch.after_commit(DELIVER_JOB, ids)


def _forget_pending(session, _previous) -> None:
    session.info.pop(_PENDING_KEY, None)  # rolled back: those rows are gone


def init_app(app) -> None:
    if not sa_event.contains(db.session, "after_soft_rollback", _forget_pending):
        sa_event.listen(db.session, "after_soft_rollback", _forget_pending)
    for name in EVENT_TYPES:
        domain_events.subscribe(name, _record_deliveries, phase="before_commit")
        domain_events.subscribe(name, _publish_deliveries, phase="after_commit")
