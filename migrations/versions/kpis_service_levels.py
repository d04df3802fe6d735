"""each agreement line carries its key performance indicators

Revision ID: kpis_service_levels
Revises: search_plain_sql
Create Date: 2026-12-03 04:45:00.000000

Drafted from the offer's service levels when the agreement is drafted, changed by the CCG
before it signs, frozen once signed: what is measured, unit, target, whether higher or lower is
better, tolerance (in the KPI's unit) and reporting frequency.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'kpis_service_levels'
down_revision = 'plans_check_thresholds'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'agreement_kpi',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_line_id', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=200), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('target', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('tolerance', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('offer_wording', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agreement_line_id'], ['agreement_line.id'],
                                name=op.f('fk_agreement_kpi_agreement_line_id_agreement_line'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_kpi')),
        sa.CheckConstraint("unit IN ('percent', 'working_days', 'days', 'hours', 'count')",
                           name=op.f('ck_agreement_kpi_unit_known')),
        sa.CheckConstraint("direction IN ('higher', 'lower')",
                           name=op.f('ck_agreement_kpi_direction_known')),
        sa.CheckConstraint("frequency IN ('monthly', 'quarterly')",
                           name=op.f('ck_agreement_kpi_frequency_known')),
        sa.CheckConstraint('tolerance >= 0', name=op.f('ck_agreement_kpi_tolerance_not_negative')),
    )
    with op.batch_alter_table('agreement_kpi', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_kpi_agreement_line_id'),
                              ['agreement_line_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agreement_kpi', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_kpi_agreement_line_id'))
    op.drop_table('agreement_kpi')
