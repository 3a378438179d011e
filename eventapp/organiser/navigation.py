"""An event's pages share a sub-navigation: EVENT_TABS is its table, in the order shown.

A tab is shown to whoever holds the permission its endpoint's guard declares (so the tab and
the page can not disagree). Tours have no attendees of their own: `for_tours` says which tabs a
tour shows, `for_stage_managers` which ones someone sees who holds permissions on some of its
stages but not on the tour.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event
from eventapp.permissions import Perm, guard


@dataclass(frozen=True)
class EventTab:
    endpoint: str
    label: object  # a lazy string
    for_events: bool = True
    for_tours: bool = False
    for_stage_managers: bool = False
    # Under "More": the pages an organiser sets up beforehand, so that the ones used on the
    # day (attendees, check-in, badges, messages, payments) are all in sight on a laptop.
    more: bool = False

    @property
    def perm(self) -> Perm:
        return guard.declared(current_app.view_functions[self.endpoint]).perm


EVENT_TABS = (
    EventTab("organiser.event_overview", _l("Overview"), for_tours=True, for_stage_managers=True),
    EventTab("organiser.attendees", _l("Attendees"), for_tours=True, for_stage_managers=True),
    # Check-in staff see these two too; a tour's desk lists its stages.
    EventTab("organiser.checkin_desk", _l("Check-in"), for_tours=True),
    EventTab("organiser.badges", _l("Badges")),
    EventTab("organiser.mailings", _l("Messages")),
    EventTab("fees.payments", _l("Payments")),
    EventTab("organiser.statistics", _l("Statistics")),
    EventTab("programme.timetable", _l("Programme")),
    EventTab("b2b.dashboard", _l("B2B"), more=True),
    EventTab("organiser.import_upload", _l("Import"), more=True),
    EventTab("fees.rates", _l("Rates"), more=True),
    EventTab("fees.vouchers", _l("Vouchers"), more=True),
    EventTab("questions.questions", _l("Form"), for_tours=True, more=True),
    EventTab("organiser.event_edit", _l("Settings"), for_tours=True, more=True),
    EventTab("organisations.event_team", _l("Team"), for_tours=True, more=True),
    EventTab("organiser.audit_log", _l("History"), for_tours=True, more=True),
)


def tabs_for(event: Event, perms: frozenset[Perm]) -> list[EventTab]:
    """The tabs to show on an event's pages for an actor holding `perms` on it."""
    if event.is_tour:
        if perms:
            return [tab for tab in EVENT_TABS if tab.for_tours and tab.perm in perms]
        return [tab for tab in EVENT_TABS if tab.for_stage_managers]
    return [tab for tab in EVENT_TABS if tab.for_events and tab.perm in perms]


def render_event(
    template: str, event: Event, *, status: int = 200, current_tab: str | None = None, **context
):
    """Render an event page with its sub-navigation (`current_tab`: the tab to mark as
    current, by default the one of this endpoint). Templates get `perms`, what the actor may
    do on the event (`Perm.X in perms`)."""
    perms = guard.event_permissions(event)
    current_tab = current_tab or request.endpoint
    tabs = [
        {
            "url": url_for(tab.endpoint, event_id=event.id),
            "label": tab.label,
            "current": tab.endpoint == current_tab,
            "endpoint": tab.endpoint,
            "more": tab.more,
        }
        for tab in tabs_for(event, perms)
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
            perms=perms,
            **context,
        ),
        status,
    )
