"""Stripe webhook bodies for tests, signed exactly as Stripe signs them, and a tiny receiver.

Stripe's scheme: ``Stripe-Signature: t=<unix time>,v1=<hex>`` where the hex is
HMAC-SHA256(key = the endpoint secret, message = f"{t}.{raw body}"). Written here from the
documented scheme rather than with the ``stripe`` package, so the adapter's verification (which
uses the package) is checked against an independent implementation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2026-10-28.endive"  # what stripe==16.1.0 sends as Stripe-Version
_ALNUM = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def build_event(
    event_type: str,
    obj: dict,
    *,
    event_id: str | None = None,
    created: int | None = None,
    previous_attributes: dict | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
) -> dict:
    """An event envelope in Stripe's shape (a snapshot event, API version above)."""
    data = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": event_id or new_id("evt_test_"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": event_type,
    }


def event_body(event: dict) -> bytes:
    # Stripe sends its events pretty-printed; the signature covers these exact bytes.
    return json.dumps(event, indent=2).encode()


def signed_delivery(
    event: dict | bytes, secret: str, *, timestamp: int | None = None, bad_signature: bool = False
) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of a webhook delivery. ``bad_signature`` signs with another secret."""
    body = event if isinstance(event, bytes) else event_body(event)
    key = "whsec_not_the_endpoint_secret" if bad_signature else secret
    return body, {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Stripe-Signature": signature_header(body, key, timestamp),
    }


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10) -> int:
    """POST a delivery; the receiver's HTTP status (0 when it could not be reached)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    status: int


@dataclass
class WebhookReceiver:
    """A webhook endpoint on a free loopback port. ``handler(body, headers) -> status`` decides
    the answer (default 200), e.g. the adapter's parse_webhook with 400 on WebhookSignatureError.
    Every delivery is kept in ``received``."""

    handler: object = None
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                status = receiver.handler(body, headers) if receiver.handler else 200
                receiver.received.append(Received(body, headers, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep the test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/stripe"
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
