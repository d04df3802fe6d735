"""a provider may decline to countersign an agreement, with its reason; one per CCG per award

Revision ID: contract_decline_countersign
Revises: pages_offer_counts_index
Create Date: 2026-12-03 00:10:00.000000

The CSS countersigns an agreement the CCG signed, in its own account, or declines with a
reason. A declined agreement goes back to the CCG as a draft (its CCG signature cleared); the
last refusal is kept on the agreement so both sides see why, and in the audit trail.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'contract_decline_countersign'
down_revision = 'pages_offer_counts_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_declined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('provider_declined_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provider_decline_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_agreement_provider_declined_by_id_user_account'), 'user_account', ['provider_declined_by_id'], ['id'])
        # One agreement per CCG per award: drafting twice at once cannot make two.
        batch_op.create_unique_constraint(batch_op.f('uq_agreement_procurement_id'), ['procurement_id', 'ccg_id'])


def downgrade():
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agreement_procurement_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_agreement_provider_declined_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('provider_decline_reason')
        batch_op.drop_column('provider_declined_by_id')
        batch_op.drop_column('provider_declined_at')
