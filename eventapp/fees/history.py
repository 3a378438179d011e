"""The history's wording of the fees and payment actions (organiser/history/display.py)."""

from __future__ import annotations

from flask_babel import gettext as _

from eventapp.services.fees.formatting import money


def texts(d: dict) -> dict:
    amount = money(d.get("amount_cents") or d.get("total_cents") or 0)
    return {
        "payment.created": lambda: _("Booking priced: %(amount)s due", amount=amount),
        "payment.received": lambda: (
            _("Payment received after the release: %(amount)s", amount=amount)
            if d.get("late")
            else _("Payment received: %(amount)s", amount=amount)
        ),
        "payment.approved": lambda: _("Rate approved"),
        "payment.refused": lambda: _("Rate refused: booking cancelled"),
        "payment.card_started": lambda: _("Card payment started: places held until it ends"),
        "payment.transfer_chosen": lambda: _(
            "Bank transfer chosen: places held until the transfer deadline"
        ),
        "payment.released": lambda: _("Unpaid at the deadline: places released"),
        "payment.refund_requested": lambda: _("Refund asked: %(amount)s", amount=amount),
        "payment.refund_done": lambda: _("Bank refund done: %(amount)s", amount=amount),
        "payment.category_changed": lambda: _("Rate changed: %(amount)s due now", amount=amount),
        "payment.line_cancelled": lambda: _("Unpaid registration cancelled: no longer due"),
        "payment.bank_imported": lambda: _("Bank statement imported"),
        "payment.bank_line_resolved": lambda: _("Bank statement line dealt with"),
        "fees.rate_created": lambda: _("Rate added"),
        "fees.rate_changed": lambda: _("Rate edited"),
        "fees.settings_changed": lambda: _("Payment settings changed"),
        "fees.vouchers_created": lambda: _("Vouchers created: %(num)s", num=d.get("count", 0)),
    }
