"""Reading an import file: CSV (UTF-8 or Windows-1252, any usual delimiter) or XLSX, into
(line number, cells) records. A file that cannot be read as a whole raises ImportFileError."""

from __future__ import annotations

import csv
import io
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventapp.services.errors import ServiceError

MAX_ROWS = 5000


def _missing_columns(info) -> str:
    names = info.get("labels") or {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("E-mail"),
    }
    return _(
        "The file has no column for: %(columns)s. The first row must name the columns.",
        columns=", ".join(str(names.get(c, c)) for c in info.get("columns", ())),
    )


class ImportFileError(ServiceError):
    """The file as a whole cannot be read or imported; `code` says why. It is about the
    uploaded file (`field="file"`)."""

    kind = "import"
    DEFAULT_STATUS = 400  # a file that cannot be read is invalid input

    class Code(StrEnum):
        EMPTY = "empty"
        NO_ROWS = "no_rows"
        ENCODING = "encoding"
        UNREADABLE = "unreadable"
        TOO_MANY_ROWS = "too_many_rows"
        MISSING_COLUMNS = "missing_columns"
        ALREADY_IMPORTED = "already_imported"

    MESSAGES = {
        Code.EMPTY: _l("The file is empty."),
        Code.NO_ROWS: _l("The file has a header row but nobody in it."),
        Code.ENCODING: _l("The file's text encoding is not recognised: save it as UTF-8 CSV."),
        Code.UNREADABLE: _l("This file cannot be read: send a CSV file or an Excel .xlsx file."),
        Code.TOO_MANY_ROWS: lambda info: _(
            "The file has more than %(num)s rows: split it into smaller files.",
            num=info.get("limit", MAX_ROWS),
        ),
        Code.MISSING_COLUMNS: _missing_columns,
        Code.ALREADY_IMPORTED: _l("This file has already been imported."),
    }
    STATUS = {Code.ALREADY_IMPORTED: 409}

    def __init__(self, code: ImportFileError.Code, *, field: str | None = "file", **info):
        super().__init__(code, field=field, **info)


Code = ImportFileError.Code


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(Code.ENCODING)


def _csv_records(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportFileError(Code.UNREADABLE)
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
            if len(records) > MAX_ROWS + 1:
                raise ImportFileError(Code.TOO_MANY_ROWS, limit=MAX_ROWS)
    except csv.Error as error:
        raise ImportFileError(Code.UNREADABLE) from error
    return records


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError(Code.UNREADABLE) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(Code.EMPTY)
        records = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            records.append((number, [_cell_text(v) for v in values]))
            if len(records) > MAX_ROWS + 1:
                raise ImportFileError(Code.TOO_MANY_ROWS, limit=MAX_ROWS)
        return records
    finally:
        workbook.close()


def read_records(content: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every row of the file, header included."""
    if not content:
        raise ImportFileError(Code.EMPTY)
    if content[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return _xlsx_records(content)
    return _csv_records(content)
