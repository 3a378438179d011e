"""The checkout step of the registration form: the rate (with and without VAT), a voucher
code and a justification when the rate is checked. The registration view calls `form_for()`
to show it and `after_booking()` once the booking is made, in the same transaction."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from eventapp.fees.forms import CheckoutFields
from eventapp.invoices.forms import CheckoutAndBilling
from eventapp.models import Event, Verification
from eventapp.services.fees import checkout, pricing
from eventapp.services.fees.formatting import money
from eventapp.services.invoicing import billing


def _label(category, lang: str, tour: bool = False) -> str:
    total = pricing.with_vat(category.price_cents, category.vat_basis_points)
    if category.price_cents == 0:
        # (not inside an f-string: pybabel does not read those)
        return _("%(name)s — free", name=category.name(lang))
    if tour and category.per_stage:
        return _(
            "%(name)s — %(total)s incl. VAT per stage (%(net)s excl. VAT)",
            name=category.name(lang),
            total=money(total),
            net=money(category.price_cents),
        )
    if tour:
        return _(
            "%(name)s — tour pass, every stage: %(total)s incl. VAT (%(net)s excl. VAT)",
            name=category.name(lang),
            total=money(total),
            net=money(category.price_cents),
        )
    return _(
        "%(name)s — %(total)s incl. VAT (%(net)s excl. VAT)",
        name=category.name(lang),
        total=money(total),
        net=money(category.price_cents),
    )


def form_for(event: Event, lang: str, now: datetime) -> tuple[CheckoutFields | None, list]:
    """The checkout fields for a paid event or tour (a tour's rates: a pass for the whole
    tour, or a price per stage booked; None for a free one) and the rates shown with them."""
    if not pricing.is_paid_event(event):
        return None, []
    offered = pricing.offered(event, now)
    # With the buyer's billing details (eventapp/invoices): the invoice is issued when paid.
    form = CheckoutAndBilling(
        category_choices=[(c.id, _label(c, lang, event.is_tour)) for c in offered]
    )
    rates = [
        {
            "id": c.id,
            "includes": c.includes(lang),
            "checked": c.verification != Verification.NONE,
            "quota": c.quota,
            "valid_until": c.valid_until,
        }
        for c in offered
    ]
    return form, rates


def after_booking(result, event: Event, form: CheckoutFields | None):
    """Open the booking's payment (services/fees/checkout.start); None when free."""
    if form is None or result.booking is None:
        return None
    created = [o.registration for o in result.created]  # checkout keeps those it prices
    payment = checkout.start(
        result.booking,
        event,
        checkout.Choice(
            category_id=form.category.data,
            voucher_code=form.voucher.data or "",
            justification=form.justification.data or "",
            proof=form.proof.data or None,
        ),
        created,
    )
    if payment is not None and isinstance(form, CheckoutAndBilling):
        billing.save(result.booking, form.billing_details())
    return payment
