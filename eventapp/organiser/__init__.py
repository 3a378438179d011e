from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

# Routes live in one module per area; importing them registers them on the blueprint.
from eventapp.organiser import (  # noqa: E402,F401
    attendees,
    badges,
    checkin,
    display,
    events,
    history,
    mailings,
    routes,
    transfer,
)
