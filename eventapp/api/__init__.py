from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from eventapp.api import organiser, routes  # noqa: E402,F401
