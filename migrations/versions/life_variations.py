"""variations of a signed agreement's value or term, proposed by one party, answered by the other

Revision ID: life_variations
Revises: life_service_reviews
Create Date: 2026-12-03 06:00:00.000000

The agreement row keeps the signed original; each agreed variation is the next version
(unique per agreement, NULL until agreed).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'life_variations'
down_revision = 'life_service_reviews'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'agreement_variation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('new_annual_value', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('new_end_date', sa.Date(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_for_id', sa.Integer(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('decline_reason', sa.Text(), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('proposed', 'agreed', 'declined')",
                           name=op.f('ck_agreement_variation_status_known')),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'],
                                name=op.f('fk_agreement_variation_agreement_id_agreement'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'],
                                name=op.f('fk_agreement_variation_proposed_by_id_user_account')),
        sa.ForeignKeyConstraint(['proposed_for_id'], ['organisation.id'],
                                name=op.f('fk_agreement_variation_proposed_for_id_organisation')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'],
                                name=op.f('fk_agreement_variation_answered_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_variation')),
        sa.UniqueConstraint('agreement_id', 'version', name='uq_agreement_variation_version'),
    )
    with op.batch_alter_table('agreement_variation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_variation_agreement_id'),
                              ['agreement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agreement_variation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_variation_agreement_id'))
    op.drop_table('agreement_variation')
