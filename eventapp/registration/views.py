"""The registration blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.registration import booking_routes, dev, offer_routes, routes, tickets
from eventapp.registration.blueprint import bp

VIEW_MODULES = (routes, booking_routes, offer_routes, tickets, dev)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
