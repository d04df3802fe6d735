"""The engine-specific full-text objects that migrations 0005, 0008 and 0010 create outside
the models (0009 dropped 0005's index, keeping offer.search_vector).

Autogenerate and the models-versus-migrations test must not see them as strays to drop.
"""

# SQLite's FTS5 tables (and the shadow tables FTS5 makes for each).
SQLITE_FTS_TABLES = ("offer_listing_fts",)
SQLITE_TRIGGERS = ("offer_listing_fts_after_insert", "offer_listing_fts_after_delete")
# PostgreSQL's tsvector columns and their GIN indexes, and the listing's title lexemes.
POSTGRES_COLUMNS = {"offer": ("search_vector",),
                    "offer_listing": ("search_vector", "title_lexemes")}
POSTGRES_VECTOR_INDEXES = ("ix_offer_listing_search_vector",)


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic hook: leave the full-text objects alone."""
    if type_ == "table" and name and name.startswith(SQLITE_FTS_TABLES):
        return False
    if type_ == "column" and name in POSTGRES_COLUMNS.get(obj.table.name, ()):
        return False
    if type_ == "index" and name in POSTGRES_VECTOR_INDEXES:
        return False
    return True
