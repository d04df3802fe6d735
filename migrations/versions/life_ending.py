"""notice or termination of a signed agreement, one per agreement

Revision ID: life_ending
Revises: life_variations
Create Date: 2026-12-03 06:05:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'life_ending'
down_revision = 'life_variations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'agreement_ending',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('given_by_id', sa.Integer(), nullable=False),
        sa.Column('given_for_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('notice', 'termination')",
                           name=op.f('ck_agreement_ending_kind_known')),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'],
                                name=op.f('fk_agreement_ending_agreement_id_agreement'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['given_by_id'], ['user_account.id'],
                                name=op.f('fk_agreement_ending_given_by_id_user_account')),
        sa.ForeignKeyConstraint(['given_for_id'], ['organisation.id'],
                                name=op.f('fk_agreement_ending_given_for_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_ending')),
        sa.UniqueConstraint('agreement_id', name='uq_agreement_ending_agreement_id'),
    )


def downgrade():
    op.drop_table('agreement_ending')
