"""Counting the SQL statements a piece of code runs (the no-N+1 tests)."""

from contextlib import contextmanager

from sqlalchemy import event as sa_event


@contextmanager
def count_queries(engine):
    """with count_queries(db.engine) as queries: ...; len(queries) statements ran."""
    statements: list[str] = []

    def _before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", _before)
