"""Programme leftovers (issue 16): a programme imported on the attendee import's steps
(`import_upload.kind`: "attendees" or "programme").

Revision ID: 0170_prog
Revises: 0150_org_legal
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0170_prog"
down_revision = "0150_org_legal"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "import_upload",
        sa.Column("kind", sa.String(length=20), server_default="attendees", nullable=False),
    )


def downgrade():
    with op.batch_alter_table("import_upload") as batch:
        batch.drop_column("kind")
