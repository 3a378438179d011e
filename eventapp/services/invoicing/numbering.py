"""The continuous numbering of an organisation's documents (CGI annexe II, art. 242 nonies A):
no gap, no duplicate, never reset, also when payments arrive at the same moment.

The next number is taken from the organisation's counter row under a lock held until the end
of the transaction that issues the document: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite
the transaction holds the database's write lock (BEGIN IMMEDIATE: POST requests and
`write_transaction()` do), so writers are serialised. A transaction that rolls back gives its
number back with it: the next issuance takes the same one, so no gap is left.
"""

from __future__ import annotations

from sqlalchemy import select, update

from eventapp.database import is_sqlite
from eventapp.extensions import db
from eventapp.models import DocumentCounter, DocumentKind

PREFIXES = {"invoice": "F", "quote": "D"}


def format_number(series: str, number: int) -> str:
    """F-000001 for invoices and credit notes (one sequence), D-000001 for quotes."""
    return f"{PREFIXES[series]}-{number:06d}"


def _ensure_counter(organisation_id: int, series: str) -> None:
    if is_sqlite():
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    db.session.execute(
        insert(DocumentCounter)
        .values(organisation_id=organisation_id, series=series, last_number=0)
        .on_conflict_do_nothing(index_elements=["organisation_id", "series"])
    )


def take_number(organisation_id: int, kind: DocumentKind) -> tuple[int, str]:
    """The next number of `kind`'s series at the organisation, as (integer, text). Call it in
    the transaction that writes the document, as late as possible (the lock lasts until its
    end)."""
    series = DocumentKind(kind).series
    if is_sqlite() and not db.session.connection().info.get("sqlite_immediate"):
        raise RuntimeError(
            "Numbering a document on SQLite needs a write transaction: run it in a POST "
            "request or inside eventapp.database.write_transaction()."
        )
    _ensure_counter(organisation_id, series)
    where = (DocumentCounter.organisation_id == organisation_id) & (
        DocumentCounter.series == series
    )
    last = db.session.scalar(select(DocumentCounter.last_number).where(where).with_for_update())
    number = last + 1
    db.session.execute(
        update(DocumentCounter)
        .where(where)
        .values(last_number=number)
        .execution_options(synchronize_session=False)
    )
    return number, format_number(series, number)
