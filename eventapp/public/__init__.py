from flask import Blueprint

bp = Blueprint("public", __name__)

from eventapp.public import filters, routes  # noqa: E402,F401  (attach themselves to bp)
