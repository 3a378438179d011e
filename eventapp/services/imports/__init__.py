"""Attendee import from CSV or XLSX, by step: reading.py (the file into rows), checking.py
(every row checked, with its line and the reasons it is refused), importing.py (the upload
kept until the organiser confirms, then the good rows registered through the seat rule in
one transaction). The names callers use are re-exported here."""

from eventapp.services.imports.checking import (
    PERSON_KEYS,
    QUESTION_PREFIX,
    ImportRow,
    Preview,
    RowProblem,
    check,
    header_of,
    import_questions,
)
from eventapp.services.imports.importing import (
    ImportResult,
    import_upload,
    preview,
    set_mapping,
    store_upload,
)
from eventapp.services.imports.reading import MAX_ROWS, ImportFileError, read_records

__all__ = [
    "MAX_ROWS",
    "PERSON_KEYS",
    "QUESTION_PREFIX",
    "ImportFileError",
    "ImportResult",
    "ImportRow",
    "Preview",
    "RowProblem",
    "check",
    "header_of",
    "import_questions",
    "import_upload",
    "preview",
    "read_records",
    "set_mapping",
    "store_upload",
]
