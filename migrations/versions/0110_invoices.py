"""Invoices (issue 15): the documents issued (invoices, credit notes, quotes) with their
per-organisation counters, and the buyer's billing details of a booking. New tables only.

Revision ID: 0110_invoices
Revises: 0100_rest
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0110_invoices"
down_revision = "0100_rest"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_counter",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_document_counter_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "series", name=op.f("pk_document_counter")),
    )
    op.create_table(
        "billing_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("buyer_kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("purchase_order", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking.id"],
            name=op.f("fk_billing_details_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_details")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_billing_details_booking_id")),
    )
    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("sequence_number", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("refund_transaction_id", sa.Integer(), nullable=True),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("purchase_order", sa.String(length=60), nullable=True),
        sa.Column("payment_reference", sa.String(length=40), nullable=True),
        sa.Column("net_cents", sa.Integer(), nullable=False),
        sa.Column("vat_cents", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("prepaid_cents", sa.Integer(), nullable=False),
        sa.Column("vat_breakdown", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking.id"],
            name=op.f("fk_issued_document_booking_id_booking"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["issued_document.id"],
            name=op.f("fk_issued_document_corrects_id_issued_document"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_issued_document_event_id_event"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_issued_document_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["booking_payment.id"],
            name=op.f("fk_issued_document_payment_id_booking_payment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["issued_document.id"],
            name=op.f("fk_issued_document_quote_id_issued_document"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["refund_transaction_id"],
            ["payment_transaction.id"],
            name=op.f("fk_issued_document_refund_transaction_id_payment_transaction"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint(
            "organisation_id",
            "series",
            "sequence_number",
            name=op.f("uq_issued_document_organisation_id_series_sequence_number"),
        ),
        sa.UniqueConstraint(
            "refund_transaction_id", name=op.f("uq_issued_document_refund_transaction_id")
        ),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issued_document_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_issued_document_corrects_id"), ["corrects_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_issued_document_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_issued_document_organisation_id_issue_date",
            ["organisation_id", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_issued_document_payment_id"), ["payment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_issued_document_quote_id"), ["quote_id"], unique=False)


def downgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_document_quote_id"))
        batch_op.drop_index(batch_op.f("ix_issued_document_payment_id"))
        batch_op.drop_index("ix_issued_document_organisation_id_issue_date")
        batch_op.drop_index(batch_op.f("ix_issued_document_event_id"))
        batch_op.drop_index(batch_op.f("ix_issued_document_corrects_id"))
        batch_op.drop_index(batch_op.f("ix_issued_document_booking_id"))
    op.drop_table("issued_document")
    op.drop_table("billing_details")
    op.drop_table("document_counter")
