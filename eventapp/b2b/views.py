"""The B2B blueprint's table of contents: importing these modules attaches their views to
`bp`; `init_app` registers it (and the privacy subscribers of services/b2b)."""

from flask import Flask

from eventapp.b2b import booking_rules, checkin, directory, organiser, participant
from eventapp.b2b.blueprint import bp
from eventapp.models import B2BTag
from eventapp.services.b2b import privacy, scheduling  # noqa: F401 - their subscribers

VIEW_MODULES = (participant, organiser, directory, checkin, booking_rules)


def tag_label(value: str) -> str:
    """A tag's label in the current language (a value no longer in the vocabulary as is)."""
    try:
        return B2BTag(value).label
    except ValueError:
        return value


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["tag_label"] = tag_label
