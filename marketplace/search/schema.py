"""The engine-specific full-text objects that migration 0005 creates outside the models.

Autogenerate and the models-versus-migrations test must not see them as strays to drop.
"""

# SQLite's FTS5 table and the shadow tables FTS5 makes for it.
SQLITE_FTS_TABLE = "offer_fts"
SQLITE_TRIGGERS = ("offer_fts_after_insert", "offer_fts_after_delete", "offer_fts_after_update")
# PostgreSQL's generated tsvector column and its GIN index.
POSTGRES_VECTOR_COLUMN = "search_vector"
POSTGRES_VECTOR_INDEX = "ix_offer_search_vector"


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic hook: leave the full-text objects alone."""
    if type_ == "table" and name and name.startswith(SQLITE_FTS_TABLE):
        return False
    if type_ == "column" and name == POSTGRES_VECTOR_COLUMN and obj.table.name == "offer":
        return False
    if type_ == "index" and name == POSTGRES_VECTOR_INDEX:
        return False
    return True
