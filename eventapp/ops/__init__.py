"""Operations: readiness probe for load balancers, backups."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from eventapp.ops import routes  # noqa: E402,F401  (routes attach themselves to bp)
