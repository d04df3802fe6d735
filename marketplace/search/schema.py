"""The engine-specific full-text objects that migrations write by hand (0005,
search_plain_sql and search_fts_update_order), which autogenerate and the
models-versus-migrations test must not see as strays to drop: SQLite's FTS5 table over
offers, and PostgreSQL's tsvector column on offer with its GIN index."""

SQLITE_FTS_TABLE = "offer_fts"  # FTS5 also makes offer_fts_data, offer_fts_idx, ...
SQLITE_TRIGGERS = ("offer_fts_after_insert", "offer_fts_after_delete", "offer_fts_after_update")
POSTGRES_COLUMN = ("offer", "search_vector")
POSTGRES_INDEX = "ix_offer_search_vector"


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic hook: leave the full-text objects alone."""
    if type_ == "table" and name and name.startswith(SQLITE_FTS_TABLE):
        return False
    if type_ == "column" and (obj.table.name, name) == POSTGRES_COLUMN:
        return False
    return not (type_ == "index" and name == POSTGRES_INDEX)
