"""An event's statistics: registrations over time, by actor category and by region, and the
check-in rate."""

from flask_babel import gettext as _

from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Region
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import local_zone
from eventapp.organiser.navigation import render_event
from eventapp.organiser.statistics import charts
from eventapp.permissions import Perm, guard
from eventapp.questions import reading
from eventapp.services import stats


@bp.get("/events/<id:event_id>/statistics")
@guard.event(Perm.STATISTICS)
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
        timeline_narrow=charts.line_chart(data.timeline, width=360, height=220, max_labels=3),
        category_chart=charts.bar_chart(categories),
        category_narrow=charts.bar_chart(categories, width=360),
        region_chart=charts.bar_chart(regions),
        region_narrow=charts.bar_chart(regions, width=360),
        checkin_chart=charts.progress(data.counts.checked_in, data.counts.confirmed),
        question_charts=[
            (spec, charts.bar_chart(bars))
            for spec, bars in reading.option_totals(event, current_language())
        ],
    )
