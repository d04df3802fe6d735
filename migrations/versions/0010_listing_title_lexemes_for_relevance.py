"""the listing's title lexemes, for relevance in memory

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 02:30:00.000000

PostgreSQL only. Search orders its matches by which keywords are in each offer's title
(search/text.py). The full-text query used to test every match's tsvector against each
keyword kept to the title (weight A): about a millisecond more for a word in 3,851 offers at
scale 100, and as many cache lines again per matching row. Instead, offer_listing keeps its
title's lexemes (Snowball "english", as the offer's search_vector has them) as a
space-separated string, title_lexemes, set by the listing's BEFORE INSERT trigger; search
reads them once per catalogue version (search/columns.py) and tests titles in memory.

SQLite's FTS5 table answers the title question with a column filter, and is unchanged.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TITLE_LEXEMES = "array_to_string(tsvector_to_array(to_tsvector('english', {title})), ' ')"

FUNCTION = """
    CREATE OR REPLACE FUNCTION offer_listing_search_vector() RETURNS trigger AS $$
    BEGIN
      SELECT search_vector, {lexemes} INTO NEW.search_vector, NEW.title_lexemes
      FROM offer WHERE id = NEW.offer_id;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql""".format(lexemes=TITLE_LEXEMES.format(title="coalesce(title, '')"))

# As migration 0008 made it.
PREVIOUS_FUNCTION = """
    CREATE OR REPLACE FUNCTION offer_listing_search_vector() RETURNS trigger AS $$
    BEGIN
      SELECT search_vector INTO NEW.search_vector FROM offer WHERE id = NEW.offer_id;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE offer_listing ADD COLUMN title_lexemes text")
    op.execute(FUNCTION)
    op.execute(
        "UPDATE offer_listing SET title_lexemes = "
        + TITLE_LEXEMES.format(title="coalesce(offer.title, '')")
        + " FROM offer WHERE offer.id = offer_listing.offer_id"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PREVIOUS_FUNCTION)
    op.execute("ALTER TABLE offer_listing DROP COLUMN title_lexemes")
