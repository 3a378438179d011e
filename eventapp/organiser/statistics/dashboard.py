"""The workspace's home: the actor's events with their counts, stages under their tour."""

from flask import render_template
from flask_login import current_user

from eventapp.i18n import current_language
from eventapp.organiser.blueprint import bp
from eventapp.permissions import guard
from eventapp.services import events as event_service
from eventapp.services import stats


@bp.get("/")
@guard.signed_in
def dashboard():
    """The user's events with their counts; stages under their tour with the tour's totals."""
    board = stats.dashboard(current_user)
    return render_template(
        "organiser/dashboard.html",
        board=board,
        lang=current_language(),
        can_create=bool(event_service.lead_organisations(current_user)),
    )
