"""offer search text and full-text indexes (PostgreSQL tsvector + GIN, SQLite FTS5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:11:40.966420

The full-text objects are engine-specific, so they are written here by hand and kept out of
autogenerate by marketplace.search.schema.include_object:

- PostgreSQL: offer.search_vector, a generated tsvector (title weighted A, search_text B),
  with a GIN index. A generated column can never drift from the row it is computed from.
- SQLite: offer_fts, an external-content FTS5 table over offer(title, search_text), kept in
  step by triggers on offer. NOTE: a later batch migration that recreates the offer table on
  SQLite drops these triggers; such a migration must recreate them (and refill offer_fts
  from the versioned offers, as upgrade() does). tests/search/test_schema.py fails
  if they are missing.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "offer_fts_after_insert": """
        CREATE TRIGGER offer_fts_after_insert AFTER INSERT ON offer
        WHEN new.prospectus_version_id IS NOT NULL BEGIN
          INSERT INTO offer_fts(rowid, title, search_text)
          VALUES (new.id, new.title, new.search_text);
        END""",
    "offer_fts_after_delete": """
        CREATE TRIGGER offer_fts_after_delete AFTER DELETE ON offer
        WHEN old.prospectus_version_id IS NOT NULL BEGIN
          INSERT INTO offer_fts(offer_fts, rowid, title, search_text)
          VALUES ('delete', old.id, old.title, old.search_text);
        END""",
    "offer_fts_after_update": """
        CREATE TRIGGER offer_fts_after_update AFTER UPDATE OF title, search_text ON offer
        WHEN old.prospectus_version_id IS NOT NULL BEGIN
          INSERT INTO offer_fts(offer_fts, rowid, title, search_text)
          VALUES ('delete', old.id, old.title, old.search_text);
          INSERT INTO offer_fts(rowid, title, search_text)
          VALUES (new.id, new.title, new.search_text);
        END""",
}


def upgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE offer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(search_text, '')), 'B')) STORED"
        )
        op.execute(
            "CREATE INDEX ix_offer_search_vector ON offer USING gin (search_vector) "
            "WHERE prospectus_version_id IS NOT NULL"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE offer_fts USING fts5("
            "title, search_text, content='offer', content_rowid='id', "
            "tokenize='porter unicode61')"
        )
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
        # Not 'rebuild', which would index drafts too.
        op.execute(
            "INSERT INTO offer_fts(rowid, title, search_text) SELECT id, title, search_text "
            "FROM offer WHERE prospectus_version_id IS NOT NULL"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_offer_search_vector")
        op.execute("ALTER TABLE offer DROP COLUMN IF EXISTS search_vector")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS offer_fts")
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('search_text')
