"""Public pages: home, language switch, health check."""

from flask import current_app, redirect, render_template, request, session
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.helpers import safe_next
from eventapp.i18n import current_language
from eventapp.models import Event, EventOrganiser, EventStatus
from eventapp.public import bp
from eventapp.services.registrations import event_counts, free_seats


@bp.get("/")
def home():
    """Published events that are not tour stages (stages appear on their tour's page)."""
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.status != EventStatus.DRAFT, Event.parent_id.is_(None))
            .order_by(Event.starts_at.desc())
            .options(selectinload(Event.organiser_links).joinedload(EventOrganiser.organisation))
        )
    )
    counts = event_counts(e.id for e in events)
    lang = current_language()
    cards = [
        {
            "event": e,
            "title": e.title(lang),
            "organisers": [link.organisation.short_name for link in e.organiser_links],
            "counts": counts[e.id],
            "free": free_seats(e, counts[e.id].confirmed),
            "state": e.registration_state(),
        }
        for e in events
    ]
    return render_template("public/home.html", cards=cards)


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the reader's language choice (works without JavaScript)."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
