"""The account blueprint object (/organiser/start, /login/2fa, /account/2fa)."""

from flask import Blueprint

bp = Blueprint("account", __name__)
