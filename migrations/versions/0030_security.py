"""A moved registration remembers where it came from: `registration.transferred_from_id`, the
registration it was moved from (the source keeps its cancelled row; NULL once that row is
purged). Not personal data: an id.

Revision ID: 0030_security
Revises: 0004_search_text
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_security"
down_revision = "0004_search_text"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transferred_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_registration_transferred_from_id"), ["transferred_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_registration_transferred_from_id_registration"),
            "registration",
            ["transferred_from_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_registration_transferred_from_id_registration"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_registration_transferred_from_id"))
        batch_op.drop_column("transferred_from_id")
