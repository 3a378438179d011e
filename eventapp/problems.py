"""How a ServiceError (eventapp/services/errors.py) is answered: one handler, by what the
request asked for. The view does not catch it; it says how its page answers one, if it has a
say, with one of two blocks:

    def page(status=200):
        return render_template("organiser/event_form.html", form=form, event=event), status

    if form.validate_on_submit():
        with keep_form(form, page):            # the form again, with the message on it
            event_service.update_event(event, form.to_data(), user=current_user)
        ...

    with flash_and_redirect(back_url(event, registration)):   # an action button
        registration_service.promote(registration, user=current_user)

The request has rolled back before the handler runs (eventapp/webapp.py). The answer:

- JSON (under /api/, or Accept: application/json): an RFC 9457 problem, `type`, `title`,
  `status`, `detail` and `code` ("registration.full"), as application/problem+json;
- inside `keep_form`: the view's page rendered again with what was typed, the message under
  the field the error names (`error.field`) or, without one, as a flash message on the page,
  and the error's status (409 conflict, 422 invalid input, ...);
- inside `flash_and_redirect`: the message flashed, and a redirect (the action's page);
- elsewhere: the error page with the message and the error's status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import flash, jsonify, redirect, request

from eventapp.errors import MESSAGES, render_error
from eventapp.services.errors import ServiceError

PROBLEM_TYPE = "tag:eventapp,2025:problem:"  # + "registration.full": names, not pages


@contextmanager
def keep_form(
    form, render: Callable[[int], object], *, form_errors: bool = False
) -> Iterator[None]:
    """A ServiceError raised inside is answered with `render(status)`, the view's page, after
    the message is put on `form` (see the module docstring). With `form_errors=True` a message
    that names no field goes to `form.form_errors` (for a page that shows them next to the
    form, like the check-in desk's walk-in) instead of a flash."""
    try:
        yield
    except ServiceError as error:
        error.form, error.render = form, render
        error.form_errors = form_errors
        raise


@contextmanager
def flash_and_redirect(url: str) -> Iterator[None]:
    """A ServiceError raised inside is answered with its message flashed and a redirect to
    `url`."""
    try:
        yield
    except ServiceError as error:
        error.redirect_to = url
        raise


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(error: ServiceError):
    title = MESSAGES.get(error.status, MESSAGES[409])[0]
    response = jsonify(
        type=PROBLEM_TYPE + error.qualified_code,
        title=str(title),
        status=error.status,
        detail=error.message,
        code=error.qualified_code,
    )
    response.status_code = error.status
    response.mimetype = "application/problem+json"
    return response


def _on_form(error: ServiceError) -> None:
    target = getattr(error.form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    elif getattr(error, "form_errors", False):
        error.form.form_errors.append(error.message)
    else:
        flash(error.message, "error")


def answer(error: ServiceError):
    """The app's one ServiceError handler (see init_app)."""
    if wants_json():
        return problem(error)
    if error.render is not None:
        _on_form(error)
        return error.render(error.status)
    if error.redirect_to is not None:
        flash(error.message, "error")
        return redirect(error.redirect_to)
    return render_error(error.status, error.message)


def init_app(app) -> None:
    app.register_error_handler(ServiceError, answer)
