"""The fees blueprint's table of contents: importing these modules attaches their views to
`bp`; `init_app` registers it and the money filters."""

from flask import Flask

from eventapp.fees import (
    directory,
    participant,
    payment_exports,
    payments,
    prices,
    proofs,
    vouchers,
    webhook,
)
from eventapp.fees.blueprint import bp
from eventapp.services.fees import holds, privacy  # noqa: F401 - their subscribers
from eventapp.services.fees.formatting import money, vat_rate

VIEW_MODULES = (
    participant,
    webhook,
    prices,
    vouchers,
    payments,
    payment_exports,
    directory,
    proofs,
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["vat_rate"] = vat_rate
