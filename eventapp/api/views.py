"""The api blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.api import organiser, routes
from eventapp.api.blueprint import bp

VIEW_MODULES = (routes, organiser)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
