"""The card provider's webhook. The body is believed only after the provider's own signature
check (a bad signature: 400, nothing changes); each event is applied once (its id is stored
with the change), so a delivery repeated by the provider changes nothing the second time."""

from __future__ import annotations

from flask import abort, current_app, jsonify, request

from eventapp.extensions import csrf
from eventapp.fees.blueprint import bp
from eventapp.permissions import guard
from eventapp.services.fees import cards
from eventapp.services.fees.payments import apply_event
from eventapp.services.payments.providers import WebhookPayloadError, WebhookSignatureError


@bp.post("/payments/stripe/webhook")
@csrf.exempt  # signed by Stripe instead
@guard.public
def stripe_webhook():
    if not cards.enabled():
        abort(404)
    body = request.get_data(cache=False)
    try:
        events = cards.provider().parse_webhook(body, request.headers)
    except (WebhookSignatureError, WebhookPayloadError) as error:
        current_app.logger.warning("stripe webhook refused: %s", error.code)
        return jsonify({"error": error.code}), 400
    outcomes = [apply_event(event) for event in events]
    return jsonify({"received": len(events), "outcomes": outcomes})
