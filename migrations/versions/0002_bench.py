"""Indexes for big attendee lists (issue 5, benchmark): covering sort indexes and a facets
index, so pages deep in 100,000 registrations, the counts and the filters read indexes only;
and a trigram index for the attendee search (names, e-mail, organisation, any part of a
word): pg_trgm's GIN index on PostgreSQL, an FTS5 trigram table kept by triggers on SQLite.

Revision ID: 0002_bench
Revises: 0001_initial
"""

from alembic import op
from sqlalchemy.exc import OperationalError

revision = "0002_bench"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


SEARCH_TEXT_SQLITE = (
    "{r}.last_name || ' ' || {r}.first_name || ' ' || coalesce({r}.email, '') || ' ' || "
    "{r}.organisation_name"
)
SEARCH_INDEX_PG = (
    "CREATE INDEX ix_registration_search ON registration USING gin "
    "((lower(last_name || ' ' || first_name || ' ' || coalesce(email, '') || ' ' || "
    "organisation_name)) gin_trgm_ops)"
)


def sqlite_has_trigram_fts(connection) -> bool:
    """FTS5's trigram tokenizer needs SQLite 3.34 (2020) built with FTS5, as Python's own
    builds are. Without it the attendee search compares every row (eventapp.organiser.filters
    looks for the table), so the app still works on any SQLite."""
    try:
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(text, tokenize='trigram')"
        )
    except OperationalError:  # no such module: fts5, or no such tokenizer: trigram
        return False
    connection.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def upgrade():
    op.drop_index("ix_registration_event_id_last_name", table_name="registration")
    op.create_index(
        "ix_registration_event_id_last_name",
        "registration",
        ["event_id", "last_name", "first_name", "id", "status"],
    )
    op.drop_index("ix_registration_event_id_created_at", table_name="registration")
    op.create_index(
        "ix_registration_event_id_created_at",
        "registration",
        ["event_id", "created_at", "id", "status"],
    )
    op.create_index(
        "ix_registration_event_id_facets",
        "registration",
        ["event_id", "status", "category", "region", "checked_in_at"],
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(SEARCH_INDEX_PG)
    elif dialect == "sqlite" and sqlite_has_trigram_fts(op.get_bind()):
        create_sqlite_search(op.execute)


def create_sqlite_search(execute) -> None:
    """The FTS5 trigram table of the attendee search, filled, and the triggers that keep it."""
    new, old = SEARCH_TEXT_SQLITE.format(r="new"), SEARCH_TEXT_SQLITE.format(r="registration")
    execute("CREATE VIRTUAL TABLE registration_search USING fts5(text, tokenize='trigram')")
    execute(f"INSERT INTO registration_search (rowid, text) SELECT id, {old} FROM registration")
    execute(
        "CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN "
        f"INSERT INTO registration_search (rowid, text) VALUES (new.id, {new}); END"
    )
    execute(
        "CREATE TRIGGER registration_search_update AFTER UPDATE OF last_name, first_name, "
        "email, organisation_name ON registration BEGIN "
        f"UPDATE registration_search SET text = {new} WHERE rowid = new.id; END"
    )
    execute(
        "CREATE TRIGGER registration_search_delete AFTER DELETE ON registration BEGIN "
        "DELETE FROM registration_search WHERE rowid = old.id; END"
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search")
    elif dialect == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS registration_search_{name}")
        op.execute("DROP TABLE IF EXISTS registration_search")
    op.drop_index("ix_registration_event_id_facets", table_name="registration")
    op.drop_index("ix_registration_event_id_created_at", table_name="registration")
    op.create_index(
        "ix_registration_event_id_created_at", "registration", ["event_id", "created_at"]
    )
    op.drop_index("ix_registration_event_id_last_name", table_name="registration")
    op.create_index(
        "ix_registration_event_id_last_name",
        "registration",
        ["event_id", "last_name", "first_name"],
    )
