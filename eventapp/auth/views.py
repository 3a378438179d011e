"""The auth blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.auth import routes
from eventapp.auth.blueprint import bp
from eventapp.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.user_loader(routes.load_user)
    app.register_blueprint(bp)
