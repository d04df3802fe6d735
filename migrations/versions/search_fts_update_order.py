"""SQLite: an offer's full-text entry replaced in one trigger, the old one removed first

Revision ID: search_fts_update_order
Revises: speed_offer_version_facets
Create Date: 2026-12-03 21:10:00.000000

An offer's text changing on a version (a specification renamed rewrites its offers'
search_text) fired two triggers: one removing the old entry from offer_fts, one adding the
new. SQLite fires the triggers of one event newest first, so the new entry went in first
and the removal then took the offer's document size with it; every keyword search ranked
with bm25 then failed with "database disk image is malformed". One trigger now does both,
in order. PostgreSQL keeps its index in a generated column and is unaffected.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'search_fts_update_order'
down_revision = 'speed_offer_version_facets'
branch_labels = None
depends_on = None

_COLUMNS = "title, search_text, prospectus_version_id"
_OLD = ("CREATE TRIGGER offer_fts_after_update_old AFTER UPDATE OF {columns} ON offer "
        "WHEN old.prospectus_version_id IS NOT NULL BEGIN "
        "INSERT INTO offer_fts(offer_fts, rowid, title, search_text) "
        "VALUES ('delete', old.id, old.title, old.search_text); END")
_NEW = ("CREATE TRIGGER offer_fts_after_update_new AFTER UPDATE OF {columns} ON offer "
        "WHEN new.prospectus_version_id IS NOT NULL BEGIN "
        "INSERT INTO offer_fts(rowid, title, search_text) "
        "VALUES (new.id, new.title, new.search_text); END")
ONE_TRIGGER = (
    f"CREATE TRIGGER offer_fts_after_update AFTER UPDATE OF {_COLUMNS} ON offer BEGIN "
    "INSERT INTO offer_fts(offer_fts, rowid, title, search_text) "
    "SELECT 'delete', old.id, old.title, old.search_text "
    "WHERE old.prospectus_version_id IS NOT NULL; "
    "INSERT INTO offer_fts(rowid, title, search_text) "
    "SELECT new.id, new.title, new.search_text "
    "WHERE new.prospectus_version_id IS NOT NULL; END"
)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS offer_fts_after_update_old")
    op.execute("DROP TRIGGER IF EXISTS offer_fts_after_update_new")
    op.execute(ONE_TRIGGER)
    # Entries a rename already left without their document size are written afresh, for
    # the offers on a version only, as the triggers keep it (not 'rebuild': it reads them all).
    op.execute("INSERT INTO offer_fts(offer_fts) VALUES ('delete-all')")
    op.execute("INSERT INTO offer_fts(rowid, title, search_text) SELECT id, title, "
               "search_text FROM offer WHERE prospectus_version_id IS NOT NULL")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS offer_fts_after_update")
    op.execute(_OLD.format(columns=_COLUMNS))
    op.execute(_NEW.format(columns=_COLUMNS))
