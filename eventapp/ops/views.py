"""The ops blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.ops import routes
from eventapp.ops.blueprint import bp

VIEW_MODULES = (routes,)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
