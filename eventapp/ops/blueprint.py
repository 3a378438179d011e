"""The ops blueprint object; its modules attach their views to it."""

from flask import Blueprint

bp = Blueprint("ops", __name__)
