"""The attendee list: an event's, or a tour's across the stages the actor may see; search,
filters, sort and pages in SQL (attendees/query.py)."""

from __future__ import annotations

from flask import request

from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Region
from eventapp.organiser.attendees.delivery import bounced_ids
from eventapp.organiser.attendees.forms import OverrideForm
from eventapp.organiser.attendees.query import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    SORTS,
    STATUS_CHOICES,
    AttendeeFilter,
    paginate,
)
from eventapp.organiser.blueprint import bp
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.routing import int_arg, page_arg
from eventapp.services.counts import waitlist_positions


@bp.get("/events/<id:event_id>/attendees")
@guard.tour(Perm.ATTENDEES_VIEW)
def attendees(event, scope):
    """The filtered list: an event's, or a tour's across the stages the actor may see."""
    flt = AttendeeFilter.from_args(request.args)
    ids = [e.id for e in scope]
    size = int_arg("per_page", DEFAULT_PAGE_SIZE)
    page = paginate(ids, flt, page_arg(), size) if ids else None
    lang = current_language()
    titles = {e.id: e.title(lang) for e in scope}
    positions = waitlist_positions(page.items) if page else {}
    bounced = bounced_ids([r.id for r in page.items]) if page else set()
    return render_event(
        "organiser/attendees.html",
        event,
        scope=scope,
        titles=titles,
        flt=flt,
        page=page,
        positions=positions,
        bounced=bounced,
        status_choices=STATUS_CHOICES,
        sorts=SORTS,
        page_sizes=PAGE_SIZES,
        categories=ActorCategory.choices(),
        regions=Region.choices(),
        action_form=OverrideForm(),
        here=request.full_path,
    )
