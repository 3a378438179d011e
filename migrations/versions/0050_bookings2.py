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

import sqlalchemy as sa
from alembic import op

revision = "0050_bookings2"
down_revision = "0040_teams"
branch_labels = None
depends_on = None

FACETS = ["event_id", "status", "category", "region", "checked_in_at"]


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
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("reminded_at")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("reminder_hours")
        batch.drop_column("contact_email")
