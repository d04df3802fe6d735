"""lock_version on scenarios, requirements, business plans and offers

Revision ID: txn_lock_versions
Revises: buying_models
Create Date: 2026-11-23 06:00:00.000000

The scenario, requirements, business-plan narrative and draft-offer forms send back the
lock_version they were drawn from, so that a save based on a page older than somebody
else's save is refused rather than overwriting it (SQLAlchemy's version_id_col). Existing
rows start at version 1, as new ones do.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'txn_lock_versions'
down_revision = 'buying_models'
branch_labels = None
depends_on = None

TABLES = ("scenario", "requirement", "business_plan", "offer")


def upgrade():
    # A plain ADD COLUMN on both engines: SQLite adds a NOT NULL column with a constant
    # default in place, without copying the table.
    for table in TABLES:
        op.add_column(table, sa.Column("lock_version", sa.Integer(), nullable=False,
                                       server_default="1"))


def downgrade():
    # A plain DROP COLUMN too (SQLite 3.35 and later): batch mode would copy offer, and
    # SQLite refuses to rename the copy into place while offer_listing's triggers name it.
    for table in TABLES:
        op.drop_column(table, "lock_version")
