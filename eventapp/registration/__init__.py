from flask import Blueprint

bp = Blueprint("registration", __name__)

# routes attach themselves to bp; calendar registers the .ics e-mail attachment.
from eventapp.registration import dev, routes  # noqa: E402,F401
from eventapp.services import calendar  # noqa: E402,F401
