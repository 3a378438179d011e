"""The public blueprint object; its modules attach their views to it."""

from flask import Blueprint

bp = Blueprint("public", __name__)
