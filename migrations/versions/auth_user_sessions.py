"""sessions kept on the server, so that signing out ends them

Revision ID: auth_user_sessions
Revises: txn_lock_versions
Create Date: 2026-11-24 09:00:00.000000

A session used to live only in the signed cookie, so a copy of the cookie taken before
sign-out went on working. Each sign-in now makes a user_session row whose token (kept as its
SHA-256) the cookie carries; signing out, a password change or an administrator's change ends
the rows, and the app ends idle and old ones. user_account.session_token, which used to end
all of a user's sessions at once, is replaced by them.

Every session open at upgrade time ends (its cookie names no row): everyone signs in again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'auth_user_sessions'
down_revision = 'txn_lock_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('wrong_passwords', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_token')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    # A fresh random token per user, as the old code gave each new account.
    random_hex = {
        'postgresql': "md5(random()::text || id::text)",
        'sqlite': "lower(hex(randomblob(16)))",
    }[op.get_bind().dialect.name]
    op.execute(f"UPDATE user_account SET session_token = {random_hex}")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64),
                              nullable=False)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
