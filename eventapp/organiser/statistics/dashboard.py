"""The workspace's home: the actor's events with their counts, stages under their tour."""

from flask import render_template
from flask_babel import format_date
from flask_login import current_user

from eventapp.i18n import current_language
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import local_zone
from eventapp.organiser.statistics import charts
from eventapp.permissions import guard
from eventapp.services import events as event_service
from eventapp.services import stats


@bp.app_template_filter("format_short_day")
def format_short_day(value) -> str:
    """A day on a chart's axis: "3 déc." / "3 Dec"."""
    return format_date(value, "d MMM") if value else ""


@bp.get("/")
@guard.signed_in
def dashboard():
    """The user's events with their counts; stages under their tour with the tour's totals."""
    board = stats.dashboard(current_user)
    trend = stats.registration_trend(board.upcoming_event_ids(), local_zone())
    return render_template(
        "organiser/dashboard.html",
        board=board,
        trend=trend,
        trend_total=sum(count for _day, count in trend),
        trend_wide=charts.column_chart(trend, width=720, height=220, max_labels=6),
        trend_narrow=charts.column_chart(trend, width=360, height=200, max_labels=4),
        lang=current_language(),
        can_create=bool(event_service.lead_organisations(current_user)),
    )
