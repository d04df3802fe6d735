"""The engine-specific full-text objects exist, are left alone by autogenerate, and the
search migration goes down and up again with the offers' index intact."""

import flask_migrate
from sqlalchemy import Column, MetaData, Table, Text, inspect, text

from marketplace.extensions import db
from marketplace.search import OfferFilters, schema, search_offers

from ..factories import create_spec, publish


def test_the_full_text_index_objects_exist(app_context):
    if db.engine.dialect.name == "sqlite":
        names = {row[0] for row in db.session.execute(
            text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"))}
        assert schema.SQLITE_FTS_TABLE in names
        assert set(schema.SQLITE_TRIGGERS) <= names, "a migration dropped the FTS triggers"
    else:
        table, column = schema.POSTGRES_COLUMN
        assert column in {c["name"] for c in inspect(db.engine).get_columns(table)}
        indexes = {row[0] for row in db.session.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'offer'"))}
        assert schema.POSTGRES_INDEX in indexes


def test_autogenerate_skips_the_full_text_objects():
    assert not schema.include_object(None, "offer_fts_idx", "table", True, None)
    assert not schema.include_object(None, "ix_offer_search_vector", "index", True, None)
    reflected = Table("offer", MetaData(), Column("search_vector", Text), Column("title", Text))
    assert not schema.include_object(reflected.c.search_vector, "search_vector", "column",
                                     True, None)
    assert schema.include_object(reflected.c.title, "title", "column", True, None)
    assert schema.include_object(None, "offer", "table", True, None)


def test_the_search_migration_goes_down_and_up_again(app_context):
    spec = create_spec("PLN-RSK", "Risk stratification", phase="planning")
    publish("Arden CSS", (spec, {"title": "Risk stratification for practices"}))
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision="contract_decline_countersign")
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert {"offer_listing", "catalogue_version"} <= tables
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM offer_listing")) == 1
    finally:
        flask_migrate.upgrade()
    assert "offer_listing" not in set(inspect(db.engine).get_table_names())
    assert search_offers(OfferFilters(q="stratification")).total == 1
