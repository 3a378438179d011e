"""Stripe's wire format for the stand-in: form decoding, errors, the hosted checkout page."""

from __future__ import annotations

import html
import itertools
import re
from urllib.parse import parse_qsl

MINIMUM_CENTS = 50  # Stripe's minimum charge in EUR
DECLINED_CARD = "4000000000000002"
SESSION_PARAMS = {
    "mode",
    "line_items",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "metadata",
    "payment_intent_data",
    "customer_email",
    "locale",
    "expires_at",
    "payment_method_types",
    "expand",
}


class StripeHTTPError(Exception):
    def __init__(self, status, message, *, type_="invalid_request_error", param=None, code=None):
        super().__init__(message)
        self.status = status
        self.error = {"type": type_, "message": message}
        if param:
            self.error["param"] = param
        if code:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"


def decode_form(body: str) -> dict:
    """Stripe's bracket notation (``line_items[0][price_data][currency]=eur``) as nested
    dicts, index-keyed dicts turned into lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True, strict_parsing=False):
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if not match:
            raise StripeHTTPError(400, f"Invalid parameter name: {key}")
        parts = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])]
        node = root
        for part, following in itertools.pairwise(parts):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise StripeHTTPError(400, f"Invalid parameter: {key}")
            if following == "":  # expand[]=x
                node.setdefault("", []).append(value)
                break
        else:
            node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    if set(node) == {""}:
        return node[""]
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def integer(value, param: str, minimum: int = 0) -> int:
    if not (isinstance(value, str) and re.fullmatch(r"-?\d+", value)):
        raise StripeHTTPError(400, f"Invalid integer: {value}", param=param)
    if int(value) < minimum:
        raise StripeHTTPError(
            400, f"This value must be greater than or equal to {minimum}.", param=param
        )
    return int(value)


def money(cents: int, currency: str) -> str:
    units, rest = divmod(cents, 100)
    return f"{currency.upper()} {units}.{rest:02d}"


def public(session: dict) -> dict:
    return {key: value for key, value in session.items() if not key.startswith("_")}


def hosted_page(standin, session: dict, error: str | None = None) -> str:
    items = standin.line_items[session["id"]]
    rows = "".join(
        f"<tr><td>{html.escape(item['description'])}</td><td>{item['quantity']}</td>"
        f"<td>{money(item['amount_total'], item['currency'])}</td></tr>"
        for item in items
    )
    total = money(session["amount_total"], session["currency"])
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    cancel = html.escape(session["cancel_url"] or "/", quote=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay {total} (Stripe test stand-in)</title></head>
<body><main>
<h1>Test mode checkout</h1>
<table><caption>Your order</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col">Amount</th></tr></thead>
<tbody>{rows}</tbody></table>
<p>Total: <strong>{total}</strong></p>
{alert}
<form method="post" action="/c/pay/{html.escape(session["id"])}">
<p><label for="card_number">Card number</label>
<input id="card_number" name="card_number" value="4242 4242 4242 4242" inputmode="numeric"
 autocomplete="cc-number"></p>
<p><button type="submit" name="method" value="card">Pay {total}</button></p>
<p><button type="submit" name="method" value="sepa_debit">Pay by SEPA Direct Debit</button></p>
</form>
<p><a href="{cancel}">Cancel</a></p>
</main></body></html>"""


def redirect_target(session: dict) -> str:
    return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
