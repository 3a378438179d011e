"""Organiser workspace: the login check for the whole blueprint, the dashboard and the
statistics page. Every event goes through eventapp.permissions (see organiser/access.py)."""

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Region
from eventapp.organiser import bp, charts
from eventapp.organiser.access import event_view, render_event
from eventapp.organiser.forms import local_zone
from eventapp.permissions import Need
from eventapp.services import events as event_service
from eventapp.services import stats


@bp.before_request
@login_required
def _require_login():
    """Every organiser page needs a logged-in, active user."""


@bp.get("/")
def dashboard():
    """The user's events with their counts; stages under their tour with the tour's totals."""
    board = stats.dashboard(current_user)
    return render_template(
        "organiser/dashboard.html",
        board=board,
        lang=current_language(),
        can_create=bool(event_service.lead_organisations(current_user)),
    )


@bp.get("/events/<int:event_id>/statistics")
@event_view(Need.MANAGE)
def statistics(event):
    """Registrations over time, by actor category and by region, and the check-in rate, as SVG
    charts with their numbers in tables."""
    data = stats.event_stats(event, local_zone())
    categories = [
        (ActorCategory(value).label if value else "—", count) for value, count in data.categories
    ]
    regions = [
        (Region(value).label if value else _("Not given"), count) for value, count in data.regions
    ]
    return render_event(
        "organiser/statistics.html",
        event,
        data=data,
        timeline_chart=charts.line_chart(data.timeline),
        category_chart=charts.bar_chart(categories),
        region_chart=charts.bar_chart(regions),
        checkin_chart=charts.progress(data.counts.checked_in, data.counts.confirmed),
    )
