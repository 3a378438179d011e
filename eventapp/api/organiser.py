"""Organiser JSON endpoints (live counts), guarded like the HTML pages: anonymous callers get a
401 JSON error, another organisation's event is a 404."""

from eventapp.api.blueprint import bp
from eventapp.permissions import Perm, guard
from eventapp.services.counts import event_counts, free_seats


@bp.get("/organiser/events/<id:event_id>/counts")
@guard.event(Perm.CHECKIN)
def organiser_event_counts(event):
    """The event's live counts (check-in staff may read them too)."""
    counts = event_counts([event.id])[event.id]
    return {
        "event_id": event.id,
        "capacity": event.capacity,
        "confirmed": counts.confirmed,
        "waitlisted": counts.waitlisted,
        "pending": counts.pending,
        "cancelled": counts.cancelled,
        "checked_in": counts.checked_in,
        "free_seats": free_seats(event, counts.taken),
    }
