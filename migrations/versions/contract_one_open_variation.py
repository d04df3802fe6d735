"""at most one open variation proposal per agreement (a partial unique index)

Revision ID: contract_one_open_variation
Revises: survey_customer_survey
Create Date: 2026-12-03 07:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "contract_one_open_variation"
down_revision = "survey_customer_survey"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_agreement_variation_one_open",
        "agreement_variation",
        ["agreement_id"],
        unique=True,
        sqlite_where=sa.text("status = 'proposed'"),
        postgresql_where=sa.text("status = 'proposed'"),
    )


def downgrade():
    op.drop_index("uq_agreement_variation_one_open", table_name="agreement_variation")
