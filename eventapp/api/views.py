"""The api blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it, and the REST API /api/v1 (eventapp/api/v1)."""

from flask import Flask

from eventapp.api import organiser, routes
from eventapp.api.blueprint import bp

VIEW_MODULES = (routes, organiser)


def init_app(app: Flask) -> None:
    from eventapp.api import pages
    from eventapp.api.v1 import core
    from eventapp.services.api import webhooks

    app.register_blueprint(bp)
    core.init_app(app)
    webhooks.init_app(app)
    pages.init_app(app)
