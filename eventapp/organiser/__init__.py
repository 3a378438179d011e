from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

from eventapp.organiser import badges, checkin, routes  # noqa: E402,F401
