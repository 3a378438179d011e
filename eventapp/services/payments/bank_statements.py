"""Bank statement import: one entry point for every format we read.

``parse_statement(data)`` tells CAMT.053 XML from CSV by the content (never by the file name)
and returns a Statement of normalised BankTransactions; anything else is a StatementError with
a code the integration translates (see bank_types.MESSAGES). Nothing is stored here: the
integration keeps the transactions' fingerprints so a second import of the same statement
changes nothing (matching skips them).

Typical use::

    layout = read_layout(data)            # CSV only: columns and a suggested mapping
    statement = parse_statement(data, mapping=saved_mapping or layout.suggestion)
    results = match_transactions(statement.transactions, open_bookings, seen_fingerprints)
"""

from __future__ import annotations

from eventapp.services.payments.bank_camt import parse_camt
from eventapp.services.payments.bank_csv import (
    ColumnMapping,
    CsvLayout,
    parse_csv,
    read_layout,
    suggest_mapping,
)
from eventapp.services.payments.bank_types import (
    MAX_BYTES,
    MESSAGES,
    BankTransaction,
    Statement,
    StatementError,
)

__all__ = [
    "MESSAGES",
    "BankTransaction",
    "ColumnMapping",
    "CsvLayout",
    "Statement",
    "StatementError",
    "detect_format",
    "parse_camt",
    "parse_csv",
    "parse_statement",
    "read_layout",
    "suggest_mapping",
]

# Files that are certainly not a statement we read, by their first bytes.
_SIGNATURES = (
    (b"PK\x03\x04", "xlsx"),
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"%PDF", "pdf"),
    (b"OFXHEADER", "ofx"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
)


def detect_format(data: bytes) -> str:
    """ "xml" or "csv"; StatementError for an empty, oversized or other kind of file."""
    if not data or not data.strip():
        raise StatementError("empty_file")
    if len(data) > MAX_BYTES:
        raise StatementError("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    head = data[:64].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    for signature, kind in _SIGNATURES:
        if head.startswith(signature) or data.startswith(signature):
            raise StatementError("unknown_format", kind=kind)
    if head.replace(b"\x00", b"").startswith(b"<"):
        return "xml"
    if head.upper().startswith(b"!TYPE"):  # QIF
        raise StatementError("unknown_format", kind="qif")
    return "csv"


def parse_statement(
    data: bytes,
    *,
    mapping: ColumnMapping | None = None,
    currency: str = "EUR",
    account: str | None = None,
) -> Statement:
    """The transactions of a CSV (with ``mapping``, or the one suggested from its header) or
    CAMT.053 file. ``account``: the organisation's IBAN, part of each fingerprint."""
    if detect_format(data) == "xml":
        return parse_camt(data, account=account)
    return parse_csv(data, mapping, currency=currency, account=account)
