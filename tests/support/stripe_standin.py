"""A local stand-in for the few Stripe endpoints eventapp calls, in Stripe's wire format.

A real HTTP server on a free loopback port. API requests are form-encoded with
``Authorization: Bearer sk_test_...``; answers are JSON objects of Stripe's shapes, errors in
Stripe's ``{"error": {type, code, message, param}}`` shape; ``Idempotency-Key`` is honoured (same
key and parameters: the first answer replayed with ``Idempotent-Replayed: true``; other
parameters: an ``idempotency_error``). Endpoints: create, retrieve and expire checkout sessions,
create and retrieve refunds, retrieve payment intents.

Each session's ``url`` is a hosted checkout page (plain HTML, no script, no style): "Pay" with a
test card (4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined), "Pay by SEPA Direct
Debit" (completes unpaid, settled later by ``settle``), and "Cancel" back to cancel_url. Paying
marks the session complete, POSTs the signed ``checkout.session.completed`` webhook to
``webhook_url`` *before* redirecting to success_url (so a browser test finds the booking paid).
Events caused by API calls (refunds, expiry) are delivered from a background thread, as
Stripe does, so the app's own request is never waiting on itself; ``wait_for_deliveries()``
waits for them. ``deliveries`` keeps every attempt.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

import pytest

from tests.support.stripe_standin_http import Handler
from tests.support.stripe_webhooks import (
    WebhookReceiver,
    build_event,
    event_body,
    new_id,
    post,
    signed_delivery,
)
from tests.support.stripe_wire import DECLINED_CARD, StripeHTTPError, public

__all__ = ["StripeStandIn", "WebhookReceiver", "stripe_standin"]


@dataclass
class Delivery:
    event_id: str
    type: str
    status: int | None  # the webhook receiver's answer, None when no webhook_url is set


class StripeStandIn:
    def __init__(
        self,
        *,
        api_key: str = "sk_test_standin",
        webhook_secret: str = "whsec_standin",  # noqa: S107 (a test value)
        webhook_url: str | None = None,
        clock=time.time,
    ):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.clock = clock  # sessions' creation and expiry; signatures use the real time
        self.sessions, self.line_items, self.payment_intents = {}, {}, {}
        self.charges, self.refunds, self.events = {}, {}, {}
        self.deliveries: list[Delivery] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every API call
        self._idempotency: dict = {}
        self._lock = threading.RLock()
        self._outbox: queue.Queue = queue.Queue()

    # --- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> StripeStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> StripeStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.standin = self
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._threads = [
            threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True),
            threading.Thread(target=self._deliver_queued, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def config(self) -> dict:
        """The app settings that point the adapter at this stand-in."""
        return {
            "STRIPE_SECRET_KEY": self.api_key,
            "STRIPE_WEBHOOK_SECRET": self.webhook_secret,
            "STRIPE_API_BASE": self.base_url,
        }

    # --- webhooks -----------------------------------------------------------------------------

    def _emit(self, event_type: str, obj: dict, *, queued: bool = True, **extra) -> dict:
        """Record an event (a snapshot of ``obj``) and queue its delivery, unless the caller
        delivers it itself (``queued=False``, outside the lock)."""
        event = build_event(
            event_type, json.loads(json.dumps(public(obj))), created=int(self.clock()), **extra
        )
        self.events[event["id"]] = event
        if queued:
            self._outbox.put(event)
        return event

    def _deliver_queued(self) -> None:
        while (event := self._outbox.get()) is not None:
            try:
                self.deliver(event)
            finally:
                self._outbox.task_done()
        self._outbox.task_done()

    def wait_for_deliveries(self, timeout: float = 10) -> None:
        """Wait until every event queued so far has been delivered."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._outbox.join(), done.set()), daemon=True).start()
        if not done.wait(timeout):
            raise TimeoutError("webhook deliveries still pending")

    def signed(self, event: dict | bytes, **kwargs) -> tuple[bytes, dict[str, str]]:
        """(body, headers) of ``event`` signed with this endpoint's secret (see signed_delivery:
        ``timestamp=``, ``bad_signature=True``), to post with any client."""
        return signed_delivery(event, self.webhook_secret, **kwargs)

    def deliver(
        self,
        event: dict | str,
        *,
        times: int = 1,
        url: str | None = None,
        bad_signature: bool = False,
        timestamp: int | None = None,
    ) -> list[int | None]:
        """POST ``event`` (or a stored event id) ``times`` times, each freshly signed as Stripe
        re-signs its retries: the same body and event id each time."""
        if isinstance(event, str):
            event = self.events[event]
        url = url or self.webhook_url
        statuses = []
        for _ in range(times):
            body, headers = self.signed(
                event_body(event), bad_signature=bad_signature, timestamp=timestamp
            )
            status = post(url, body, headers) if url else None
            self.deliveries.append(Delivery(event["id"], event["type"], status))
            statuses.append(status)
        return statuses

    # --- state changes (the hosted page and the tests use them) -------------------------------

    def _refresh(self, session: dict) -> dict:
        if session["status"] == "open" and self.clock() >= session["expires_at"]:
            self._expire(session)
        return session

    def _expire(self, session: dict) -> None:
        session.update(status="expired", url=None)
        self._emit("checkout.session.expired", session)

    def expire_now(self, session_id: str) -> dict:
        """What Stripe does at expires_at: the session expires, the event goes out."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                self._expire(session)
            return session

    def pay(self, session_id: str, *, method: str = "card", card: str = "4242424242424242"):
        """Complete the session as the hosted page does; returns the session, or raises
        StripeHTTPError(402) for a declined card, (410) when the session is not open."""
        with self._lock:
            session = self._refresh(self.sessions[session_id])
            if session["status"] != "open":
                raise StripeHTTPError(410, "This Checkout Session is no longer active.")
            card = re.sub(r"[\s-]", "", card)
            if method == "card" and card == DECLINED_CARD:
                raise StripeHTTPError(
                    402, "Your card was declined.", type_="card_error", code="card_declined"
                )
            if method == "card" and not (card.isdigit() and _luhn(card)):
                raise StripeHTTPError(
                    402, "Your card number is invalid.", type_="card_error", code="incorrect_number"
                )
            now = int(self.clock())
            intent = {
                "id": new_id("pi_test_"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_received": 0,
                "currency": session["currency"],
                "created": now,
                "livemode": False,
                "latest_charge": None,
                "payment_method_types": [method],
                "metadata": dict(session["_intent_metadata"]),
                "status": "processing",
            }
            self.payment_intents[intent["id"]] = intent
            session.update(status="complete", payment_intent=intent["id"], url=None)
            if method == "card":
                self._settle_intent(intent)
                session["payment_status"] = "paid"
            event = self._emit("checkout.session.completed", session, queued=False)
        # Delivered before the payer is redirected, outside the lock: the receiver may call
        # the API back (retrieve the session) while it handles the event.
        self.deliver(event)
        return session

    def settle(self, session_id: str, *, succeeded: bool = True) -> dict:
        """A delayed payment (SEPA debit) clears or fails: the async_payment_* event goes out."""
        with self._lock:
            session = self.sessions[session_id]
            intent = self.payment_intents[session["payment_intent"]]
            if succeeded:
                self._settle_intent(intent)
                session["payment_status"] = "paid"
            else:
                intent["status"] = "requires_payment_method"
            kind = "succeeded" if succeeded else "failed"
            self._emit(f"checkout.session.async_payment_{kind}", session)
            return session

    def _settle_intent(self, intent: dict) -> None:
        charge = {
            "id": new_id("ch_test_"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "captured": True,
            "currency": intent["currency"],
            "created": int(self.clock()),
            "livemode": False,
            "metadata": {},
            "paid": True,
            "payment_intent": intent["id"],
            "refunded": False,
            "status": "succeeded",
        }
        self.charges[charge["id"]] = charge
        intent.update(
            status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"]
        )


def _luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return len(number) >= 12 and total % 10 == 0


@pytest.fixture
def stripe_standin():
    """A running stand-in (no webhook_url yet: set ``stripe_standin.webhook_url``). Point the
    adapter at it with ``StripeProvider.from_config(stripe_standin.config())``."""
    with StripeStandIn() as standin:
        yield standin
