"""REST API leftovers (issue 17): which registrations a kept idempotent answer holds the
personal data of (`idempotent_subject`), so that erasing a person deletes those answers at
once instead of after their 24 hours. New table only; answers kept before it have no subjects
and expire as before, within 24 hours.

Revision ID: 0180_api
Revises: 0170_prog
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0180_api"
down_revision = "0170_prog"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idempotent_subject",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["idempotent_request.id"],
            name=op.f("fk_idempotent_subject_request_id_idempotent_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "registration_id", name=op.f("pk_idempotent_subject")
        ),
    )
    with op.batch_alter_table("idempotent_subject", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotent_subject_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_idempotent_subject_event_id"), ["event_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("idempotent_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotent_subject_event_id"))
        batch_op.drop_index(batch_op.f("ix_idempotent_subject_registration_id"))
    op.drop_table("idempotent_subject")
