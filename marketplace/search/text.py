"""Keyword matching over published offers, one interface on two engines.

``match_keywords(statement)`` narrows a query over ``offer`` to the offers holding every
keyword (bound as "keywords", ``keyword_parameter(keywords(query))``) and gives their
relevance, from the offer's own full-text index:

- PostgreSQL: offer.search_vector, generated from the title (weight A) and the search text
  (weight B), with a GIN index; relevance is ts_rank.
- SQLite: the FTS5 table offer_fts over the same two columns; relevance is bm25 with the
  title weighted TITLE_WEIGHT times the search text.

Both stem English words (Snowball "english" and FTS5's porter tokenizer) and join the
words with AND, so the same query finds the same offers on either engine; both rank an
offer with the words in its title above one with them only in its text. Higher is more
relevant on both.
"""

import re

from sqlalchemy import Float, Select, String, bindparam, func, literal, literal_column, table
from sqlalchemy.sql import ColumnElement, column

from marketplace.extensions import db
from marketplace.models import Offer

MAX_QUERY_LENGTH = 200
# PostgreSQL's english configuration drops these; FTS5 has no stop words, so we drop the
# common ones ourselves or "contract and monitoring" would need the word "and" in the offer.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)
# How much more a keyword counts in an offer's title than in the rest of its text, on
# SQLite; PostgreSQL's ts_rank weighs A (title) against B (text) 1.0 to 0.4.
TITLE_WEIGHT = 4.0

_offer_fts = table("offer_fts", column("rowid"))


def keywords(query: str) -> list[str]:
    """The words of a query that matching uses, lower-cased, in order."""
    words = _WORD.findall((query or "")[:MAX_QUERY_LENGTH].lower())
    return [word for word in words if word not in STOP_WORDS and word.strip("_")]


def keyword_parameter(words: list[str]) -> str:
    """What match_keywords binds as "keywords", for these words (keywords(query))."""
    if db.engine.dialect.name == "postgresql":
        return " ".join(words)
    # Each word quoted, so that none is read as an FTS5 operator; spaces between are AND.
    return " ".join('"' + word.replace('"', "") + '"' for word in words)


def match_keywords(statement: Select) -> tuple[Select, ColumnElement]:
    """``statement`` (a query joining ``offer``) kept to the offers matching every keyword
    bound as "keywords" (keyword_parameter), and an expression for their relevance."""
    if db.engine.dialect.name == "postgresql":
        # The words are written into the SQL, not bound: psycopg prepares a statement run
        # five times, and PostgreSQL's generic plan cannot see how common the words are, so
        # it would not choose between the GIN index and a scan as well.
        tsquery = func.plainto_tsquery(
            literal("english", String, literal_execute=True),
            bindparam("keywords", type_=String, literal_execute=True))
        vector = literal_column("offer.search_vector")
        return (statement.where(vector.op("@@")(tsquery)),
                func.ts_rank(vector, tsquery, type_=Float))
    fts = literal_column("offer_fts")
    return (
        statement.join(_offer_fts, _offer_fts.c.rowid == Offer.id)
        .where(fts.op("MATCH")(bindparam("keywords", type_=String))),
        # bm25 is lower for better matches.
        -func.bm25(fts, TITLE_WEIGHT, 1.0, type_=Float),
    )
