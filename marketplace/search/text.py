"""Keyword matching over offers, one interface on two engines.

``keyword_matches`` reads the full-text index of the published-offer listing (migration
0008): on PostgreSQL the tsvector offer_listing.search_vector with its GIN index (a copy of
the offer's generated offer.search_vector), on SQLite the FTS5 table offer_listing_fts.

Both stem English words (Snowball "english" and FTS5's porter tokenizer) and join the
words with AND, so the same query finds the same offers on either engine. Search orders
them by the same relevance on both (``relevance``): which words are in the title.
"""

import functools
import re

import numpy as np
from sqlalchemy import (
    Select,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)

from marketplace.extensions import db
from marketplace.models import OfferListing

from .columns import ListingColumns, joined, lookup, numbers

MAX_QUERY_LENGTH = 200
# PostgreSQL's english configuration drops these; FTS5 has no stop words, so we drop the
# common ones ourselves or "contract and monitoring" would need the word "and" in the offer.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def keywords(query: str) -> list[str]:
    """The words of a query that matching uses, lower-cased, in order."""
    words = _WORD.findall((query or "")[:MAX_QUERY_LENGTH].lower())
    return [word for word in words if word not in STOP_WORDS and word.strip("_")]


def _inline(text: str):
    """A constant written into the SQL (safely quoted) when it is run, not bound: psycopg
    prepares a statement it has run five times, and PostgreSQL's generic plan for a
    full-text query with bound words could neither see how common the words are (to choose
    the GIN index) nor work the query out once instead of once per row."""
    return literal(text, String, literal_execute=True)


def _fts5_match(words: list[str]) -> str:
    """FTS5: each word quoted (so no word is read as an operator), separated by spaces
    (AND)."""
    return " ".join('"' + word.replace('"', "") + '"' for word in words)


_listing_fts = table("offer_listing_fts", column("rowid"))
# How much more a keyword counts when it is in an offer's title than when it is only in the
# rest of its text (description, specification, provider, service levels).
TITLE_WEIGHT = 4


def keyword_matches(query: str, columns: ListingColumns) -> tuple[np.ndarray, np.ndarray] | None:
    """The rows of the published-offer listing (positions in ``columns``, ascending) whose
    offers match every keyword of ``query``, and their relevance (see ``relevance``), as two
    arrays. None when the query has no usable words. An offer listed after ``columns`` were
    read has no row, and is left out.

    One query, answering in one row. Neither engine computes a score per row, and neither
    sends a row per match: with a word found in thousands of offers, those were most of the
    time a search took.

    - PostgreSQL matches the listing's tsvector through its GIN index and answers the
      matching ids as one comma-separated string, with each keyword's lexemes (stemmed as
      the tsvector is). Which keywords are in each match's title is then worked out in
      memory, from the titles' lexemes (``columns.titles``, migration 0010): testing each
      match's tsvector for title words in the query cost as much again as matching.
    - SQLite reads its FTS5 table offer_listing_fts (rowid = offer id): the matching ids,
      and each keyword's title matches through an FTS5 column filter, as ids.
    """
    words = keywords(query)
    if not words:
        return None
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        parameters = {"words": " ".join(words)}
    else:
        parameters = {"words": _fts5_match(words)}
    for index, word in enumerate(words, 1):
        parameters[f"word_{index}"] = word if postgresql else "{title}: " + _fts5_match([word])
    statement = _matches_statement(postgresql, len(words))
    # On the session's connection, as Core: the ORM's way round cost a quarter of a
    # millisecond more. Nothing is left unflushed: search_offers first reads the catalogue
    # version, and that read (through the session, earlier in the request) flushed it.
    found = db.session.connection().execute(statement, parameters).one()
    offer_ids = numbers(found[0])
    offer_ids.sort()
    rows, listed = columns.positions(offer_ids)
    if postgresql:
        in_title = [columns.titles.holding(lexemes.split(), rows) for lexemes in found[1:]]
    else:
        in_title = [lookup(np.sort(numbers(ids)), offer_ids[listed])[1] for ids in found[1:]]
    return rows, relevance(np.stack(in_title, axis=1))


@functools.cache
def _matches_statement(postgresql: bool, count: int) -> Select:
    """keyword_matches' query for ``count`` words, built once per number of words; the
    words are its parameters ("words", all of them, and "word_1", ... each alone)."""
    return _postgresql_matches(count) if postgresql else _sqlite_matches(count)


def _postgresql_matches(count: int) -> Select:
    vector = literal_column("offer_listing.search_vector")
    listing = OfferListing.__table__

    def word(name: str):
        # Written into the SQL at execution, as _inline's constants are.
        return bindparam(name, type_=String, literal_execute=True)

    def lexemes(name: str):
        # The word's lexemes, space-separated, as offer_listing.title_lexemes holds a
        # title's: worked out once (every function here is immutable), not per row.
        return func.array_to_string(
            func.tsvector_to_array(func.to_tsvector(_inline("english"), word(name))),
            _inline(" "))

    return select(
        joined(listing.c.offer_id),
        *[lexemes(f"word_{index}") for index in range(1, count + 1)],
    ).where(vector.op("@@")(func.plainto_tsquery(_inline("english"), word("words"))))


def _sqlite_matches(count: int) -> Select:
    def ids_matching(name: str):
        return (
            select(joined(_listing_fts.c.rowid))
            .where(literal_column("offer_listing_fts").op("MATCH")(
                bindparam(name, type_=String)))
            .scalar_subquery()
        )

    return select(ids_matching("words"),
                  *[ids_matching(f"word_{index}") for index in range(1, count + 1)])


def relevance(in_title: np.ndarray) -> np.ndarray:
    """Scores from which keywords each offer holds in its title (an array of booleans, a
    row per offer and a column per keyword): a keyword counts TITLE_WEIGHT in the title
    and 1 elsewhere (every match holds every keyword somewhere). So offers with more of
    the words in their title come first; worked through in tests/search/test_columns.py."""
    in_title = np.asarray(in_title, dtype=np.int64)
    return in_title.shape[1] + (TITLE_WEIGHT - 1) * in_title.sum(axis=1)


def search_text_for(
    *,
    description: str,
    specification_code: str,
    specification_name: str,
    provider_name: str,
    service_levels: list | None,
) -> str:
    """What keyword search reads for an offer besides its title."""
    levels = " ".join(
        f"{level.get('measure', '')} {level.get('target', '')}" for level in service_levels or []
    )
    parts = [description, specification_code, specification_name, provider_name, levels]
    return "\n".join(part for part in parts if part)
