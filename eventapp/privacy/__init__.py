"""Privacy: the notice, the participant's data download and erasure (from the manage link),
the retention purge CLI and the e-mail masking log filter."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)


from eventapp.privacy import routes  # noqa: E402,F401  (routes attach themselves to bp)
