"""notifications: what each user is told, and which kinds they want by email

Revision ID: notify_notifications
Revises: kpis_performance_returns
Create Date: 2026-12-03 05:50:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'notify_notifications'
down_revision = 'life_variation_kpis'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification',
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('sentence', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True),
                  nullable=False),
        sa.Column('is_read', sa.Boolean(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_notification_recipient_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_recipient_id'), ['recipient_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index('ix_notification_recipient_unread', ['recipient_id', 'is_read'],
                              unique=False)
    op.create_table(
        'notification_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('by_email', sa.Boolean(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_notification_preference_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id')),
    )
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preference_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    op.drop_table('notification_preference')
    op.drop_table('notification')
