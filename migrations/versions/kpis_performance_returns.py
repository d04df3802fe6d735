"""the provider's monthly performance returns, and the CCG's review of each figure

Revision ID: kpis_performance_returns
Revises: kpis_service_levels
Create Date: 2026-12-03 04:50:00.000000

One version per submission for each month of a signed agreement (a dispute is answered by a
new version); each figure keeps the provider's commentary and the CCG's acceptance or
dispute, under a lock_version.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'kpis_performance_returns'
down_revision = 'kpis_service_levels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'performance_return',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('period_number', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=False),
        sa.Column('submitted_late', sa.Boolean(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'],
                                name=op.f('fk_performance_return_agreement_id_agreement'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'],
                                name=op.f('fk_performance_return_submitted_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_performance_return')),
        sa.UniqueConstraint('agreement_id', 'period_number', 'version',
                            name=op.f('uq_performance_return_agreement_id')),
    )
    with op.batch_alter_table('performance_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_return_agreement_id'),
                              ['agreement_id'], unique=False)
    op.create_table(
        'performance_figure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('return_id', sa.Integer(), nullable=False),
        sa.Column('kpi_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('commentary', sa.Text(), nullable=False),
        sa.Column('carried_forward', sa.Boolean(), nullable=False),
        sa.Column('review', sa.String(length=12), nullable=False),
        sa.Column('dispute_reason', sa.Text(), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['return_id'], ['performance_return.id'],
                                name=op.f('fk_performance_figure_return_id_performance_return'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['kpi_id'], ['agreement_kpi.id'],
                                name=op.f('fk_performance_figure_kpi_id_agreement_kpi')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'],
                                name=op.f('fk_performance_figure_reviewed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_performance_figure')),
        sa.UniqueConstraint('return_id', 'kpi_id', name=op.f('uq_performance_figure_return_id')),
    )
    with op.batch_alter_table('performance_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_figure_return_id'), ['return_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_performance_figure_kpi_id'), ['kpi_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('performance_figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performance_figure_kpi_id'))
        batch_op.drop_index(batch_op.f('ix_performance_figure_return_id'))
    op.drop_table('performance_figure')
    with op.batch_alter_table('performance_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performance_return_agreement_id'))
    op.drop_table('performance_return')
