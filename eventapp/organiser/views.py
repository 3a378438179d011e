"""The organiser blueprint's table of contents: importing these modules attaches their views to
`bp` (blueprint.py); `init_app` registers it."""

from flask import Flask

from eventapp.organiser.attendees import adding, delivery, display, listing, move, person
from eventapp.organiser.blueprint import bp
from eventapp.organiser.checkin import badges, design, desk
from eventapp.organiser.events import editing, overview, status
from eventapp.organiser.history import display as history_display
from eventapp.organiser.history import routes as history
from eventapp.organiser.imports_exports import exports, imports
from eventapp.organiser.mailings import routes as mailings
from eventapp.organiser.statistics import dashboard, event_stats

VIEW_MODULES = (
    dashboard,
    overview,
    editing,
    status,
    listing,
    person,
    adding,
    move,
    delivery,
    display,
    exports,
    imports,
    mailings,
    desk,
    badges,
    design,
    event_stats,
    history,
    history_display,
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
