"""Indexes for big attendee lists (issue 5, benchmark): covering sort indexes and a facets
index, so pages deep in 100,000 registrations, the counts and the filters read indexes only;
and a trigram index for the attendee search (names, e-mail, organisation, any part of a
word): pg_trgm's GIN index on PostgreSQL, an FTS5 trigram table kept by triggers on SQLite.

Revision ID: 0002_bench
Revises: 0001_initial
"""

from alembic import op

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
    elif dialect == "sqlite":
        new, old = SEARCH_TEXT_SQLITE.format(r="new"), SEARCH_TEXT_SQLITE.format(r="registration")
        op.execute("CREATE VIRTUAL TABLE registration_search USING fts5(text, tokenize='trigram')")
        op.execute(f"INSERT INTO registration_search (rowid, text) SELECT id, {old} FROM registration")
        op.execute(
            "CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN "
            f"INSERT INTO registration_search (rowid, text) VALUES (new.id, {new}); END"
        )
        op.execute(
            "CREATE TRIGGER registration_search_update AFTER UPDATE OF last_name, first_name, "
            "email, organisation_name ON registration BEGIN "
            f"UPDATE registration_search SET text = {new} WHERE rowid = new.id; END"
        )
        op.execute(
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
