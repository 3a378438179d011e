"""The api blueprint object; its modules attach their views to it."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
