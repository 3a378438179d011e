"""Registration questions (issue 12): the organiser's questions of an event or tour, their
options (with a seat limit each), the answers (per registration, or per booking for a tour's
question) and the options each answer chose; the import remembers its column mapping
(import_upload.mapping, header_signature: two nullable columns). Existing rows are untouched.

Revision ID: 0060_questions
Revises: 0050_bookings2
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0060_questions"
down_revision = "0050_bookings2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label_fr", sa.String(length=300), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.Column("help_fr", sa.Text(), nullable=False),
        sa.Column("help_en", sa.Text(), nullable=False),
        sa.Column("requirement", sa.String(length=16), nullable=False),
        sa.Column("required_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organiser_only", sa.Boolean(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("widget", sa.String(length=10), nullable=False),
        sa.Column("min_number", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("max_number", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("min_date", sa.Date(), nullable=True),
        sa.Column("max_date", sa.Date(), nullable=True),
        sa.Column("depends_on_id", sa.Integer(), nullable=True),
        sa.Column("depends_values", sa.JSON(), nullable=False),
        sa.Column("on_badge", sa.Boolean(), nullable=False),
        sa.Column("at_desk", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["depends_on_id"],
            ["question.id"],
            name=op.f("fk_question_depends_on_id_question"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_question_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
        sa.UniqueConstraint("event_id", "identifier", name=op.f("uq_question_event_id_identifier")),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_event_id"), ["event_id"], unique=False)

    op.create_table(
        "question_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("label_fr", sa.String(length=200), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("seat_limit", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_question_option_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_option")),
        sa.UniqueConstraint(
            "question_id", "identifier", name=op.f("uq_question_option_question_id_identifier")
        ),
    )
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_type", sa.String(length=40), nullable=True),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking.id"],
            name=op.f("fk_answer_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_answer_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_answer_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint(
            "question_id", "registration_id", name=op.f("uq_answer_question_id_registration_id")
        ),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_question_id"), ["question_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_answer_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            "uq_answer_booking_question",
            ["booking_id", "question_id"],
            unique=True,
            sqlite_where=sa.text("registration_id IS NULL"),
            postgresql_where=sa.text("registration_id IS NULL"),
        )

    op.create_table(
        "answer_choice",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answer.id"],
            name=op.f("fk_answer_choice_answer_id_answer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["question_option.id"],
            name=op.f("fk_answer_choice_option_id_question_option"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "option_id", name=op.f("pk_answer_choice")),
    )
    with op.batch_alter_table("answer_choice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_choice_option_id"), ["option_id"], unique=False)


    # The import's column mapping, remembered for the next file of the same shape.
    with op.batch_alter_table("import_upload", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mapping", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("header_signature", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_import_upload_header_signature"), ["header_signature"], unique=False
        )


def downgrade():
    with op.batch_alter_table("import_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_upload_header_signature"))
        batch_op.drop_column("header_signature")
        batch_op.drop_column("mapping")

    with op.batch_alter_table("answer_choice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_choice_option_id"))

    op.drop_table("answer_choice")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_answer_booking_question",
            sqlite_where=sa.text("registration_id IS NULL"),
            postgresql_where=sa.text("registration_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_answer_registration_id"))
        batch_op.drop_index(batch_op.f("ix_answer_question_id"))

    op.drop_table("answer")
    op.drop_table("question_option")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_event_id"))

    op.drop_table("question")
