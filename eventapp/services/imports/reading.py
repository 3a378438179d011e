"""Reading an import file: CSV (UTF-8 or Windows-1252, any usual delimiter) or XLSX, into
(line number, cells) records. A file that cannot be read as a whole raises ImportFileError."""

from __future__ import annotations

import csv
import io

MAX_ROWS = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read; `code` says why."""

    def __init__(self, code: str, **info):
        super().__init__(code)
        self.code = code
        self.info = info


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("encoding")


def _csv_records(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportFileError("unreadable")
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
                raise ImportFileError("too_many_rows", limit=MAX_ROWS)
    except csv.Error as error:
        raise ImportFileError("unreadable") from error
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
        raise ImportFileError("unreadable") from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError("empty")
        records = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            records.append((number, [_cell_text(v) for v in values]))
            if len(records) > MAX_ROWS + 1:
                raise ImportFileError("too_many_rows", limit=MAX_ROWS)
        return records
    finally:
        workbook.close()


def read_records(content: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every row of the file, header included."""
    if not content:
        raise ImportFileError("empty")
    if content[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return _xlsx_records(content)
    return _csv_records(content)
