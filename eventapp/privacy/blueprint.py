"""The privacy blueprint object; its modules attach their views to it."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
