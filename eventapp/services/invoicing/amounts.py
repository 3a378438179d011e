"""Exact amounts of a document, by the EN 16931 calculation rules.

- A line's net amount (BT-131) is quantity × unit price, rounded to the cent (half up).
- The lines are grouped by VAT category and rate; each group's VAT (BT-117) is computed once on
  the sum of its line nets (BT-116) and rounded to the cent: never line by line, so a 60-line
  invoice carries no accumulated rounding drift (BR-CO-17).
- Total excluding VAT (BT-109) = sum of line nets; VAT total (BT-110) = sum of the groups' VAT;
  total including VAT (BT-112) = the two added; amount due (BT-115) = that minus the prepaid
  amount (BT-113).
- Categories (UNCL 5305): S for a positive rate, Z for 0 % at a VAT-registered seller, E
  (exempt, "TVA non applicable, art. 293 B du CGI") at a seller not registered for VAT.
- A credit note has the same positive amounts: its type code 381 says they are credited.

Decimal only, never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from eventapp.services.invoicing.documents import Document, Line

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

STANDARD = "S"
ZERO_RATED = "Z"
EXEMPT = "E"


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def normalise_rate(rate: Decimal) -> Decimal:
    """20, 20.0 and 20.00 are one rate (one group); kept to at most two decimals."""
    return rate.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_category(rate: Decimal, vat_registered: bool) -> str:
    if not vat_registered:
        return EXEMPT
    return STANDARD if rate > 0 else ZERO_RATED


@dataclass(frozen=True)
class LineAmount:
    line: Line
    category: str
    rate: Decimal
    net: Decimal  # BT-131


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal  # BT-119
    taxable: Decimal  # BT-116
    vat: Decimal  # BT-117


@dataclass(frozen=True)
class Amounts:
    lines: tuple[LineAmount, ...]
    groups: tuple[VatGroup, ...]  # by category, then rate descending
    total_excl_vat: Decimal  # BT-106 = BT-109 (no document-level allowances or charges)
    total_vat: Decimal  # BT-110
    total_incl_vat: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    due: Decimal  # BT-115


def line_net(line: Line) -> Decimal:
    return to_cents(line.quantity * line.unit_price)


def compute_amounts(document: Document) -> Amounts:
    registered = document.seller.vat_registered
    lines = tuple(
        LineAmount(
            line,
            vat_category(line.vat_rate, registered),
            normalise_rate(line.vat_rate),
            line_net(line),
        )
        for line in document.lines
    )
    taxable: dict[tuple[str, Decimal], Decimal] = {}
    for amount in lines:
        key = (amount.category, amount.rate)
        taxable[key] = taxable.get(key, Decimal(0)) + amount.net
    order = {STANDARD: 0, ZERO_RATED: 1, EXEMPT: 2}
    groups = tuple(
        VatGroup(category, rate, base, to_cents(base * rate / HUNDRED))
        for (category, rate), base in sorted(
            taxable.items(), key=lambda item: (order[item[0][0]], -item[0][1])
        )
    )
    total_excl = sum((amount.net for amount in lines), Decimal("0.00"))
    total_vat = sum((group.vat for group in groups), Decimal("0.00"))
    total = total_excl + total_vat
    prepaid = to_cents(document.prepaid)
    return Amounts(lines, groups, total_excl, total_vat, total, prepaid, total - prepaid)
