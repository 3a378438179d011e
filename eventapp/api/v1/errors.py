"""One error shape for /api/v1: an RFC 9457 problem (application/problem+json) with `type`,
`title`, `status`, `detail`, `code` and, for invalid input, `errors`: marshmallow's messages by
location and field, translated into the reader's language."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, NotFound

from eventapp import problems
from eventapp.errors import MESSAGES, _seconds_until_allowed
from eventapp.problems import PROBLEM_TYPE
from eventapp.services.errors import ServiceError

# marshmallow's and webargs' own messages, translated (the others are ours, translated at
# the source).
FIELD_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Unknown field.": _l("Unknown field."),
    "Field may not be null.": _l("This field may not be empty."),
    "Not a valid string.": _l("Not a valid text."),
    "Not a valid integer.": _l("Not a valid whole number."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid datetime.": _l("Not a valid date and time (ISO 8601)."),
    "Not a valid date.": _l("Not a valid date (YYYY-MM-DD)."),
    "Not a valid email address.": _l("Not a valid e-mail address."),
    "Not a valid number.": _l("Not a valid number."),
    "Invalid input type.": _l("Invalid input type."),
    "Invalid JSON body.": _l("The body is not valid JSON."),
    "Invalid value.": _l("Invalid value."),
    "Shorter than minimum length 1.": _l("This field may not be empty."),
}
PREFIXES = {
    "Must be one of:": _l("Must be one of: %(choices)s."),
    "Longer than maximum length": _l("Too long (%(choices)s characters at most)."),
    "Must be greater than or equal to": _l("Too small (at least %(choices)s)."),
    "Must be less than or equal to": _l("Too large (at most %(choices)s)."),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


def translate(message: str) -> str:
    known = FIELD_MESSAGES.get(message)
    if known is not None:
        return str(known)
    for prefix, template in PREFIXES.items():
        if message.startswith(prefix):
            rest = message[len(prefix) :].strip().rstrip(".")
            if rest.startswith("maximum length"):
                rest = rest.removeprefix("maximum length").strip()
            return str(template) % {"choices": rest}
    return message


def _translated(messages):
    if isinstance(messages, dict):
        return {str(key): _translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_translated(value) for value in messages]
    return translate(str(messages))


def problem(status: int, detail: str | None = None, *, code: str | None = None, **extra):
    title = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])[0]
    code = code or CODES.get(status, "error")
    body = {
        "type": PROBLEM_TYPE + "api." + code,
        "title": str(title),
        "status": status,
        "detail": str(detail or MESSAGES.get(status, MESSAGES[400])[1]),
        "code": "api." + code,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _no_such_resource() -> bool:
    """Werkzeug answers 405 for PATCH /events/99999999999 (an id past the bounded converter)
    when another method's rule has the same shape; no rule takes that URL: it is a 404."""
    adapter = current_app.url_map.bind("localhost")
    for method in ("GET", "POST", "PATCH", "DELETE"):
        try:
            adapter.match(request.path, method=method)
            return False
        except HTTPException:
            continue
    return True


def http_problem(error: HTTPException):
    """An HTTPException (abort(), webargs' 422, Flask-Limiter's 429) as a problem."""
    if error.code == 405 and _no_such_resource():
        error = NotFound()
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    extra = {}
    detail = error.description if error.description != type(error).description else None
    if "messages" in data:  # webargs: {"json": {"field": ["message"]}}
        extra["errors"] = _translated(data["messages"])
        detail = _("Some of the data sent is not valid: see `errors`.")
    if getattr(error, "limit", None) is not None:
        detail = None  # Flask-Limiter's description is the limit ("600 per minute")
    response = problem(status, detail, **extra)
    if status == 429:
        response.headers["Retry-After"] = str(_seconds_until_allowed())
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eventapp"'
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def service_problem(error: ServiceError):
    """A rule error (services/errors.py) as the app's one problem shape, with `errors` when it
    names the input it is about (a dotted path: "answers.diet" is {"answers": {"diet": ...}}),
    as webargs names invalid input."""
    response = problems.problem(error)
    if error.field:
        body = response.get_json()
        *path, last = error.field.split(".")
        errors = {last: [error.message]}
        for name in reversed(path):
            errors = {name: errors}
        body["errors"] = {"json": errors}
        response.set_data(jsonify(body).get_data())
    return response


def init_blueprint(bp) -> None:
    bp.register_error_handler(HTTPException, http_problem)
    bp.register_error_handler(ServiceError, service_problem)


def init_app(app) -> None:
    """URLs under /api/v1/ that match no rule (404, 405) are problems too; every other path is
    answered by the app's own HTTPException handler, as before (looked up when it answers:
    it is registered after the blueprints)."""

    def answer(error: HTTPException):
        if request.path.startswith("/api/v1/"):
            return http_problem(error)
        return current_app.error_handler_spec[None][None][HTTPException](error)

    app.register_error_handler(404, answer)
    app.register_error_handler(405, answer)
