"""the market's generation: a token each committed change replaces, for pages of the whole market

Revision ID: speed_market_generation
Revises: search_shared_results
Create Date: 2026-12-04 05:10:00.000000

The BDU's whole-market pages (sufficiency, the demand across CCGs) are kept in the cache every
worker shares (Redis) under this token; a transaction that writes an audit event (every state
change does) replaces it as it commits.
"""
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'speed_market_generation'
down_revision = 'search_shared_results'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'market_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_market_generation')),
    )
    # A token no other database has had: a cache shared with another database (a copy, a
    # test's) never finds this one's pages.
    op.bulk_insert(table, [{'id': 1, 'token': uuid4().hex}])


def downgrade():
    op.drop_table('market_generation')
