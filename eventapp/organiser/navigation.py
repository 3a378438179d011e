"""Permission checks for organiser views, on top of eventapp.permissions.

Every view that takes an event or a registration loads it through here, so the check can not be
forgotten: another organisation's event (or a registration of it) answers 404. The decorators
mark the view with the need they require (`view.organiser_need`), which the permission tests use
to prove check-in staff cannot reach management pages.

The event sub-navigation is a registry: a feature adds its tab with `event_tab(...)` (the
check-in desk adds "Check-in") without editing the templates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import abort, g, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import exists, or_, select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event, Registration
from eventapp.permissions import (
    Need,
    accessible_events_clause,
    can_access_event,
    require_event_access,
)


def requires(need: Need):
    """Mark a view that does its own loading with the need it checks (for the tests)."""

    def decorator(view):
        view.organiser_need = need
        return view

    return decorator


def require_event(event_id: int, need: Need = Need.MANAGE) -> Event:
    """require_event_access, remembering for this request that the check passed (so the
    sub-navigation does not ask the database again)."""
    event = require_event_access(event_id, need)
    granted = g.setdefault("organiser_granted", {}).setdefault(event.id, set())
    granted.add(need)
    if need == Need.MANAGE:
        granted.add(Need.CHECKIN)
    return event


def event_view(need: Need = Need.MANAGE):
    """Decorator for views with an `event_id` URL parameter: passes `event` instead, loaded
    through require_event_access (404 for anyone who may not access it for `need`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(event_id: int, **kwargs):
            event = require_event(event_id, need)
            return view(event=event, **kwargs)

        wrapper.organiser_need = need
        return wrapper

    return decorator


def registration_view(need: Need = Need.MANAGE):
    """Decorator for views with `event_id` and `registration_id`: passes `event` and
    `registration` (404 unless the registration belongs to that accessible event)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(event_id: int, registration_id: int, **kwargs):
            event = require_event(event_id, need)
            registration = db.session.get(Registration, registration_id)
            if registration is None or registration.event_id != event.id:
                abort(404)
            return view(event=event, registration=registration, **kwargs)

        wrapper.organiser_need = need
        return wrapper

    return decorator


def require_tour_overview(tour_id: int) -> Event:
    """A tour whose overview the user may see: they manage the tour itself or at least one of
    its stages (they then see only those stages)."""
    if not current_user.is_authenticated:
        abort(401)
    clause = accessible_events_clause(current_user, Need.MANAGE)
    stage = Event.__table__.alias("stage")
    accessible_stage = exists(
        select(stage.c.id).where(
            stage.c.parent_id == Event.id,
            stage.c.id.in_(select(Event.id).where(clause)),
        )
    )
    tour = db.session.scalar(
        select(Event).where(
            Event.id == tour_id, Event.kind == "tour", or_(clause, accessible_stage)
        )
    )
    if tour is None:
        abort(404)
    return tour


def tour_view(view):
    """Decorator for tour overviews (`event_id` is the tour): see require_tour_overview."""

    @functools.wraps(view)
    def wrapper(event_id: int, **kwargs):
        return view(event=require_tour_overview(event_id), **kwargs)

    wrapper.organiser_need = Need.MANAGE
    return wrapper


def accessible_stages(tour: Event) -> list[Event]:
    """The stages of a tour the current user may manage, in tour order."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.parent_id == tour.id, accessible_events_clause(current_user, Need.MANAGE))
            .order_by(Event.position, Event.starts_at)
        )
    )


# --- event sub-navigation -------------------------------------------------------------------


@dataclass(frozen=True)
class EventTab:
    endpoint: str
    label: object  # a lazy string
    need: Need = Need.MANAGE
    for_events: bool = True
    # Tours have no attendees of their own: which tabs a tour shows, and which a manager of
    # some of its stages (not of the tour) sees.
    for_tours: bool = False
    for_stage_managers: bool = False


EVENT_TABS: list[EventTab] = []


def event_tab(endpoint: str, label, need: Need = Need.MANAGE, **kw) -> None:
    """Add a tab to every event's sub-navigation (in the order added), e.g. from the check-in
    feature: event_tab("organiser.checkin", _l("Check-in"), Need.CHECKIN)."""
    if all(tab.endpoint != endpoint for tab in EVENT_TABS):
        EVENT_TABS.append(EventTab(endpoint, label, need, **kw))


event_tab("organiser.event_overview", _l("Overview"), for_tours=True, for_stage_managers=True)
event_tab("organiser.attendees", _l("Attendees"), for_tours=True, for_stage_managers=True)
event_tab("organiser.statistics", _l("Statistics"))
event_tab("organiser.import_upload", _l("Import"))
event_tab("organiser.mailings", _l("Messages"))
event_tab("organiser.event_edit", _l("Settings"), for_tours=True)
event_tab("organiser.audit_log", _l("History"), for_tours=True)


def event_needs(event: Event) -> set[Need]:
    """What the current user may do on this event."""
    granted = g.get("organiser_granted", {}).get(event.id, set())
    if Need.MANAGE in granted:
        return {Need.MANAGE, Need.CHECKIN}
    if can_access_event(current_user, event, Need.MANAGE):
        return {Need.MANAGE, Need.CHECKIN}
    return {Need.CHECKIN} if can_access_event(current_user, event, Need.CHECKIN) else set()


def tabs_for(event: Event, needs: set[Need]) -> list[EventTab]:
    """The tabs to show on an event's pages for a user holding `needs` on it."""
    if event.is_tour:
        if Need.MANAGE in needs:
            return [tab for tab in EVENT_TABS if tab.for_tours and tab.need in needs]
        return [tab for tab in EVENT_TABS if tab.for_stage_managers]
    return [tab for tab in EVENT_TABS if tab.for_events and tab.need in needs]


def render_event(
    template: str, event: Event, *, status: int = 200, current_tab: str | None = None, **context
):
    """Render an event page with its sub-navigation (`current_tab`: the tab to mark as
    current, by default the one of this endpoint)."""
    needs = event_needs(event)
    current_tab = current_tab or request.endpoint
    tabs = [
        {
            "url": url_for(tab.endpoint, event_id=event.id),
            "label": tab.label,
            "current": tab.endpoint == current_tab,
            "endpoint": tab.endpoint,
        }
        for tab in tabs_for(event, needs)
    ]
    lang = current_language()
    parent = db.session.get(Event, event.parent_id) if event.parent_id else None
    return (
        render_template(
            template,
            event=event,
            event_title=event.title(lang),
            parent=parent,
            parent_title=parent.title(lang) if parent else None,
            tabs=tabs,
            can_manage_event=Need.MANAGE in needs,
            **context,
        ),
        status,
    )
