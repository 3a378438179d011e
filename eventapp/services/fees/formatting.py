"""Money for people: cents shown in the reader's language, amounts typed in euros parsed
exactly (Decimal, never float)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import get_locale

from eventapp.services.invoicing import formatting as documents


def money(cents: int | None, currency: str = "EUR") -> str:
    """Cents in the reader's language (the documents' formatter, with the request's locale)."""
    return documents.money(Decimal(cents or 0) / 100, str(get_locale() or "fr"), currency)


def vat_rate(basis_points: int) -> str:
    """A rate in basis points in the reader's language (the documents' one rate formatter)."""
    return documents.rate(Decimal(basis_points) / 100, str(get_locale() or "fr"))


_AMOUNT = re.compile(r"^\d{1,7}(?:[.,]\d{1,2})?$")


def parse_euros(text: str | None) -> int | None:
    """Cents from "390", "390.5", "390,50" (spaces and € allowed); None if not an amount."""
    raw = (text or "").replace("€", "").replace("\u00a0", "").replace("\u202f", "").strip()
    raw = raw.replace(" ", "")
    if not _AMOUNT.match(raw):
        return None
    try:
        return int((Decimal(raw.replace(",", ".")) * 100).to_integral_exact())
    except InvalidOperation:
        return None


def euros_text(cents: int | None) -> str:
    """The value for an input field: 390 or 390.50."""
    if cents is None:
        return ""
    whole, part = divmod(int(cents), 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}"


def euros_fixed(cents: int | None) -> str:
    """Euros with two decimals and a dot, for exports: 708.00."""
    return str((Decimal(cents or 0) / 100).quantize(Decimal("0.01")))
