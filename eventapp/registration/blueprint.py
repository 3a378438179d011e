"""The registration blueprint object; its modules attach their views to it."""

from flask import Blueprint

bp = Blueprint("registration", __name__)
