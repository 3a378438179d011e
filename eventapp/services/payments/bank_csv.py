"""CSV bank statements: decoding, the column mapping (suggested from the header row, saved once
by the organiser), and the parser.

Tolerates what French banks export: ``;`` (or ``,``, tab) separators, decimal comma, thousands
separated by spaces, day-first dates, UTF-8 with or without BOM, UTF-16, Windows-1252, lines
of account information before the table, balance lines after it, a label that goes on over
several lines. Columns are named by their header text (compared without case or accents), so a
saved mapping survives a bank reordering its columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from dataclasses import asdict, dataclass, fields

from eventapp.services.payments.bank_types import (
    MAX_TRANSACTIONS,
    Statement,
    StatementError,
    add_fingerprints,
    clean_text,
    guess_decimal_comma,
    normalise_iban,
    parse_amount,
    parse_date,
)
from eventapp.text import fold

DELIMITERS = (";", ",", "\t", "|")
_SCAN_ROWS = 60  # how far down the header row is looked for


def _key(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text or "")).strip()


# Header names seen in French and English exports (folded, punctuation as spaces).
ALIASES = {
    "date": {
        "date",
        "date operation",
        "date de l operation",
        "date d operation",
        "date comptable",
        "date de comptabilisation",
        "date de l operation utc",
        "booking date",
        "transaction date",
        "settlement date",
        "settlement date utc",
        "date operation utc",
    },
    "value_date": {"date de valeur", "date valeur", "value date", "date de valeur utc"},
    "amount": {
        "montant",
        "montant de l operation",
        "montant operation",
        "montant euros",
        "montant eur",
        "montant en euros",
        "montant operation en euro",
        "amount",
        "montant ttc",
        "montant en euro",
    },
    "debit": {"debit", "debits", "debit euros", "debit eur", "debit en euros", "debit euro"},
    "credit": {"credit", "credits", "credit euros", "credit eur", "credit en euros", "credit euro"},
    "text": {
        "libelle",
        "libelle operation",
        "libelle de l operation",
        "libelle court",
        "libelle simplifie",
        "libelle complet",
        "detail",
        "details",
        "detail de l ecriture",
        "description",
        "label",
        "motif",
        "reference",
        "communication",
        "informations complementaires",
        "remittance information",
        "type operation",
    },
    "payer_name": {
        "nom de la contrepartie",
        "contrepartie",
        "emetteur",
        "nom emetteur",
        "donneur d ordre",
        "tiers",
        "nom du tiers",
        "counterparty",
        "counterparty name",
        "payer",
        "payer name",
        "debiteur",
    },
    "payer_iban": {
        "iban",
        "iban contrepartie",
        "iban de la contrepartie",
        "iban emetteur",
        "compte contrepartie",
        "counterparty iban",
        "iban du tiers",
    },
    "entry_ref": {
        "reference operation",
        "numero d operation",
        "id operation",
        "id de transaction",
        "transaction id",
        "id",
        "reference bancaire",
        "numero de transaction",
        "reference banque",
    },
    "currency": {"devise", "currency", "monnaie"},
}
_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_PREFIXES = (
    ("montant", "amount"),
    ("debit", "debit"),
    ("credit", "credit"),
    ("libelle", "text"),
    ("date", "date"),
)
_FOOTER = ("solde", "total", "ancien solde", "nouveau solde", "balance", "sous total")


@dataclass(frozen=True)
class ColumnMapping:
    """Which header holds what. ``text`` may name several columns, joined in that order.
    Either ``amount`` (signed) or ``debit`` and ``credit``. ``decimal_comma`` None: guessed."""

    date: str | None = None
    text: tuple[str, ...] = ()
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    payer_name: str | None = None
    payer_iban: str | None = None
    entry_ref: str | None = None
    currency: str | None = None
    value_date: str | None = None
    decimal_comma: bool | None = None

    def __post_init__(self):
        text = (self.text,) if isinstance(self.text, str) else tuple(self.text or ())
        object.__setattr__(self, "text", text)

    def missing(self) -> list[str]:
        """The fields still to choose before this mapping can read a file."""
        missing = [] if self.date else ["date"]
        if not self.amount and not (self.debit and self.credit):
            missing.append("amount")
        if not self.text:
            missing.append("text")
        return missing

    def columns(self) -> list[str]:
        values = [
            getattr(self, f.name) for f in fields(self) if f.name not in ("text", "decimal_comma")
        ]
        return [c for c in [*values, *self.text] if c]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["text"] = list(self.text)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ColumnMapping:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


@dataclass(frozen=True)
class CsvLayout:
    """What the file looks like: for the mapping form (the header's columns, a suggestion)."""

    encoding: str
    delimiter: str
    header_line: int  # 1-based line of the header row
    header: tuple[str, ...]
    suggestion: ColumnMapping


def suggest_mapping(header) -> ColumnMapping:
    """A mapping from the header row's names; fields it cannot tell stay empty (see missing())."""
    found: dict[str, str] = {}
    texts: list[str] = []
    for column in header:
        key = _key(column)
        name = _LOOKUP.get(key) or next(
            (field for prefix, field in _PREFIXES if key.startswith(prefix + " ")), None
        )
        if name == "text":
            texts.append(column)
        elif name and name not in found:
            found[name] = column
    if "amount" in found:  # one signed column wins over a debit/credit pair
        found.pop("debit", None), found.pop("credit", None)
    return ColumnMapping(text=tuple(texts), **found)


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: a BOM says it; else UTF-8 if it is valid, else Windows-1252
    (what French banks' older exports use), else Latin-1 (never fails)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise StatementError("unknown_format", kind="binary") from None
    if b"\x00" in data:
        raise StatementError("unknown_format", kind="binary")
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _rows(text: str, delimiter: str):
    """(line number where the record starts, cells) of each CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    line = 1
    try:
        for cells in reader:
            yield line, [cell.strip() for cell in cells]
            line = reader.line_num + 1
    except csv.Error:
        raise StatementError("unknown_format", kind="csv") from None


def _find_header(text: str, mapping: ColumnMapping | None):
    """(delimiter, line, header) of the table's header row, scanning each delimiter."""
    best = None
    for delimiter in DELIMITERS:
        try:
            found = _header_for(text, delimiter, mapping)
        except StatementError:  # not this delimiter
            continue
        if found and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        best = _guess_header(text)
        if best is None:
            raise StatementError("no_header")
        if mapping is not None:
            present = {_key(cell) for cell in best[3]}
            missing = [c for c in mapping.columns() if _key(c) not in present]
            raise StatementError("missing_column", columns=", ".join(missing))
    return best[1:]


def _guess_header(text: str):
    """For headers we do not recognise: the first row of two or more names followed by a row
    of as many cells holding a date (the mapping form then lets the organiser choose)."""
    best = None
    for delimiter in DELIMITERS:
        try:
            rows = list(itertools.islice(_rows(text, delimiter), _SCAN_ROWS))
        except StatementError:
            continue
        for (line, cells), (_, following) in itertools.pairwise(rows):
            filled = [cell for cell in cells if cell]
            if (
                len(filled) >= 2
                and len(following) == len(cells)
                and any(_is_date(cell) for cell in following)
            ):
                if best is None or len(filled) > best[0]:
                    best = (len(filled), delimiter, line, cells)
                break
    return best


def _is_date(text: str) -> bool:
    try:
        parse_date(text)
    except StatementError:
        return False
    return True


def _header_for(text: str, delimiter: str, mapping: ColumnMapping | None):
    wanted = {_key(c) for c in mapping.columns()} if mapping is not None else None
    for count, (line, cells) in enumerate(_rows(text, delimiter)):
        if count >= _SCAN_ROWS:
            return None
        if wanted is not None:
            ok = wanted <= {_key(cell) for cell in cells if cell}
        else:
            ok = not suggest_mapping(cells).missing()
        if ok:
            return (len(cells), delimiter, line, cells)
    return None


def read_layout(data: bytes) -> CsvLayout:
    """Encoding, separator, header row and a suggested mapping, for the mapping form."""
    text, encoding = decode(data)
    delimiter, line, header = _find_header(text, None)
    return CsvLayout(encoding, delimiter, line, tuple(header), suggest_mapping(header))


def parse_csv(
    data: bytes,
    mapping: ColumnMapping | None = None,
    *,
    currency: str = "EUR",
    account: str | None = None,
) -> Statement:
    """The statement's transactions. Without ``mapping``, the one suggested from the header row
    (StatementError mapping_needed when it cannot tell every required field)."""
    text, encoding = decode(data)
    delimiter, header_line, header = _find_header(text, mapping)
    if mapping is None:
        mapping = suggest_mapping(header)
    if mapping.missing():
        raise StatementError("mapping_needed", fields=", ".join(mapping.missing()))
    index = {}
    for position, name in enumerate(header):
        index.setdefault(_key(name), position)
    for column in mapping.columns():
        if _key(column) not in index:
            raise StatementError("missing_column", columns=column)

    def cell(cells, column):
        position = index[_key(column)] if column else None
        return cells[position] if position is not None and position < len(cells) else ""

    rows = [(line, cells) for line, cells in _rows(text, delimiter) if line > header_line]
    amount_columns = [c for c in (mapping.amount, mapping.debit, mapping.credit) if c]
    decimal_comma = mapping.decimal_comma
    if decimal_comma is None:
        decimal_comma = guess_decimal_comma(cell(r, c) for _, r in rows for c in amount_columns)
    found: list[dict] = []
    for line, cells in rows:
        if not any(cells):
            continue
        raw_date = cell(cells, mapping.date)
        amounts = [cell(cells, c) for c in amount_columns]
        label = clean_text(*(cell(cells, c) for c in mapping.text))
        if not raw_date and not any(amounts):
            if label and found:  # the label goes on in a row of its own
                found[-1]["text"] = clean_text(found[-1]["text"], label)
            continue
        try:
            booked_on = parse_date(raw_date, line=line)
        except StatementError:
            first = _key(next((c for c in cells if c), ""))
            if first.startswith(_FOOTER):
                continue
            raise
        if len(found) >= MAX_TRANSACTIONS:
            raise StatementError("too_many_transactions", limit=MAX_TRANSACTIONS)
        row_currency = (cell(cells, mapping.currency) or currency).upper()
        if not re.fullmatch(r"[A-Z]{3}", row_currency):
            raise StatementError("bad_currency", line=line, value=row_currency)
        value_date = cell(cells, mapping.value_date)
        found.append(
            {
                "booked_on": booked_on,
                "amount_cents": _amount(mapping, cells, cell, decimal_comma, line),
                "currency": row_currency,
                "text": label,
                "payer_name": cell(cells, mapping.payer_name) or None,
                "payer_iban": normalise_iban(cell(cells, mapping.payer_iban)),
                "entry_ref": cell(cells, mapping.entry_ref) or None,
                "line": line,
                "value_date": parse_date(value_date, line=line) if value_date else None,
            }
        )
    return Statement("csv", tuple(add_fingerprints(found, account=account)), account, encoding)


def _amount(mapping, cells, cell, decimal_comma, line) -> int:
    if mapping.amount:
        return parse_amount(cell(cells, mapping.amount), decimal_comma=decimal_comma, line=line)
    debit, credit = cell(cells, mapping.debit), cell(cells, mapping.credit)
    values = [
        sign * abs(parse_amount(raw, decimal_comma=decimal_comma, line=line))
        for sign, raw in ((-1, debit), (1, credit))
        if raw
    ]
    values = [v for v in values if v] or values
    if len(values) != 1:
        raise StatementError("bad_amount", line=line, value=f"{debit} / {credit}")
    return values[0]
