"""Accent-insensitive attendee search: `registration.search_text` holds the names, e-mail and
organisation folded (lower case, no accents, ligatures spelled out: eventapp/text.py), filled
for every existing row here and kept by the model afterwards. The trigram indexes of 0002 and
0003 move onto it: "lefevre" finds "Lefèvre", "oeuvray" finds "Œuvray".

Revision ID: 0004_search_text
Revises: 0003_search_page_index
"""

import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import OperationalError

revision = "0004_search_text"
down_revision = "0003_search_page_index"
branch_labels = None
depends_on = None

BATCH = 5000
SORT_COLUMNS = ["event_id", "last_name", "first_name", "id", "status"]

# The folding of eventapp/text.py as it was when this revision was written, copied so that the
# migration keeps filling the same text whatever the application's code becomes.
_FOLD = {"ø": "o", "ł": "l", "œ": "oe", "æ": "ae", "ß": "ss", "đ": "d", "ı": "i"}


def _fold(text):
    text = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for letter, plain in _FOLD.items():
        text = text.replace(letter, plain)
    return " ".join(text.split())


def search_text(last_name, first_name, email, organisation):
    return _fold(" ".join(part for part in (last_name, first_name, email, organisation) if part))


def _fill(connection) -> None:
    registration = sa.table(
        "registration",
        sa.column("id"),
        sa.column("last_name"),
        sa.column("first_name"),
        sa.column("email"),
        sa.column("organisation_name"),
        sa.column("search_text"),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                registration.c.id,
                registration.c.last_name,
                registration.c.first_name,
                registration.c.email,
                registration.c.organisation_name,
            )
            .where(registration.c.id > last)
            .order_by(registration.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            sa.update(registration)
            .where(registration.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [{"row_id": row[0], "text": search_text(*row[1:])} for row in rows],
        )
        last = rows[-1][0]


def _sqlite_search_table_exists(connection) -> bool:
    return (
        connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'registration_search'"
        ).first()
        is not None
    )


def create_sqlite_search(execute) -> None:
    """The FTS5 trigram table of the attendee search on the folded text, filled, and the
    triggers that keep it."""
    execute("CREATE VIRTUAL TABLE registration_search USING fts5(text, tokenize='trigram')")
    execute("INSERT INTO registration_search (rowid, text) SELECT id, search_text FROM registration")
    execute(
        "CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN "
        "INSERT INTO registration_search (rowid, text) VALUES (new.id, new.search_text); END"
    )
    execute(
        "CREATE TRIGGER registration_search_update AFTER UPDATE OF search_text ON registration "
        "BEGIN UPDATE registration_search SET text = new.search_text WHERE rowid = new.id; END"
    )
    execute(
        "CREATE TRIGGER registration_search_delete AFTER DELETE ON registration BEGIN "
        "DELETE FROM registration_search WHERE rowid = old.id; END"
    )


def drop_sqlite_search(execute) -> None:
    for name in ("insert", "update", "delete"):
        execute(f"DROP TRIGGER IF EXISTS registration_search_{name}")
    execute("DROP TABLE IF EXISTS registration_search")


def upgrade():
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    _fill(connection)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search")
        op.execute(
            "CREATE INDEX ix_registration_search ON registration "
            "USING gin (search_text gin_trgm_ops)"
        )
        op.drop_index("ix_registration_event_id_last_name", table_name="registration")
        op.create_index(
            "ix_registration_event_id_last_name",
            "registration",
            SORT_COLUMNS,
            postgresql_include=["search_text"],
        )
    elif dialect == "sqlite" and _sqlite_search_table_exists(connection):
        drop_sqlite_search(op.execute)
        create_sqlite_search(op.execute)


def downgrade():
    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search")
        op.drop_index("ix_registration_event_id_last_name", table_name="registration")
        op.create_index(
            "ix_registration_event_id_last_name",
            "registration",
            SORT_COLUMNS,
            postgresql_include=["email", "organisation_name"],
        )
    elif dialect == "sqlite" and _sqlite_search_table_exists(connection):
        drop_sqlite_search(op.execute)
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("search_text")
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_registration_search ON registration USING gin "
            "((lower(last_name || ' ' || first_name || ' ' || coalesce(email, '') || ' ' || "
            "organisation_name)) gin_trgm_ops)"
        )
    elif dialect == "sqlite" and _sqlite_has_trigram_fts(connection):
        _create_sqlite_search_0002(op.execute)


# Going back to 0002's search table (on the raw columns), as 0002 built it: copied here so that
# no revision imports another.
_SEARCH_TEXT_0002 = (
    "{r}.last_name || ' ' || {r}.first_name || ' ' || coalesce({r}.email, '') || ' ' || "
    "{r}.organisation_name"
)


def _sqlite_has_trigram_fts(connection) -> bool:
    try:
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(text, tokenize='trigram')"
        )
    except OperationalError:  # no such module: fts5, or no such tokenizer: trigram
        return False
    connection.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def _create_sqlite_search_0002(execute) -> None:
    new, old = _SEARCH_TEXT_0002.format(r="new"), _SEARCH_TEXT_0002.format(r="registration")
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
