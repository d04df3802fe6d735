"""a variation may change KPI targets too

Revision ID: life_variation_kpis
Revises: life_ending
Create Date: 2026-12-03 06:15:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'life_variation_kpis'
down_revision = 'life_ending'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreement_variation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_kpi_targets', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('agreement_variation', schema=None) as batch_op:
        batch_op.drop_column('new_kpi_targets')
