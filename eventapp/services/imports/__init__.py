"""Attendee import from CSV or XLSX, by step: reading.py (the file into rows), checking.py
(every row checked, with its line and the reasons it is refused), importing.py (the upload
kept until the organiser confirms, then the good rows registered through the seat rule in
one transaction). The names callers use are re-exported here."""

from eventapp.services.imports.checking import ImportRow, Preview, RowProblem, check
from eventapp.services.imports.importing import (
    ImportResult,
    import_upload,
    preview,
    store_upload,
)
from eventapp.services.imports.reading import MAX_ROWS, ImportFileError, read_records

__all__ = [
    "MAX_ROWS",
    "ImportFileError",
    "ImportResult",
    "ImportRow",
    "Preview",
    "RowProblem",
    "check",
    "import_upload",
    "preview",
    "read_records",
    "store_upload",
]
