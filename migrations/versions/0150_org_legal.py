"""An organisation's legal form and BIC, printed on its invoices (issue 15: "legal form" among
the issuer's details): `organisation.legal_form` ("Association loi 1901", "SAS au capital de
10 000 €"…) and `organisation.bic`. Existing organisations have neither until their managers
fill them on the profile page. Not personal data: a legal entity's details.

Revision ID: 0150_org_legal
Revises: 0140_b2b
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0150_org_legal"
down_revision = "0140_b2b"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organisation", sa.Column("bic", sa.String(length=11), nullable=True))
    op.add_column("organisation", sa.Column("legal_form", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("legal_form")
        batch.drop_column("bic")
