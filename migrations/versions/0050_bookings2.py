"""Bookings, second part (issue 19): the seat count includes held waiting-list offers, events get
an organiser contact e-mail and a reminder setting, registrations remember their reminder.

- `ix_registration_event_id_facets` gains `offer_expires_at`, so the per-event counts (confirmed,
  waiting, held offers) still read the index alone (services/counts.event_counts).
- `event.contact_email` (the organiser's contact shown in the participants' e-mails) and
  `event.reminder_hours` (hours before the start the reminder goes out; NULL: the default).
- `registration.reminded_at`: when the reminder e-mail was queued (sent once).

Only nullable columns are added (plain ALTER TABLE ADD COLUMN, also on SQLite): existing rows
keep their values and read as "default".

Revision ID: 0050_bookings2
Revises: 0040_teams
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0050_bookings2"
down_revision = "0040_teams"
branch_labels = None
depends_on = None

FACETS = ["event_id", "status", "category", "region", "checked_in_at"]


@contextmanager
def _sqlite_rebuild(table):
    """(Copied from 0010_bookings: a revision imports no other.) SQLite rebuilds a table to
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
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("reminder_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_registration_event_id_facets", table_name="registration")
    op.create_index(
        "ix_registration_event_id_facets", "registration", [*FACETS, "offer_expires_at"]
    )


def downgrade():
    op.drop_index("ix_registration_event_id_facets", table_name="registration")
    op.create_index("ix_registration_event_id_facets", "registration", FACETS)
    # Dropping a column rebuilds the table on SQLite (see _sqlite_rebuild).
    with _sqlite_rebuild("registration"), op.batch_alter_table("registration") as batch:
        batch.drop_column("reminded_at")
    with _sqlite_rebuild("event"), op.batch_alter_table("event") as batch:
        batch.drop_column("reminder_hours")
        batch.drop_column("contact_email")
