"""Friendly error pages (HTML for people, JSON under /api) for every 4xx/5xx we produce."""

import logging
import math
import time

from flask import g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from eventapp import database
from eventapp.database import commit_state
from eventapp.extensions import limiter, login_manager

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check and try again."),
    ),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Access denied"), _l("You are not allowed to see this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available.")),
    405: (_l("Method not allowed"), _l("This action is not possible on this page.")),
    409: (_l("Conflict"), _l("This change conflicts with the current state. Reload and retry.")),
    410: (_l("No longer available"), _l("This link has expired or is no longer valid.")),
    413: (_l("File too large"), _l("The file you sent is too large (10 MB at most).")),
    422: (_l("Invalid data"), _l("Some of the data sent is not valid.")),
    429: (
        _l("Too many attempts"),
        _l("You have made too many requests. Please wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. We have been notified.")),
    503: (
        _l("Service temporarily unavailable"),
        _l("The service is briefly unavailable. Nothing was saved; please try again in a moment."),
    ),
}
# The 503 says what happened to what was sent (issue 20, point 6): a person told "nothing was
# saved" registers again, or gives up, although their registration was saved.
OUTAGE_MESSAGES = {
    "read": _l("The service is briefly unavailable. Please try again in a moment."),
    "started": _l(
        "The service is briefly unavailable and we could not confirm that what you sent was "
        "saved. Before sending it again, check your e-mail: a saved registration's "
        "confirmation carries its link to manage it."
    ),
    "done": _l(
        "What you sent was saved, but the page could not be shown. A registration's "
        "confirmation e-mail carries its link to manage it."
    ),
}
CSRF_MESSAGE = _l(
    "Your session has expired or the form was sent twice. Please reload the page and try again."
)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _user_or_anonymous() -> None:
    """Load the logged-in user for the page's header now; if the database is what is failing,
    show the page as to an anonymous visitor instead of failing again while rendering it."""
    if "_login_user" in g:
        return
    try:
        current_user._get_current_object()
    except (OperationalError, InterfaceError):
        database.rollback_request()  # that query failed: the session is usable again
        g._login_user = login_manager.anonymous_user()


def render_error(code: int, message: str | None = None, headers: dict | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    message = str(message or default_message)
    if _wants_json():
        response = jsonify(error={"code": code, "title": str(title), "message": message})
        response.status_code = code
    else:
        _user_or_anonymous()
        response = make_response(
            render_template("errors/error.html", code=code, title=title, message=message), code
        )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def outage_message():
    """The 503's message: nothing saved (a write that never reached its commit), maybe saved
    (the commit was sent when the database went away), saved (it failed afterwards), or
    nothing to save (a page that only reads)."""
    state = commit_state()
    if state in OUTAGE_MESSAGES:
        return OUTAGE_MESSAGES[state]
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return OUTAGE_MESSAGES["read"]
    return None  # MESSAGES[503]: nothing was saved


def _seconds_until_allowed() -> int:
    """Seconds until the Flask-Limiter limit that refused this request lets one through again
    (60 for a 429 raised some other way)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(math.ceil(current.reset_at - time.time()), 1)


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        headers = {}
        if error.code == 429:
            headers["Retry-After"] = str(_seconds_until_allowed())
        elif isinstance(error, ServiceUnavailable):
            headers["Retry-After"] = "5"
        if getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        # Messages we raise ourselves with abort(code, description) are shown; Werkzeug's
        # English defaults are replaced by our translated ones.
        description = error.description
        # Flask-Limiter's default description is the limit itself ("5 per 15 minute"): not for
        # people. A limit's own error_message (translated) is shown.
        limit = getattr(error, "limit", None)
        if description == type(error).description or (
            limit is not None and not limit.error_message
        ):
            description = None
        if isinstance(error, ServiceUnavailable) and description is None:
            description = outage_message()
        return render_error(error.code or 500, description, headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(error):
        # Unreachable or locked database: nothing half-written (the request has rolled back
        # before this handler, eventapp/webapp.py), say so and ask to retry.
        if "_login_user" not in g:
            # The user could not be loaded (that is what failed): the page is shown as to an
            # anonymous visitor, or rendering it would query the database again and fail.
            g._login_user = login_manager.anonymous_user()
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
        return render_error(503, outage_message(), headers={"Retry-After": "5"})

    @app.errorhandler(InternalServerError)
    def _internal(error):
        # the request has rolled back (eventapp/webapp.py)
        saved = OUTAGE_MESSAGES["done"] if commit_state() == "done" else None
        return render_error(500, saved)
