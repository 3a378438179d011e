"""The questions blueprint: the organiser's form builder and the files answered to a question.
Its view modules attach their views to `bp`; views.py lists them."""

from flask import Blueprint

bp = Blueprint("questions", __name__)
