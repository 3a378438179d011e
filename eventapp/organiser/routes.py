"""Organiser workspace. Every route needs a logged-in user (checked for the whole blueprint)
and every event goes through eventapp.permissions."""

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event
from eventapp.organiser import bp
from eventapp.permissions import Need, accessible_events_clause
from eventapp.services.registrations import event_counts


@bp.before_request
@login_required
def _require_login():
    """Every organiser page needs a logged-in, active user."""


@bp.get("/")
def dashboard():
    events = list(
        db.session.scalars(
            select(Event)
            .where(accessible_events_clause(current_user, Need.CHECKIN))
            .order_by(Event.starts_at.desc())
        )
    )
    counts = event_counts(e.id for e in events)
    lang = current_language()
    rows = [{"event": e, "title": e.title(lang), "counts": counts[e.id]} for e in events]
    return render_template("organiser/dashboard.html", rows=rows)
