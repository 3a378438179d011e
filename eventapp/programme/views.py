"""The programme blueprint's table of contents: importing these modules attaches their views to
`bp`; `init_app` registers it (and the programme's retention subscribers)."""

from flask import Flask

from eventapp.programme import door, imports, organiser, participant, public, setup
from eventapp.programme.blueprint import bp
from eventapp.services.programme import privacy  # noqa: F401 - its subscribers

VIEW_MODULES = (organiser, setup, door, imports, public, participant)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
