"""service reviews of signed agreements, and their actions tracked to done

Revision ID: life_service_reviews
Revises: kpis_performance_returns
Create Date: 2026-12-03 05:55:00.000000

Either side records a review (date, attendees, notes); each action has an owner and a due
date, and is marked done once, under a lock_version.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'life_service_reviews'
down_revision = 'kpis_performance_returns'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'service_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('attendees', sa.Text(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_for_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'],
                                name=op.f('fk_service_review_agreement_id_agreement'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_service_review_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['recorded_for_id'], ['organisation.id'],
                                name=op.f('fk_service_review_recorded_for_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_review')),
    )
    with op.batch_alter_table('service_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_review_agreement_id'), ['agreement_id'],
                              unique=False)
    op.create_table(
        'service_review_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_review_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['service_review_id'], ['service_review.id'],
                                name=op.f('fk_service_review_action_service_review_id_service_review'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['done_by_id'], ['user_account.id'],
                                name=op.f('fk_service_review_action_done_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_review_action')),
    )
    with op.batch_alter_table('service_review_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_review_action_service_review_id'),
                              ['service_review_id'], unique=False)


def downgrade():
    with op.batch_alter_table('service_review_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_review_action_service_review_id'))
    op.drop_table('service_review_action')
    with op.batch_alter_table('service_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_review_agreement_id'))
    op.drop_table('service_review')
