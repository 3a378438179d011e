"""Money, dates, rates and bank details as a reader of the document's language expects them
("1 234,50 €" with the narrow no-break space Babel gives French, "€1,234.50" in English), with
the document's language passed explicitly: a PDF built outside a request reads the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

NARROW_NBSP = "\u202f"


def money(value: Decimal, language: str, currency: str = "EUR", exact: bool = False) -> str:
    """An amount in cents; with `exact`, a unit price keeps the decimals it has beyond the
    cents (45,455 €), so that the printed price times the quantity gives the printed total."""
    return format_currency(value, currency, locale=language, decimal_quantization=not exact)


def day(value: dt.date, language: str) -> str:
    return format_date(value, "long", locale=language)


def period(start: dt.date, end: dt.date | None, language: str) -> str:
    """A date range with the month in full, as the other dates of the document: « 24–25
    novembre 2026 », "November 24–25, 2026" (Babel's interval formats abbreviate it)."""
    if end is None or end == start:
        return day(start, language)
    if (start.year, start.month) != (end.year, end.month):
        return f"{day(start, language)} – {day(end, language)}"
    if language == "fr":
        return f"{start.day}–{day(end, language)}"
    first = format_date(start, "MMMM d", locale=language)
    return f"{first}–{format_date(end, 'd, y', locale=language)}"


def rate(value: Decimal, language: str) -> str:
    """A VAT rate: "20 %", "5,5 %" in French (narrow no-break space), "5.5%" in English."""
    number = format_decimal(value, "#,##0.##", locale=language)
    return f"{number}{NARROW_NBSP}%" if language == "fr" else f"{number}%"


def quantity(value: Decimal, language: str) -> str:
    return format_decimal(value, "#,##0.###", locale=language)


def grouped(identifier: str | None) -> str:
    """An IBAN (or any long identifier) in groups of four, as banks print it."""
    text = identifier or ""
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
