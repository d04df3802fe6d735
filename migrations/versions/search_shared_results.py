"""the catalogue's generation: a token every change to what a search counts replaces

Revision ID: search_shared_results
Revises: search_fts_update_order
Create Date: 2026-12-03 20:45:00.000000

Searches are kept in the cache every worker shares (Redis) under this token, and each
service that changes what a search finds or counts (publishing, withdrawing, a merger, a
signed-off review, the catalogue) replaces it in its own transaction.
"""
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'search_shared_results'
down_revision = 'search_fts_update_order'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'catalogue_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_generation')),
    )
    # A token no other database has had: a cache shared with another database (a copy, a
    # test's) never finds this one's searches.
    op.bulk_insert(table, [{'id': 1, 'token': uuid4().hex}])


def downgrade():
    op.drop_table('catalogue_generation')
