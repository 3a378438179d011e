"""Organiser JSON endpoints (live counts). Login required: anonymous callers get a 401 JSON
error, not a redirect; another organisation's event is a 404, like the HTML pages."""

import functools

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.api import bp
from eventapp.permissions import Need, require_event_access
from eventapp.services.counts import event_counts, free_seats


def organiser_api(need: Need = Need.MANAGE):
    """Decorator for /api/organiser/events/<event_id>/... endpoints: 401 without a login, then
    require_event_access (404) before the view runs; passes `event`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(event_id: int, **kwargs):
            if not current_user.is_authenticated:
                error = {
                    "code": 401,
                    "title": _("Login required"),
                    "message": _("Log in to the organiser workspace first."),
                }
                return jsonify(error=error), 401
            return view(event=require_event_access(event_id, need), **kwargs)

        wrapper.organiser_need = need
        return wrapper

    return decorator


@bp.get("/organiser/events/<int:event_id>/counts")
@organiser_api(Need.CHECKIN)
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
        "free_seats": free_seats(event, counts.confirmed),
    }
