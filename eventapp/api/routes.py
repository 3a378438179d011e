"""JSON API. Errors are JSON too (see errors.py)."""

from sqlalchemy import select

from eventapp.api.blueprint import bp
from eventapp.extensions import db
from eventapp.models import Event, EventStatus
from eventapp.permissions import guard
from eventapp.services.counts import event_counts, free_seats


@bp.get("/events")
@guard.public
def events():
    """Published events with their live availability."""
    rows = list(
        db.session.scalars(
            select(Event).where(Event.status == EventStatus.PUBLISHED).order_by(Event.starts_at)
        )
    )
    counts = event_counts(e.id for e in rows)
    return {
        "events": [
            {
                "slug": e.slug,
                "kind": str(e.kind),
                "title": {"fr": e.title_fr, "en": e.title_en},
                "starts_at": e.starts_at.isoformat(),
                "ends_at": e.ends_at.isoformat(),
                "city": e.city,
                "capacity": e.capacity,
                "confirmed": counts[e.id].confirmed,
                "free_seats": free_seats(e, counts[e.id].taken),
                "registration": e.registration_state(),
            }
            for e in rows
        ]
    }
