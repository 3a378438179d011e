"""Attendee import from CSV or XLSX, by step: reading.py (the file into rows), checking.py
(every row checked, with its line and the reasons it is refused), importing.py (the upload
kept until the organiser confirms, then the good rows registered through the seat rule in
one transaction). The names callers use are re-exported here."""

from eventapp.services.imports.checking import (
    PERSON_KEYS,
    QUESTION_PREFIX,
    ImportRow,
    MappedFile,
    Preview,
    RowProblem,
    check,
    header_of,
    import_questions,
    map_columns,
    mapping_from_names,
)
from eventapp.services.imports.importing import (
    CHECKERS,
    ImportResult,
    import_upload,
    preview,
    receive,
    register_kind,
    set_mapping,
    store_upload,
)
from eventapp.services.imports.reading import MAX_ROWS, ImportFileError, read_records

__all__ = [
    "CHECKERS",
    "MAX_ROWS",
    "PERSON_KEYS",
    "QUESTION_PREFIX",
    "ImportFileError",
    "ImportResult",
    "ImportRow",
    "MappedFile",
    "Preview",
    "RowProblem",
    "check",
    "header_of",
    "import_questions",
    "import_upload",
    "map_columns",
    "mapping_from_names",
    "preview",
    "read_records",
    "receive",
    "register_kind",
    "set_mapping",
    "store_upload",
]
