"""offers indexed by version with what search counts them by

Revision ID: speed_offer_version_facets
Revises: market_change
Create Date: 2026-12-03 08:30:00.000000

Search counts the published offers from the published versions: each version's offers,
with their specification, pricing model and price, read from an index that holds them (in
version order, merged with the versions), not found one by one in the specification-first
index. The new index starts with the columns of the one it replaces, so lookups by version
(and by version and specification) keep an index.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'speed_offer_version_facets'
down_revision = 'market_change'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_offer_version_facets', 'offer',
                    ['prospectus_version_id', 'specification_id', 'pricing_model', 'price',
                     'estimated_quantity'])
    op.drop_index('ix_offer_prospectus_version_id_specification_id', table_name='offer')


def downgrade():
    op.create_index('ix_offer_prospectus_version_id_specification_id', 'offer',
                    ['prospectus_version_id', 'specification_id'])
    op.drop_index('ix_offer_version_facets', table_name='offer')
