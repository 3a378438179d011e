from flask import Blueprint

bp = Blueprint("registration", __name__)

# routes attach themselves to bp; calendar registers the .ics e-mail attachment, tickets the
# ticket routes and the ticket attachments.
from eventapp.registration import dev, routes, tickets  # noqa: E402,F401
from eventapp.services import calendar  # noqa: E402,F401
