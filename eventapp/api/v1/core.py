"""The flask-smorest Api of /api/v1: one per app (create_app may build several in a process),
the blueprints of the resources registered on it, the OpenAPI document generated from their
schemas at /api/v1/openapi.json and a documentation page rendered from that document by our
own template (local, no CDN, no script).

A resource module makes its blueprint with `blueprint(name, description)`, which gives it the
API's error shape, ETags, the per-token rate limit and the CSRF exemption (authentication is by
token only, see auth.py). Adding a read-only resource is a module like reads.py: a schema, a
blueprint, a guarded view, and its name in RESOURCES."""

from __future__ import annotations

import importlib

from flask import Blueprint as FlaskBlueprint
from flask import current_app, render_template
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint

from eventapp.api.v1 import auth, errors, idempotency, paging
from eventapp.extensions import csrf, limiter
from eventapp.permissions import guard
from eventapp.routing import IdConverter

URL_PREFIX = "/api/v1"
RESOURCES = ("public", "events", "attendees", "checkin", "reads", "programme", "invoices")
_blueprints: list[SmorestBlueprint] = []

SECURITY_SCHEMES = {"token": {"type": "http", "scheme": "bearer", "description": "An API token."}}


class EventApi(Api):
    """flask-smorest's Api without its app-wide error handlers (the app keeps its own pages;
    the API's blueprints answer problems, errors.py) nor its documentation blueprint (ours
    below is guarded like every endpoint)."""

    def _register_error_handlers(self):
        pass

    def _register_doc_blueprint(self):
        pass


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def blueprint(name: str, description: str) -> SmorestBlueprint:
    bp = SmorestBlueprint(f"v1_{name}", __name__, url_prefix=URL_PREFIX, description=description)
    errors.init_blueprint(bp)
    paging.init_blueprint(bp)
    csrf.exempt(bp)
    limiter.shared_limit(_rate_limit, scope="api_v1", key_func=auth.rate_key)(bp)
    _blueprints.append(bp)
    return bp


docs = FlaskBlueprint("api_docs", __name__, url_prefix=URL_PREFIX)
csrf.exempt(docs)


@docs.get("/openapi.json")
@guard.public
def openapi_json():
    """The OpenAPI document, generated from the code."""
    return current_app.extensions["eventapp.api"].spec.to_dict()


@docs.get("/docs")
@guard.public
def documentation():
    """The documentation page: the same document, as HTML."""
    spec = current_app.extensions["eventapp.api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec, operations=_operations(spec))


def _operations(spec: dict) -> list[dict]:
    found = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or [""])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "body": operation.get("requestBody"),
                    "responses": operation.get("responses", {}),
                    "security": operation.get("security"),
                }
            )
    return sorted(found, key=lambda op: (op["tag"], op["path"], op["method"]))


def init_app(app) -> None:
    app.config.setdefault("API_TITLE", "eventapp")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": SECURITY_SCHEMES},
            "info": {
                "description": (
                    "The eventapp REST API. Authenticate with `Authorization: Bearer <token>` "
                    "(an organisation's settings, API tokens). Errors are RFC 9457 problems; "
                    "lists are pages of at most 100 items with a cursor; writes accept an "
                    "`Idempotency-Key` header."
                )
            },
        },
    )
    for name in RESOURCES:
        importlib.import_module(f"eventapp.api.v1.{name}")
    api = EventApi(app)
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1})
    for bp in _blueprints:
        api.register_blueprint(bp)
    app.register_blueprint(docs)
    app.extensions["eventapp.api"] = api
    auth.init_app(app)
    errors.init_app(app)
    idempotency.init_app(app)
