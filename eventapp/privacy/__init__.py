"""Privacy: the notice, the participant's data download and erasure (from the manage link),
the retention purge CLI and the e-mail masking log filter."""

import os

from flask import Blueprint

bp = Blueprint("privacy", __name__)


@bp.record_once
def _defaults(state) -> None:
    # Settable in the app config or the environment.
    config = state.app.config
    config.setdefault(
        "PRIVACY_RETENTION_MONTHS", int(os.environ.get("PRIVACY_RETENTION_MONTHS", "24"))
    )
    config.setdefault("MANAGE_LINK_VALID_DAYS", int(os.environ.get("MANAGE_LINK_VALID_DAYS", "30")))


from eventapp.privacy import routes  # noqa: E402,F401  (routes attach themselves to bp)
