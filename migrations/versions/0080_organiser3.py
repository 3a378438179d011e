"""Mailings scheduled for later (status, send_at, sent_at, cancelled_at) with a PDF attachment
(mailing_attachment, kept until its expires_at); the badge designer's per-event layout
(badge_design). Existing mailings were sent at once: status "sent", sent_at = created_at.

Revision ID: 0080_organiser3
Revises: 0070_teams2
"""

import sqlalchemy as sa
from alembic import op

revision = "0080_organiser3"
down_revision = "0070_teams2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mailing_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_mailing_attachment_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_mailing_attachment_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing_attachment")),
    )
    with op.batch_alter_table("mailing_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailing_attachment_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_mailing_attachment_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_mailing_attachment_expires_at"), ["expires_at"])

    with op.batch_alter_table("mailing", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "scheduled",
                    "sent",
                    "cancelled",
                    name="mailingstatus",
                    native_enum=False,
                    create_constraint=False,
                    length=20,
                ),
                nullable=False,
                server_default="sent",
            )
        )
        batch_op.add_column(sa.Column("send_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attachment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attachment_name", sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f("ix_mailing_send_at"), ["send_at"])
        batch_op.create_index(batch_op.f("ix_mailing_attachment_id"), ["attachment_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_mailing_attachment_id_mailing_attachment"),
            "mailing_attachment",
            ["attachment_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE mailing SET sent_at = created_at WHERE sent_at IS NULL")

    op.create_table(
        "badge_design",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("name_size", sa.String(length=10), nullable=False),
        sa.Column("organisation_size", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_badge_design_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_badge_design_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_design")),
        sa.UniqueConstraint("event_id", name=op.f("uq_badge_design_event_id")),
    )


def downgrade():
    op.drop_table("badge_design")
    with op.batch_alter_table("mailing", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mailing_attachment_id_mailing_attachment"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_mailing_attachment_id"))
        batch_op.drop_index(batch_op.f("ix_mailing_send_at"))
        for column in (
            "attachment_name",
            "attachment_id",
            "cancelled_at",
            "sent_at",
            "send_at",
            "status",
        ):
            batch_op.drop_column(column)
    op.drop_table("mailing_attachment")
