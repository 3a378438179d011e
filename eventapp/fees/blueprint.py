"""The fees blueprint: the participant's payment pages, the card provider's webhook, and the
organiser's rates, vouchers, payments, bank statements and member directory."""

from flask import Blueprint

bp = Blueprint("fees", __name__)
