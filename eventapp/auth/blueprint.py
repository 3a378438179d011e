"""The auth blueprint object; its modules attach their views to it."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
