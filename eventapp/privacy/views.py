"""The privacy blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.privacy import routes
from eventapp.privacy.blueprint import bp

VIEW_MODULES = (routes,)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
