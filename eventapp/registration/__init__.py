from flask import Blueprint

bp = Blueprint("registration", __name__)

from eventapp.registration import routes, tickets  # noqa: E402,F401
