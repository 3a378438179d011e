"""How long an unpaid booking holds its seats (issue 14): the event's transfer delay (10 days
by default) from the moment a seat is given, or, while the booker pays by card, the card
checkout's own life (30 minutes by default, `FeeSettings.card_minutes`) and a short grace for
the provider's webhook. `due_at` is always the deadline the release job reads
(services/fees/holds.py); `transfer_due_at` keeps the transfer deadline during a card checkout
so that going back to the transfer gives it again, and a card attempt never extends it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from eventapp.extensions import db
from eventapp.models import BookingPayment, Event, utcnow
from eventapp.services.fees import pricing

# A payment finished at the provider in the checkout's last second still finds its seats: its
# webhook arrives within seconds; the release waits that long after the checkout expired.
CARD_GRACE = timedelta(minutes=2)


def give_transfer_deadline(payment: BookingPayment, now: datetime | None = None) -> None:
    """A seat is given (booking, approval, promotion, a stage added): the seats are held for
    the event's transfer delay from now."""
    days = pricing.settings_of(db.session.get(Event, payment.event_id)).transfer_days
    payment.due_at = payment.transfer_due_at = (now or utcnow()) + timedelta(days=days)


def hold_for_card(payment: BookingPayment, checkout_expires_at: datetime) -> None:
    """A card checkout started: the seats are held until it expires (plus the grace), which is
    sooner than the transfer deadline; that deadline is kept aside."""
    if payment.transfer_due_at is None:
        payment.transfer_due_at = payment.due_at
    payment.due_at = checkout_expires_at + CARD_GRACE


def transfer_deadline(payment: BookingPayment) -> datetime | None:
    """The deadline the booker gets by choosing the transfer now: the transfer deadline set
    when the seat was given, or the card's if that is later (choosing never shortens a hold)."""
    candidates = [d for d in (payment.transfer_due_at, payment.due_at) if d is not None]
    if not candidates:
        return None
    return max(candidates)
