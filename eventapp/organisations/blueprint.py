"""The organisations blueprint object (no prefix: /admin/organisations, /organiser/organisations,
/o/<slug>, /invitation/<token>); views.py attaches its views to it."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)
