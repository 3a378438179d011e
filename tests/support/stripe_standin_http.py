"""The HTTP side of the Stripe stand-in (tests/support/stripe_standin.py): the API endpoints,
their checks and error shapes, idempotency, and the hosted checkout page."""

import hashlib
import json
import re
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.support.stripe_webhooks import API_VERSION, new_id
from tests.support.stripe_wire import (
    MINIMUM_CENTS,
    SESSION_PARAMS,
    StripeHTTPError,
    decode_form,
    hosted_page,
    integer,
    money,
    public,
    redirect_target,
)


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so no idle keep-alive thread outlives a test.
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # keep the test output clean
        pass

    @property
    def standin(self):
        return self.server.standin

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # --- plumbing -----------------------------------------------------------------------------

    def _send(self, status, body: bytes, content_type: str, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, payload, headers=None):
        headers = {
            "Request-Id": new_id("req_", 14),
            "Stripe-Version": API_VERSION,
            **(headers or {}),
        }
        self._send(status, json.dumps(payload, indent=2).encode(), "application/json", headers)

    def _dispatch(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            if url.path.startswith("/c/pay/"):
                return self._page(method, url.path.removeprefix("/c/pay/"), raw)
            if not url.path.startswith("/v1/"):
                raise StripeHTTPError(404, f"Unrecognized request URL ({method}: {url.path}).")
            self._authenticate()
            params = decode_form(raw if method == "POST" else url.query)
            with self.standin._lock:
                self.standin.requests.append((method, url.path))
                replay = self._replayed(method, url.path, raw)
                if replay:
                    return self._json(*replay, headers={"Idempotent-Replayed": "true"})
                try:
                    result = (200, self._api(method, url.path, params))
                except StripeHTTPError as exc:
                    result = (exc.status, {"error": exc.error})
                self._remember(method, url.path, raw, result)
            self._json(*result)
        except StripeHTTPError as exc:
            self._json(exc.status, {"error": exc.error})

    def _authenticate(self):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            raise StripeHTTPError(
                401,
                "You did not provide an API key. You need to provide "
                "your API key in the Authorization header, using Bearer "
                "auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        key = auth.removeprefix("Bearer ")
        if key != self.standin.api_key:
            raise StripeHTTPError(401, f"Invalid API Key provided: {key[:8]}{'*' * 12}")

    def _idempotency_slot(self, method):
        key = self.headers.get("Idempotency-Key")
        return (self.standin.api_key, key) if key and method == "POST" else None

    def _replayed(self, method, path, raw):
        slot = self._idempotency_slot(method)
        if slot is None or slot not in self.standin._idempotency:
            return None
        fingerprint, result = self.standin._idempotency[slot]
        if fingerprint != _fingerprint(method, path, raw):
            raise StripeHTTPError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{slot[1]}' if you meant to "
                "execute a different request.",
                type_="idempotency_error",
            )
        return result

    def _remember(self, method, path, raw, result):
        # Like Stripe, a request refused by validation saves no result: it may be retried.
        slot = self._idempotency_slot(method)
        if slot is not None and result[0] == 200:
            self.standin._idempotency[slot] = (_fingerprint(method, path, raw), result)

    # --- the API ------------------------------------------------------------------------------

    def _api(self, method, path, params):
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/(cs_[\w]+)", self._get_session),
            ("POST", r"/v1/checkout/sessions/(cs_[\w]+)/expire", self._expire_session),
            ("POST", r"/v1/refunds", self._create_refund),
            ("GET", r"/v1/refunds/(re_[\w]+)", self._get_refund),
            ("GET", r"/v1/payment_intents/(pi_[\w]+)", self._get_intent),
        ]
        for verb, pattern, view in routes:
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                return view(params, *match.groups())
        raise StripeHTTPError(404, f"Unrecognized request URL ({method}: {path}).")

    def _find(self, store, object_id, name):
        if object_id not in store:
            raise StripeHTTPError(
                404, f"No such {name}: '{object_id}'", code="resource_missing", param="id"
            )
        return store[object_id]

    def _create_session(self, params, *_):
        standin = self.standin
        unknown = sorted(set(params) - SESSION_PARAMS)
        if unknown:
            raise StripeHTTPError(
                400,
                f"Received unknown parameter: {unknown[0]}",
                param=unknown[0],
                code="parameter_unknown",
            )
        if params.get("mode") != "payment":
            raise StripeHTTPError(400, "Invalid mode: must be payment (stand-in)", param="mode")
        for name in ("success_url", "cancel_url"):
            if name in params and not re.match(r"https?://", params[name]):
                raise StripeHTTPError(400, "Not a valid URL", param=name, code="url_invalid")
        if "success_url" not in params:
            raise StripeHTTPError(
                400,
                "Missing required param: success_url.",
                param="success_url",
                code="parameter_missing",
            )
        lines = params.get("line_items")
        if not isinstance(lines, list) or not lines:
            raise StripeHTTPError(
                400,
                "Missing required param: line_items.",
                param="line_items",
                code="parameter_missing",
            )
        session_id = new_id("cs_test_", 58)
        items, currencies = [], set()
        for index, line in enumerate(lines):
            prefix = f"line_items[{index}]"
            price = line.get("price_data") if isinstance(line, dict) else None
            if not isinstance(price, dict) or not isinstance(price.get("product_data"), dict):
                raise StripeHTTPError(
                    400,
                    "You must specify either `price` or `price_data`.",
                    param=f"{prefix}[price_data]",
                )
            name = price["product_data"].get("name")
            if not name:
                raise StripeHTTPError(
                    400,
                    "Missing required param: name.",
                    param=f"{prefix}[price_data][product_data][name]",
                )
            unit = integer(price.get("unit_amount"), f"{prefix}[price_data][unit_amount]")
            quantity = integer(line.get("quantity"), f"{prefix}[quantity]", minimum=1)
            currency = price.get("currency", "")
            currencies.add(currency)
            items.append(
                {
                    "id": new_id("li_"),
                    "object": "item",
                    "description": name,
                    "quantity": quantity,
                    "currency": currency,
                    "amount_subtotal": unit * quantity,
                    "amount_total": unit * quantity,
                    "price": {"object": "price", "unit_amount": unit, "currency": currency},
                }
            )
        if len(currencies) != 1 or not re.fullmatch(r"[a-z]{3}", next(iter(currencies))):
            raise StripeHTTPError(
                400, "All line items must share one valid currency.", param="line_items"
            )
        total = sum(item["amount_total"] for item in items)
        if total < MINIMUM_CENTS:
            raise StripeHTTPError(
                400,
                "The Checkout Session's total amount due must add up to at least €0.50 eur",
                param="line_items",
            )
        now = int(standin.clock())
        expires_at = integer(params.get("expires_at", str(now + 86400)), "expires_at")
        if not now + 1800 <= expires_at <= now + 86400:
            raise StripeHTTPError(
                400,
                "The `expires_at` timestamp must be between 30 minutes "
                "and 24 hours from Checkout Session creation.",
                param="expires_at",
            )
        metadata = params.get("metadata") or {}
        intent_data = params.get("payment_intent_data") or {}
        session = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": next(iter(currencies)),
            "customer": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": metadata,
            "mode": "payment",
            "payment_intent": None,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"{standin.base_url}/c/pay/{session_id}",
            "_intent_metadata": intent_data.get("metadata") or {},
        }
        standin.sessions[session_id] = session
        standin.line_items[session_id] = items
        return public(session)

    def _get_session(self, params, session_id):
        session = self._find(self.standin.sessions, session_id, "checkout.session")
        return public(self.standin._refresh(session))

    def _expire_session(self, params, session_id):
        session = self.standin._refresh(
            self._find(self.standin.sessions, session_id, "checkout.session")
        )
        if session["status"] != "open":
            raise StripeHTTPError(
                400,
                'Only Checkout Sessions with a status in ["open"] can be '
                f"expired. This Checkout Session has a status of "
                f'"{session["status"]}".',
                code="checkout_session_not_open",
            )
        self.standin._expire(session)
        return public(session)

    def _create_refund(self, params, *_):
        standin = self.standin
        intent_id = params.get("payment_intent")
        if not intent_id and not params.get("charge"):
            raise StripeHTTPError(
                400,
                "One of the following params should be provided for this "
                "request: payment_intent or charge.",
            )
        if intent_id:
            intent = self._find(standin.payment_intents, intent_id, "payment_intent")
            if intent["status"] != "succeeded":
                raise StripeHTTPError(
                    400,
                    f"This PaymentIntent ({intent_id}) does not have a "
                    "successful charge to refund.",
                    code="charge_not_refundable",
                )
            charge = standin.charges[intent["latest_charge"]]
        else:
            charge = self._find(standin.charges, params["charge"], "charge")
        left = charge["amount"] - charge["amount_refunded"]
        amount = integer(params["amount"], "amount", minimum=1) if "amount" in params else left
        if left == 0:
            raise StripeHTTPError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        if amount > left:
            raise StripeHTTPError(
                400,
                f"Refund amount ({money(amount, charge['currency'])}) "
                "is greater than unrefunded amount on charge "
                f"({money(left, charge['currency'])})",
                param="amount",
                code="amount_too_large",
            )
        refund = {
            "id": new_id("re_test_"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": int(standin.clock()),
            "currency": charge["currency"],
            "metadata": params.get("metadata") or {},
            "payment_intent": charge["payment_intent"],
            "reason": params.get("reason"),
            "status": "succeeded",
        }
        standin.refunds[refund["id"]] = refund
        before = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        idempotency_key = self.headers.get("Idempotency-Key")
        standin._emit(
            "charge.refunded", charge, previous_attributes=before, idempotency_key=idempotency_key
        )
        standin._emit("refund.created", refund, idempotency_key=idempotency_key)
        return refund

    def _get_refund(self, params, refund_id):
        return self._find(self.standin.refunds, refund_id, "refund")

    def _get_intent(self, params, intent_id):
        return self._find(self.standin.payment_intents, intent_id, "payment_intent")

    # --- the hosted checkout page -------------------------------------------------------------

    def _page(self, method, session_id, raw):
        standin = self.standin
        session = standin.sessions.get(session_id)
        if session is None:
            return self._html(404, "<h1>Not found</h1>")
        with standin._lock:
            standin._refresh(session)
        if session["status"] != "open":
            return self._html(410, "<h1>This Checkout Session is no longer active.</h1>")
        if method != "POST":
            return self._html(200, hosted_page(standin, session), whole=True)
        form = dict(parse_qsl(raw))
        try:
            standin.pay(
                session_id, method=form.get("method", "card"), card=form.get("card_number", "")
            )
        except StripeHTTPError as exc:
            return self._html(exc.status, hosted_page(standin, session, str(exc)), whole=True)
        self.send_response(303)
        self.send_header("Location", redirect_target(session))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _html(self, status, text, whole=False):
        if not whole:
            text = (
                f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>Checkout</title></head><body><main>{text}</main></body></html>"
            )
        self._send(status, text.encode(), "text/html; charset=utf-8")


def _fingerprint(method, path, raw) -> str:
    return hashlib.sha256(f"{method} {path}\n{raw}".encode()).hexdigest()
