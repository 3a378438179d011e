"""The invoices blueprint's table of contents: importing these modules attaches their views to
`bp`; `init_app` registers it, the booking page's panel and the document date filter."""

from flask import Flask
from flask_babel import format_date

from eventapp.invoices import organiser, participant
from eventapp.invoices.blueprint import bp
from eventapp.services.invoicing import billing  # noqa: F401 - its privacy subscribers

VIEW_MODULES = (participant, organiser)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["invoice_panel"] = participant.panel
    app.jinja_env.filters["document_date"] = lambda value: format_date(value, "long")
