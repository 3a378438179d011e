"""Manage-link tokens: the participant's only credential (no account, no login).

A token is 32 random bytes, URL-safe (43 characters, `models.registration.new_manage_token`).
It is looked up through its unique index, then compared again with `hmac.compare_digest`, so
the final check does not leak how many characters matched. It opens its registration until
MANAGE_LINK_VALID_DAYS days after the event has ended (30 by default); after that it answers
410 "link expired". An anonymised registration gets a fresh random token and ticket code, so
the old link opens nothing any more.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Booking, Event, Registration, utcnow

DEFAULT_VALID_DAYS = 30
# Tokens we issue are 43 characters of the URL-safe alphabet; anything else is not a token and
# is refused before touching the database.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32,64}")
# Compared against when no row matches, so a miss does the same constant-time work as a hit.
_DUMMY = "x" * 43

EXPIRED_MESSAGE = _l(
    "This link expired after the event. To access or erase your personal data, write to the "
    "event's organisers (see the privacy notice)."
)


@dataclass
class TokenLookup:
    registration: Registration | None
    state: str  # "ok", "unknown" or "expired"

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def valid_days() -> int:
    return int(current_app.config.get("MANAGE_LINK_VALID_DAYS", DEFAULT_VALID_DAYS))


def expires_at(registration: Registration) -> datetime:
    """When the registration's manage link stops working."""
    return registration.event.ends_at + timedelta(days=valid_days())


def lookup(token: str | None, now: datetime | None = None) -> TokenLookup:
    """Find the registration a manage token opens, without aborting. The pages under
    /r/<token> get it through eventapp.permissions.guard.manage_link (404 unknown, 410
    expired)."""
    if not token or not TOKEN_FORMAT.fullmatch(token):
        return TokenLookup(None, "unknown")
    registration = db.session.scalar(select(Registration).where(Registration.manage_token == token))
    stored = registration.manage_token if registration is not None else _DUMMY
    matches = hmac.compare_digest(stored.encode("ascii"), token.encode("ascii"))
    if registration is None or not matches:
        return TokenLookup(None, "unknown")
    if registration.anonymised_at is not None:
        return TokenLookup(None, "unknown")
    if (now or utcnow()) >= expires_at(registration):
        return TokenLookup(registration, "expired")
    return TokenLookup(registration, "ok")


@dataclass
class BookingLookup:
    booking: Booking | None
    state: str  # "ok", "unknown" or "expired"


def lookup_booking(token: str | None, now: datetime | None = None) -> BookingLookup:
    """Find the booking a booking link (/b/<token>) opens, like `lookup`: it works until
    MANAGE_LINK_VALID_DAYS after the last of its events has ended."""
    if not token or not TOKEN_FORMAT.fullmatch(token):
        return BookingLookup(None, "unknown")
    booking = db.session.scalar(select(Booking).where(Booking.manage_token == token))
    stored = booking.manage_token if booking is not None else _DUMMY
    matches = hmac.compare_digest(stored.encode("ascii"), token.encode("ascii"))
    if booking is None or not matches or booking.anonymised_at is not None:
        return BookingLookup(None, "unknown")
    last_end = db.session.scalar(
        select(func.max(Event.ends_at))
        .join(Registration, Registration.event_id == Event.id)
        .where(Registration.booking_id == booking.id)
    )
    if last_end is None:
        return BookingLookup(None, "unknown")
    if last_end.tzinfo is None:
        last_end = last_end.replace(tzinfo=UTC)
    if (now or utcnow()) >= last_end + timedelta(days=valid_days()):
        return BookingLookup(booking, "expired")
    return BookingLookup(booking, "ok")
