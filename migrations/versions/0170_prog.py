"""Programme leftovers (issue 16): a programme imported on the attendee import's steps
(`import_upload.kind`: "attendees" or "programme"); a registration question's option that is a
workshop's sign-up (`question_option.session_id`, one option per session); time-limited offers
of freed workshop places (`programme_signup.offered_at`, `offer_expires_at`); a speaker's
e-mail address, never shown, that recognises them among the registrants for the speaker rate
(`programme_speaker.email`: personal data, anonymised with the speaker by the event's retention
purge). Existing rows: attendee uploads, options without a session, sign-ups without an offer,
speakers without an address.

Revision ID: 0170_prog
Revises: 0160_audit
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0170_prog"
down_revision = "0160_audit"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "import_upload",
        sa.Column("kind", sa.String(length=20), server_default="attendees", nullable=False),
    )
    with op.batch_alter_table("question_option") as batch:
        batch.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_question_option_session_id_programme_session",
            "programme_session",
            ["session_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint("uq_question_option_session_id", ["session_id"])
    op.add_column("programme_signup", sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("programme_signup", sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "programme_speaker",
        sa.Column("email", sa.String(length=254), server_default="", nullable=False),
    )


def downgrade():
    with op.batch_alter_table("programme_speaker") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("programme_signup") as batch:
        batch.drop_column("offer_expires_at")
        batch.drop_column("offered_at")
    with op.batch_alter_table("question_option") as batch:
        batch.drop_constraint("uq_question_option_session_id", type_="unique")
        batch.drop_constraint(
            "fk_question_option_session_id_programme_session", type_="foreignkey"
        )
        batch.drop_column("session_id")
    with op.batch_alter_table("import_upload") as batch:
        batch.drop_column("kind")
