from flask import Blueprint

bp = Blueprint("public", __name__)

from eventapp.public import routes  # noqa: E402,F401  (routes attach themselves to bp)
