"""The questions blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.questions import builder, files
from eventapp.questions.blueprint import bp

VIEW_MODULES = (builder, files)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
