"""The programme blueprint (issue 16): the organiser's programme pages, the public programme,
the participant's sign-ups and agenda, the session door and the certificates."""

from flask import Blueprint

bp = Blueprint("programme", __name__)
