"""B2B leftovers of issue 18: the public directory of the sector's organisations
(`b2b_directory_entry`: one row per organisation, keyed by its folded name like the networking
profiles; listed only once one of its people opts it in, curated by organisers) and the table
check-in of a meeting (`meeting.attendance`: held or no-show, with its time), and an event's
booking rules (`b2b_settings.slot_mode`: the organiser schedules or participants pick a slot;
`denied_pairs` and `category_caps`: who may not request whom, and meetings per category;
existing events keep the organiser's scheduling and no rule), and when a meeting block's
reminders were e-mailed (`b2b_block.reminded_at`). No personal data:
an organisation's name, category, region, web site and description.

Revision ID: 0190_b2b
Revises: 0180_api
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0190_b2b"
down_revision = "0180_api"
branch_labels = None
depends_on = None

CATEGORIES = (
    "industrial", "biotech", "cdmo", "equipment", "academic", "techprovider", "cluster", "union",
    "public", "investor", "other",
)  # fmt: skip
SECTORS = ("biotherapies", "bioproduction", "techproviders", "research", "networks", "investors")
REGIONS = (
    "ara", "bfc", "bre", "cvl", "cor", "ges", "hdf", "idf", "nor", "naq", "occ", "pdl", "pac",
    "outremer", "abroad",
)  # fmt: skip


def upgrade():
    op.create_table(
        "b2b_directory_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("organisation_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "category",
            sa.Enum(*CATEGORIES, name="actorcategory", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "sector",
            sa.Enum(*SECTORS, name="sector", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "region",
            sa.Enum(*REGIONS, name="region", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("domain", sa.String(length=253), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_b2b_directory_entry")),
        sa.UniqueConstraint("organisation_key", name=op.f("uq_b2b_directory_entry_organisation_key")),
        sa.UniqueConstraint("slug", name=op.f("uq_b2b_directory_entry_slug")),
    )
    with op.batch_alter_table("b2b_directory_entry") as batch:
        batch.create_index("ix_b2b_directory_entry_domain", ["domain"])
        batch.create_index("ix_b2b_directory_entry_listed_hidden", ["listed", "hidden"])
        batch.create_index("ix_b2b_directory_entry_region", ["region"])
        batch.create_index("ix_b2b_directory_entry_sector", ["sector"])
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(
            sa.Column(
                "attendance",
                sa.Enum("held", "no_show", name="attendance", native_enum=False, length=10),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("attendance_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("b2b_block") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("b2b_settings") as batch:
        batch.add_column(
            sa.Column("slot_mode", sa.String(length=20), nullable=False, server_default="organiser")
        )
        batch.add_column(
            sa.Column("denied_pairs", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("category_caps", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade():
    with op.batch_alter_table("b2b_block") as batch:
        batch.drop_column("reminded_at")
    with op.batch_alter_table("b2b_settings") as batch:
        batch.drop_column("category_caps")
        batch.drop_column("denied_pairs")
        batch.drop_column("slot_mode")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("attendance_at")
        batch.drop_column("attendance")
    op.drop_table("b2b_directory_entry")
