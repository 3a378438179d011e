"""A moved registration remembers where it came from: `registration.transferred_from_id`, the
registration it was moved from (the source keeps its cancelled row). Not personal data: an id.
No foreign key: on SQLite adding one means a batch copy of the table, which would drop the
triggers that keep the attendee search's FTS5 table (0002, 0004); a plain ADD COLUMN here.

Revision ID: 0030_security
Revises: 0010_bookings
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_security"
down_revision = "0010_bookings"
branch_labels = None
depends_on = None

INDEX_NAME = "ix_registration_transferred_from_id"


def upgrade():
    op.add_column("registration", sa.Column("transferred_from_id", sa.Integer(), nullable=True))
    op.create_index(INDEX_NAME, "registration", ["transferred_from_id"], unique=False)


def downgrade():
    op.drop_index(INDEX_NAME, table_name="registration")
    op.drop_column("registration", "transferred_from_id")  # SQLite 3.35+: a plain DROP COLUMN
