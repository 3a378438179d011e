"""Bookings, questions and fees leftovers: an event's online changes deadline
(`event.changes_until`: participants cancel or change their registration online until then)
and its practical information in French and English (`event.practical_info_fr/_en`, shown
after registering, in the confirmation e-mail and on the manage page). Existing events keep
no deadline and no text. A tour's rate is a pass or a price per stage
(`price_category.per_stage`, false: a pass; existing rates are events' own, where it has no
effect). A checked rate's proof (`booking_payment.proof_name/_type/_data`: personal data,
cleared with the justification).

Revision ID: 0100_rest
Revises: 0090_fees
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0100_rest"
down_revision = "0090_fees"
branch_labels = None
depends_on = None


@contextmanager
def _sqlite_rebuild(table):
    """(Copied from 0050_bookings2: a revision imports no other.) SQLite rebuilds a table to
    change a column (batch mode): dropping the old table with
    foreign keys on would run its ON DELETE actions (audit and outbox rows losing their
    registration, registrations deleted with their event), and its triggers (the attendee
    search's FTS table, 0004) go with it. The pragma only changes between transactions:
    commit, switch it off, rebuild, put the triggers back, check, switch it back on."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    triggers = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        )
        .scalars()
        .all()
    )
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    yield
    for sql in triggers:
        bind.exec_driver_sql(sql)
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = ON")
    bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade():
    # Plain ADD COLUMNs (no table rebuild on SQLite); the server default fills existing rows.
    with op.batch_alter_table("event", schema=None) as batch:
        batch.add_column(sa.Column("changes_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("practical_info_fr", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("practical_info_en", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("price_category", schema=None) as batch:
        batch.add_column(
            sa.Column("per_stage", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("booking_payment", schema=None) as batch:
        batch.add_column(sa.Column("proof_name", sa.String(length=150), nullable=True))
        batch.add_column(sa.Column("proof_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("proof_data", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("booking_payment", schema=None) as batch:
        batch.drop_column("proof_data")
        batch.drop_column("proof_type")
        batch.drop_column("proof_name")
    with op.batch_alter_table("price_category", schema=None) as batch:
        batch.drop_column("per_stage")
    # Dropping a column rebuilds the table on SQLite (see _sqlite_rebuild).
    with _sqlite_rebuild("event"), op.batch_alter_table("event", schema=None) as batch:
        batch.drop_column("practical_info_en")
        batch.drop_column("practical_info_fr")
        batch.drop_column("changes_until")
