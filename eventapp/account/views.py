"""Landing where the work is: after login, check-in staff (who hold nothing but the desk) go to
the desk of today's event, or choose among today's events; everyone else to the dashboard."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event, EventKind, EventStatus
from eventapp.permissions import EVENT_PERMS, Perm, accessible_events_clause, guard

bp = Blueprint("account", __name__)
PARIS = ZoneInfo("Europe/Paris")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def todays_desks(user, now: datetime | None = None) -> list[Event] | None:
    """Today's events (Paris time) whose desk `user` may run, if the desk is all they may do;
    None for anyone who holds more (they land on the dashboard)."""
    if getattr(user, "is_admin", False):
        return None
    more = accessible_events_clause(user, *(EVENT_PERMS - {Perm.CHECKIN}))
    if db.session.scalar(select(Event.id).where(more).limit(1)) is not None:
        return None
    today = (now or datetime.now(PARIS)).astimezone(PARIS).date()
    start = datetime.combine(today, time.min, PARIS)
    end = start + timedelta(days=1)
    return list(
        db.session.scalars(
            select(Event)
            .where(
                accessible_events_clause(user, Perm.CHECKIN),
                Event.kind != EventKind.TOUR,
                Event.status != EventStatus.CANCELLED,
                Event.starts_at < end,
                Event.ends_at >= start,
            )
            .order_by(Event.starts_at)
            .limit(20)
        )
    )


@bp.get("/organiser/start")
@guard.signed_in
def landing():
    desks = todays_desks(current_user._get_current_object())
    if not desks:
        return redirect(url_for("organiser.dashboard"))
    if len(desks) == 1:
        return redirect(url_for("organiser.checkin_desk", event_id=desks[0].id))
    return render_template("account/today.html", events=desks, lang=current_language())
