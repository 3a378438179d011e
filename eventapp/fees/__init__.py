"""Fees and payment (issue 14): the participant's payment pages, the card webhook and the
organiser's rates, vouchers, payments, bank statements and member directory (views.py lists
them)."""
