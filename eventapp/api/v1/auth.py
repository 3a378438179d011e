"""Who calls /api/v1: the token in `Authorization: Bearer <secret>`, and nothing else. The
browser's session cookie carries no authority here (so the API needs no CSRF token: a page of
another site cannot make the browser send a bearer token). A valid token becomes the request's
actor (eventapp.services.api.tokens.TokenActor): Flask-Login's current user, which every guard
and every permission rule reads."""

from __future__ import annotations

import hashlib

from flask import g, request
from flask_limiter.util import get_remote_address

from eventapp.extensions import login_manager
from eventapp.services.api import tokens

PREFIX = "/api/v1/"


def presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def rate_key() -> str:
    """Rate limits count per token (a digest of what was presented: the secret never reaches
    the limiter's storage), per address without one."""
    secret = presented_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api-address:" + (get_remote_address() or "")


def _load_actor() -> None:
    if not request.path.startswith(PREFIX):
        return
    secret = presented_secret()
    token = tokens.authenticate(secret) if secret else None
    g.api_token = token  # also None: `g` may outlive a request (an app context around it)
    if token is None:
        g._login_user = login_manager.anonymous_user()
        return
    tokens.note_use(token)
    g._login_user = tokens.TokenActor(token)


def current_token():
    return g.get("api_token")


def init_app(app) -> None:
    # First of all hooks: the two-factor rule and the guards see the token's actor.
    app.before_request_funcs.setdefault(None, []).insert(0, _load_actor)
