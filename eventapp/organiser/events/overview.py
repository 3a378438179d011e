"""An event's overview; for a tour, its stages (those the actor may see) and their totals."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event, EventOrganiser, Organisation
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import ActionForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.services.counts import Counts, event_counts, free_seats


def organiser_names(event: Event) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Organisation.name, EventOrganiser.role)
        .join(EventOrganiser, EventOrganiser.organisation_id == Organisation.id)
        .where(EventOrganiser.event_id == event.id)
        .order_by(EventOrganiser.position, Organisation.name)
    )
    return [(name, role.label if hasattr(role, "label") else role) for name, role in rows]


def _fill(event: Event, confirmed: int) -> float | None:
    if not event.capacity:
        return None
    return confirmed / event.capacity


@bp.get("/events/<id:event_id>")
@guard.tour(Perm.EVENT_VIEW)
def event_overview(event, scope):
    """An event's summary; for a tour, its stages (those the actor may see) and their totals."""
    if event.is_tour:
        return _tour_overview(event, scope)
    counts = event_counts([event.id])[event.id]
    return render_event(
        "organiser/event_overview.html",
        event,
        counts=counts,
        free=free_seats(event, counts.taken),
        fill=_fill(event, counts.confirmed),
        checkin_rate=(counts.checked_in / counts.confirmed) if counts.confirmed else None,
        state=event.registration_state(),
        organisers=organiser_names(event),
        action_form=ActionForm(),
    )


def _tour_overview(tour: Event, stages: list[Event]):
    lang = current_language()
    counts = event_counts(s.id for s in stages)
    rows = [
        {
            "event": stage,
            "title": stage.title(lang),
            "counts": counts[stage.id],
            "fill": _fill(stage, counts[stage.id].confirmed),
        }
        for stage in stages
    ]
    totals = Counts(
        **{
            key: sum(getattr(counts[s.id], key) for s in stages)
            for key in ("confirmed", "waitlisted", "pending", "cancelled", "checked_in")
        }
    )
    capacity = sum(s.capacity or 0 for s in stages)
    unlimited = any(s.capacity is None for s in stages)
    return render_event(
        "organiser/tour_overview.html",
        tour,
        stages=rows,
        totals=totals,
        capacity=None if unlimited else capacity,
        fill=None if unlimited or not capacity else totals.confirmed / capacity,
        organisers=organiser_names(tour),
        action_form=ActionForm(),
        all_stages=len(stages),
    )
