"""View guards: one decorator per kind of page, each of which checks and declares.

    @bp.get("/events/<id:event_id>/attendees/<id:registration_id>")
    @guard.registration(Perm.ATTENDEES_VIEW)
    def attendee(event, registration): ...

A guarded view's wrapper carries `access` (an `Access`): what it checks. `init_app` refuses
(403) any request to an endpoint without one, and tests/security/test_declarations.py walks
app.url_map so a new endpoint without a declaration fails the suite: deny by default.

The actor is the session's user (`current_actor()`); the checks themselves are the functions
of eventapp.permissions.rules, which take the actor explicitly. Anonymous callers are sent to
the login page (a 401 JSON error under /api/); a signed-in actor without the permission gets
404 for an event (its existence is not disclosed), 403 for an organisation-level page.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from enum import StrEnum

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db, login_manager
from eventapp.models import Event, Organisation, Registration
from eventapp.permissions.rules import (
    Perm,
    accessible_events_clause,
    is_signed_in,
    load_event,
    organisations_clause,
    permissions_on,
)
from eventapp.services import tokens

log = logging.getLogger(__name__)


class AccessKind(StrEnum):
    PUBLIC = "public"  # anyone: catalogue, login page, probes
    MANAGE_LINK = "manage_link"  # the participant's secret link /r/<token>
    BOOKING_LINK = "booking_link"  # the booker's secret link /b/<token>
    SIGNED_IN = "signed_in"  # any signed-in account: dashboard, own password
    ADMIN = "admin"  # a signed-in platform administrator (organisations, the dev outbox)
    ORGANISATIONS = "organisations"  # an organisation-level permission somewhere
    ORGANISATION = "organisation"  # an organisation-level permission in the one in the URL
    EVENT = "event"  # a permission on the event in the URL (event_id)
    TOUR = "tour"  # the same, or for a tour: on at least one of its stages
    REGISTRATION = "registration"  # on the event, and the registration is one of its


@dataclass(frozen=True)
class Access:
    kind: AccessKind
    perm: Perm | None = None

    @property
    def signed_in(self) -> bool:
        """Whether the guard refuses anonymous callers."""
        return self.kind not in (
            AccessKind.PUBLIC,
            AccessKind.MANAGE_LINK,
            AccessKind.BOOKING_LINK,
        )


def declared(view) -> Access | None:
    return getattr(view, "access", None)


def _declare(view, access: Access):
    if declared(view) is not None:
        raise TypeError(f"{view.__name__} is guarded twice")
    view.access = access
    return view


def current_actor():
    """The request's actor: Flask-Login's current user (anonymous when nobody is logged in).
    An API token will be loaded the same way (a Flask-Login request loader), so every guard
    and every per-request cache below speaks of this one actor."""
    return current_user._get_current_object()


def _login_first():
    if request.path.startswith("/api/v1/"):
        abort(401, _("Send a valid API token: Authorization: Bearer <token>."))
    if request.path.startswith("/api/"):
        abort(401, _("Log in to the organiser workspace first."))
    return login_manager.unauthorized()


def _signed_in_view(access: Access, load):
    """A wrapper that refuses anonymous callers, then lets `load(actor, kwargs)` turn the URL's
    arguments into the view's (aborting with 403/404)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            actor = current_actor()
            if not is_signed_in(actor):
                return _login_first()
            return view(**load(actor, kwargs))

        return _declare(wrapper, access)

    return decorator


def _remember(event: Event, perms: frozenset) -> None:
    g.setdefault("event_permissions", {})[event.id] = perms


def event_permissions(event: Event) -> frozenset[Perm]:
    """What the session's actor may do on `event`: remembered from its guard for this request,
    asked otherwise."""
    known = g.setdefault("event_permissions", {})
    if event.id not in known:
        known[event.id] = permissions_on(current_actor(), event)
    return known[event.id]


def event_or_404(actor, perm: Perm, event_id) -> Event:
    """The event if `actor` holds `perm` on it; 404 otherwise (also for a missing event)."""
    event, perms = load_event(actor, event_id) if isinstance(event_id, int) else (None, ())
    if event is None or perm not in perms:
        abort(404)
    _remember(event, perms)
    return event


def stages_for(actor, perm: Perm, tour: Event) -> list[Event]:
    """The stages of `tour` on which `actor` holds `perm`, in tour order."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.parent_id == tour.id, accessible_events_clause(actor, perm))
            .order_by(Event.position, Event.starts_at)
        )
    )


# --- the decorators ---------------------------------------------------------------------------


def public(view):
    """Anyone may call it (it shows nothing private, or checks its own credential: a login
    form, a password-reset token)."""
    return _declare(view, Access(AccessKind.PUBLIC))


def manage_link(view):
    """A participant's page under /r/<token>: the view gets `registration` (and `token`).
    Unknown or erased token: 404; expired link: 410 with an explanation."""

    @functools.wraps(view)
    def wrapper(token: str, **kwargs):
        found = tokens.lookup(token)
        if found.state == "unknown":
            abort(404)
        if found.state == "expired":
            abort(410, description=str(tokens.EXPIRED_MESSAGE))
        return view(registration=found.registration, token=token, **kwargs)

    return _declare(wrapper, Access(AccessKind.MANAGE_LINK))


def booking_link(view):
    """The booker's page under /b/<token>: the view gets `booking` (and `token`). Unknown or
    erased token: 404; expired link: 410 with an explanation."""

    @functools.wraps(view)
    def wrapper(token: str, **kwargs):
        found = tokens.lookup_booking(token)
        if found.state == "unknown":
            abort(404)
        if found.state == "expired":
            abort(410, description=str(tokens.EXPIRED_MESSAGE))
        return view(booking=found.booking, token=token, **kwargs)

    return _declare(wrapper, Access(AccessKind.BOOKING_LINK))


def signed_in(view):
    """Any signed-in, active account (what it shows is filtered by permission inside)."""
    return _signed_in_view(Access(AccessKind.SIGNED_IN), lambda _actor, kwargs: kwargs)(view)


def admin(view):
    """A signed-in platform administrator only (others signed in: 403)."""

    def load(actor, kwargs):
        if not getattr(actor, "is_admin", False):
            abort(403)
        return kwargs

    return _signed_in_view(Access(AccessKind.ADMIN), load)(view)


# Why an organisation-level page is refused, when there is more to say than "access denied".
DENIED = {
    Perm.EVENT_CREATE: lambda: _("Only managers of an organisation can create events."),
}


def organisations(perm: Perm):
    """An organisation-level page: the view gets `organisations`, those in which the actor
    holds `perm` (by name); 403 if there is none."""
    if not perm.on_organisation:
        raise ValueError(f"{perm} is an event permission")

    def load(actor, kwargs):
        found = list(
            db.session.scalars(
                select(Organisation)
                .where(organisations_clause(actor, perm))
                .order_by(Organisation.name)
            )
        )
        if not found:
            message = DENIED.get(perm)
            abort(403, message() if message else None)
        return {**kwargs, "organisations": found}

    return _signed_in_view(Access(AccessKind.ORGANISATIONS, perm), load)


def organisation(perm: Perm):
    """A page of the organisation in the URL (`org_id`): the view gets `organisation`; 404
    unless the actor holds `perm` in it (admins hold every permission)."""
    if not perm.on_organisation:
        raise ValueError(f"{perm} is an event permission")

    def load(actor, kwargs):
        org_id = kwargs.pop("org_id")
        found = db.session.scalar(
            select(Organisation).where(Organisation.id == org_id, organisations_clause(actor, perm))
        )
        if found is None:
            abort(404)
        return {**kwargs, "organisation": found}

    return _signed_in_view(Access(AccessKind.ORGANISATION, perm), load)


def _event_perm(perm: Perm) -> Perm:
    if perm.on_organisation:
        raise ValueError(f"{perm} is an organisation permission")
    return perm


def event(perm: Perm):
    """A page of the event in the URL (`event_id`): the view gets `event`; 404 unless the actor
    holds `perm` on it."""
    perm = _event_perm(perm)

    def load(actor, kwargs):
        found = event_or_404(actor, perm, kwargs.pop("event_id"))
        return {**kwargs, "event": found}

    return _signed_in_view(Access(AccessKind.EVENT, perm), load)


def tour(perm: Perm):
    """Like `event`, but a tour also opens to those who hold `perm` on one of its stages only.
    The view gets `event` and `scope`: [event] for an event, the stages on which the actor
    holds `perm` for a tour."""
    perm = _event_perm(perm)

    def load(actor, kwargs):
        event_id = kwargs.pop("event_id")
        found, perms = load_event(actor, event_id)
        if found is None:
            abort(404)
        _remember(found, perms)
        if not found.is_tour:
            if perm not in perms:
                abort(404)
            return {**kwargs, "event": found, "scope": [found]}
        stages = stages_for(actor, perm, found)
        if perm not in perms and not stages:
            abort(404)
        return {**kwargs, "event": found, "scope": stages}

    return _signed_in_view(Access(AccessKind.TOUR, perm), load)


def registration(perm: Perm):
    """A page of one registration (`event_id`, `registration_id`): the view gets `event` and
    `registration`; 404 unless the actor holds `perm` on the event and the registration is
    one of its."""
    perm = _event_perm(perm)

    def load(actor, kwargs):
        found = event_or_404(actor, perm, kwargs.pop("event_id"))
        person = db.session.get(Registration, kwargs.pop("registration_id"))
        if person is None or person.event_id != found.id:
            abort(404)
        return {**kwargs, "event": found, "registration": person}

    return _signed_in_view(Access(AccessKind.REGISTRATION, perm), load)


# --- deny by default --------------------------------------------------------------------------


def _refuse_undeclared():
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    if declared(current_app.view_functions.get(endpoint)) is None:
        log.error("endpoint %s declares no access rule: refused", endpoint)
        abort(403)
    return None


def init_app(app) -> None:
    """Refuse any endpoint that declares no access rule; give templates `Perm`."""
    app.before_request(_refuse_undeclared)
    app.jinja_env.globals["Perm"] = Perm
