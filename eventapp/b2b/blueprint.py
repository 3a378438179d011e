"""The B2B meetings blueprint (issue 18): the participant's pages under their manage link
(/r/<token>/b2b...) and the organiser's under /organiser/events/<id>/b2b."""

from flask import Blueprint

bp = Blueprint("b2b", __name__)
