"""The engine-specific full-text objects that migrations 0005 and 0008 create outside the
models.

Autogenerate and the models-versus-migrations test must not see them as strays to drop.
"""

# SQLite's FTS5 tables (and the shadow tables FTS5 makes for each).
SQLITE_FTS_TABLE = "offer_fts"
SQLITE_LISTING_FTS_TABLE = "offer_listing_fts"
SQLITE_FTS_TABLES = (SQLITE_FTS_TABLE, SQLITE_LISTING_FTS_TABLE)
SQLITE_TRIGGERS = ("offer_fts_after_insert", "offer_fts_after_delete", "offer_fts_after_update",
                   "offer_listing_fts_after_insert", "offer_listing_fts_after_delete")
# PostgreSQL's tsvector columns and their GIN indexes.
POSTGRES_VECTOR_COLUMN = "search_vector"
POSTGRES_VECTOR_TABLES = ("offer", "offer_listing")
POSTGRES_VECTOR_INDEX = "ix_offer_search_vector"
POSTGRES_VECTOR_INDEXES = (POSTGRES_VECTOR_INDEX, "ix_offer_listing_search_vector")


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic hook: leave the full-text objects alone."""
    if type_ == "table" and name and name.startswith(SQLITE_FTS_TABLES):
        return False
    if (type_ == "column" and name == POSTGRES_VECTOR_COLUMN
            and obj.table.name in POSTGRES_VECTOR_TABLES):
        return False
    if type_ == "index" and name in POSTGRES_VECTOR_INDEXES:
        return False
    return True
