"""Fees and payment (issue 14), wired on the payment engine of services/payments:
pricing (categories, member rates, vouchers), checkout (the booking's price, the one point
where bookings meet fees), payments (money in and out, approvals), holds (deadlines and the
release of unpaid seats), cards (Stripe), bank (statement import), directory (members)."""
