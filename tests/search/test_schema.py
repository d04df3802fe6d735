"""The engine-specific full-text objects exist and are left alone by autogenerate."""

from sqlalchemy import Column, MetaData, Table, Text, inspect, text

from marketplace.extensions import db
from marketplace.search import schema


def test_the_full_text_index_objects_exist(app_context):
    if db.engine.dialect.name == "sqlite":
        names = {row[0] for row in db.session.execute(
            text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"))}
        assert set(schema.SQLITE_FTS_TABLES) <= names
        assert set(schema.SQLITE_TRIGGERS) <= names, "a migration dropped the FTS triggers"
    else:
        for table, names in schema.POSTGRES_COLUMNS.items():
            columns = {c["name"] for c in inspect(db.engine).get_columns(table)}
            assert set(names) <= columns
        indexes = {row[0] for row in db.session.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'offer%'"))}
        assert set(schema.POSTGRES_VECTOR_INDEXES) <= indexes
        triggers = set(db.session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'offer_listing'::regclass")))
        assert "offer_listing_search_vector" in triggers


def test_autogenerate_skips_the_full_text_objects():
    assert not schema.include_object(None, "offer_listing_fts_idx", "table", True, None)
    assert not schema.include_object(None, "ix_offer_listing_search_vector", "index", True,
                                     None)
    reflected = Table("offer_listing", MetaData(), Column("title_lexemes", Text),
                      Column("price", Text))
    assert not schema.include_object(reflected.c.title_lexemes, "title_lexemes", "column",
                                     True, None)
    assert schema.include_object(reflected.c.price, "price", "column", True, None)
    assert schema.include_object(None, "offer", "table", True, None)
    assert schema.include_object(None, "offer_listing", "table", True, None)
