"""The public blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.public import routes, template_filters
from eventapp.public.blueprint import bp

VIEW_MODULES = (routes, template_filters)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
