"""The rule errors of fees and payment, with their one message table."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from eventapp.services.errors import ServiceError


class FeeError(ServiceError):
    kind = "fees"

    class Code(StrEnum):
        CATEGORY_NEEDED = "category_needed"
        BAD_CATEGORY = "bad_category"
        QUOTA_FULL = "quota_full"
        JUSTIFICATION_NEEDED = "justification_needed"
        VOUCHER_UNKNOWN = "voucher_unknown"
        VOUCHER_NOT_VALID = "voucher_not_valid"
        VOUCHER_USED_UP = "voucher_used_up"
        VOUCHER_CATEGORY = "voucher_category"
        VOUCHER_EXISTS = "voucher_exists"
        NOT_APPROVABLE = "not_approvable"
        NOTHING_DUE = "nothing_due"
        BAD_AMOUNT = "bad_amount"
        REFUND_TOO_LARGE = "refund_too_large"
        CARD_UNAVAILABLE = "card_unavailable"
        PROVIDER_FAILED = "provider_failed"
        BANK_FILE = "bank_file"
        BAD_DATES = "bad_dates"
        NOT_PAYABLE = "not_payable"
        DIRECTORY_FILE = "directory_file"

    MESSAGES = {
        Code.CATEGORY_NEEDED: _l("Choose your rate."),
        Code.BAD_CATEGORY: _l("This rate is not available: choose one of the rates shown."),
        Code.QUOTA_FULL: _l("No place is left at this rate: choose another one."),
        Code.JUSTIFICATION_NEEDED: _l(
            "This rate is granted after a check: say why it applies to you (for example your "
            "school or the company you work for), or attach a proof."
        ),
        Code.VOUCHER_UNKNOWN: _l("This voucher code is not valid for this event."),
        Code.VOUCHER_NOT_VALID: _l("This voucher code cannot be used at this date."),
        Code.VOUCHER_USED_UP: _l("This voucher code has been used as many times as it may be."),
        Code.VOUCHER_CATEGORY: _l("This voucher code does not apply to the rate you chose."),
        Code.VOUCHER_EXISTS: _l("A voucher with this code already exists for this event."),
        Code.NOT_APPROVABLE: _l("This booking is not awaiting approval."),
        Code.NOTHING_DUE: _l("Nothing is left to pay for this booking."),
        Code.BAD_AMOUNT: _l("Enter an amount in euros, above zero, like 390 or 390.50."),
        Code.REFUND_TOO_LARGE: _l(
            "The refund cannot be larger than what was paid and not refunded yet (%(left)s)."
        ),
        Code.CARD_UNAVAILABLE: _l("Card payment is not available: pay by bank transfer."),
        Code.PROVIDER_FAILED: _l(
            "The card payment service did not answer. Please try again in a few minutes, or pay "
            "by bank transfer."
        ),
        Code.BANK_FILE: _l("%(message)s"),
        Code.BAD_DATES: _l("The end of the validity must come after its start."),
        Code.NOT_PAYABLE: _l("This booking cannot be paid any more: it was cancelled."),
        Code.DIRECTORY_FILE: _l(
            "Line %(line)s: each line needs a name, then a SIREN (9 digits, or empty), then "
            "e-mail domains separated by spaces."
        ),
    }
    STATUS = {
        Code.CATEGORY_NEEDED: 422,
        Code.BAD_CATEGORY: 422,
        Code.JUSTIFICATION_NEEDED: 422,
        Code.VOUCHER_UNKNOWN: 422,
        Code.VOUCHER_NOT_VALID: 422,
        Code.VOUCHER_CATEGORY: 422,
        Code.VOUCHER_EXISTS: 422,
        Code.BAD_AMOUNT: 422,
        Code.REFUND_TOO_LARGE: 422,
        Code.BANK_FILE: 422,
        Code.BAD_DATES: 422,
        Code.DIRECTORY_FILE: 422,
    }
