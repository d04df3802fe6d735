"""drop the offer-level full-text index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 01:30:00.000000

Search reads the published-offer listing's own full-text index (migration 0008). The
offer-level one made by 0005 (PostgreSQL's GIN index on offer.search_vector, SQLite's FTS5
table offer_fts and its triggers) served nothing else, and was written on every offer
insert and update. offer.search_vector itself stays on PostgreSQL: the listing's copies its
value (0008's trigger).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = ("offer_fts_after_insert", "offer_fts_after_delete", "offer_fts_after_update")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_offer_search_vector")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS offer_fts")


def downgrade():
    # As 0005 made them: the index, or the FTS5 table, its triggers and its contents.
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
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
        for name, event, guard, body in (
            ("offer_fts_after_insert", "INSERT", "new", "{insert}"),
            ("offer_fts_after_delete", "DELETE", "old", "{delete}"),
            ("offer_fts_after_update", "UPDATE OF title, search_text", "old",
             "{delete} {insert}"),
        ):
            statements = body.format(
                insert="INSERT INTO offer_fts(rowid, title, search_text) "
                       "VALUES (new.id, new.title, new.search_text);",
                delete="INSERT INTO offer_fts(offer_fts, rowid, title, search_text) "
                       "VALUES ('delete', old.id, old.title, old.search_text);",
            )
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON offer "
                       f"WHEN {guard}.prospectus_version_id IS NOT NULL BEGIN {statements} END")
        op.execute(
            "INSERT INTO offer_fts(rowid, title, search_text) SELECT id, title, search_text "
            "FROM offer WHERE prospectus_version_id IS NOT NULL"
        )
