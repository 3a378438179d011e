from flask import Blueprint

bp = Blueprint("registration", __name__)

from eventapp.registration import routes  # noqa: E402,F401
