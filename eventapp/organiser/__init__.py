from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

from eventapp.organiser import checkin, routes  # noqa: E402,F401
