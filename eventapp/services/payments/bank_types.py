"""What a bank statement import produces, its one error class, and the value parsers both
formats share (amounts to integer cents, dates, IBANs, fingerprints).

Rules:
- Amounts are exact: parsed as digits straight into integer cents (no float, no rounding); more
  than two decimals is an error. Credits are positive, debits negative.
- A transaction's fingerprint is stable: the same statement imported again gives the same
  fingerprints, so the matching skips what it has already seen. It is built from the bank's own
  entry reference when there is one, else from the booking date, amount, currency, text, payer
  IBAN and the rank of identical lines in the file.
- Every failure is a StatementError with a ``code`` (and ``params`` such as the line), never a
  bare exception: the integration shows the translated message for the code.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_BYTES = 20 * 1024 * 1024
MAX_TRANSACTIONS = 50_000

# The English source text of each code, for logs and as the msgid the integration translates,
# e.g. ``_(MESSAGES[error.code], **error.params)``. Params are named in %(...)s.
MESSAGES = {
    "empty_file": "The file is empty.",
    "too_large": "The file is too large (at most %(limit_mb)s MB).",
    "unknown_format": "This is not a bank statement we can read: upload a CSV export or a "
    "CAMT.053 XML file.",
    "unsupported_xml": "This XML file is not a CAMT.053 account statement (%(kind)s).",
    "xml_malformed": "The XML file is damaged (line %(line)s).",
    "xml_forbidden": "The XML file declares a DTD or entities, which we refuse for safety.",
    "camt_missing_field": "Entry %(entry)s of the statement has no %(field)s.",
    "no_header": "No header row with the columns of a statement was found.",
    "mapping_needed": "Choose which columns hold the %(fields)s.",
    "missing_column": "These columns are not in the file: %(columns)s.",
    "bad_amount": "Line %(line)s: “%(value)s” is not an amount.",
    "bad_date": "Line %(line)s: “%(value)s” is not a date.",
    "bad_currency": "Line %(line)s: “%(value)s” is not a currency code.",
    "too_many_transactions": "The file has more than %(limit)s transactions.",
}


class StatementError(Exception):
    """The statement cannot be read. ``code`` is a key of MESSAGES, ``params`` fill it."""

    def __init__(self, code: str, **params):
        assert code in MESSAGES, code
        self.code = code
        self.params = params
        super().__init__(f"{code}: {self.default_message}")

    @property
    def message_key(self) -> str:
        return f"bank_statement.{self.code}"

    @property
    def default_message(self) -> str:
        try:
            return MESSAGES[self.code] % self.params
        except (KeyError, TypeError, ValueError):
            return MESSAGES[self.code]


@dataclass(frozen=True)
class BankTransaction:
    """One line of a statement. Payer details and text are personal data: left out of repr
    (so out of logs), and not to be stored once the transaction is matched (see matching)."""

    booked_on: date
    amount_cents: int  # credit > 0, debit < 0
    currency: str
    text: str = field(repr=False)
    payer_name: str | None = field(default=None, repr=False)
    payer_iban: str | None = field(default=None, repr=False)
    entry_ref: str | None = None  # the bank's own reference of the entry, when it gives one
    fingerprint: str = ""
    line: int | None = None  # CSV line, or CAMT entry number, for messages
    value_date: date | None = None

    @property
    def is_credit(self) -> bool:
        return self.amount_cents > 0


@dataclass(frozen=True)
class Statement:
    format: str  # "csv" or the CAMT namespace's version, e.g. "camt.053.001.08"
    transactions: tuple[BankTransaction, ...]
    account_iban: str | None = None
    encoding: str | None = None

    @property
    def credits(self) -> tuple[BankTransaction, ...]:
        return tuple(t for t in self.transactions if t.is_credit)


# --- values -----------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY_SIGNS = re.compile(r"(?i)(€|eur|euros?)")


def parse_amount(raw: str, *, decimal_comma: bool, line: int | None = None) -> int:
    """``"1 234,56"``, ``"-1.234,56"``, ``"+120,00 €"``, ``"(45,00)"``, ``"12,50-"`` in cents.
    ``decimal_comma`` says which of ``,`` and ``.`` is the decimal mark; the other one and
    spaces (also non-breaking) are thousands separators, in groups of three."""
    text = _CURRENCY_SIGNS.sub("", _SPACES.sub("", raw or "")).replace("\u2212", "-")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text[:1] in ("+", "-"):
        negative, text = negative or text[0] == "-", text[1:]
    mark, thousands = (",", ".") if decimal_comma else (".", ",")
    units, _, decimals = text.partition(mark)
    groups = units.split(thousands)
    grouped = len(groups) == 1 or (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    )
    units = "".join(groups) or ("0" if decimals else "")
    if not (grouped and re.fullmatch(r"\d+", units) and re.fullmatch(r"\d{0,2}", decimals)):
        raise StatementError("bad_amount", line=line, value=raw)
    cents = int(units) * 100 + int(decimals.ljust(2, "0"))
    return -cents if negative else cents


def guess_decimal_comma(samples) -> bool:
    """Whether amounts in ``samples`` use a decimal comma (French banks) rather than a point."""
    votes = Counter()
    for raw in samples:
        text = _SPACES.sub("", raw or "")
        match = re.search(r"([.,])(\d{1,2})\D*$", text)
        if match:
            votes[match[1]] += 1
    return votes[","] >= votes["."]


_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%Y%m%d",
    "%d-%m-%y",
)


def parse_date(raw: str, *, line: int | None = None) -> date:
    """Day first, as every French bank writes it; ISO dates and date-times too."""
    text = (raw or "").strip()
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?", text)
    if iso:
        text = iso[1]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise StatementError("bad_date", line=line, value=raw)


def normalise_iban(raw: str | None) -> str | None:
    text = re.sub(r"[\s\-.]", "", raw or "").upper()
    return text if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", text) else None


def clean_text(*parts: str | None) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p and p.strip())


def add_fingerprints(transactions: list[dict], *, account: str | None) -> list[BankTransaction]:
    """BankTransactions with their fingerprints, from dicts of their fields (see module rule)."""
    seen: Counter = Counter()
    result = []
    for fields in transactions:
        if fields.get("entry_ref"):
            basis = ("ref", fields["entry_ref"], fields["amount_cents"])
        else:
            basis = (
                "content",
                fields["booked_on"].isoformat(),
                fields["amount_cents"],
                fields["currency"],
                fields["text"].upper(),
                fields.get("payer_iban") or "",
            )
        seen[basis] += 1
        text = "\x1f".join(map(str, ("v1", account or "", *basis, seen[basis])))
        result.append(
            BankTransaction(**fields, fingerprint=hashlib.sha256(text.encode()).hexdigest())
        )
    return result
