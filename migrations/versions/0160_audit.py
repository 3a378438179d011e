"""A card checkout left unfinished holds the seats for its own 30 minutes (issue 14), not the
transfer's 10 days: `booking_payment.transfer_due_at` keeps the transfer deadline while
`due_at` is the card checkout's, so that a booker who goes back to the transfer gets it again.
Existing payments: their deadline is a transfer deadline (copied). Not personal data.

Revision ID: 0160_audit
Revises: 0150_org_legal
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0160_audit"
down_revision = "0150_org_legal"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "booking_payment", sa.Column("transfer_due_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE booking_payment SET transfer_due_at = due_at WHERE due_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("booking_payment") as batch:
        batch.drop_column("transfer_due_at")
