"""Keyword matching over offers, one interface on two engines.

Two indexes, each on both engines:

- every published version's offers (current, superseded or withdrawn), for
  ``text_matches``: PostgreSQL's generated tsvector offer.search_vector (GIN-indexed),
  SQLite's FTS5 table offer_fts;
- the offers of currently published versions only, for search (``keyword_filter``):
  offer_listing.search_vector and offer_listing_fts (migration 0008).

Both stem English words (Snowball "english" and
FTS5's porter tokenizer) and join the words with AND, so the same query finds the same
offers on either engine; only the relevance scores differ in scale.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, column, func, literal_column, select, table

from marketplace.extensions import db
from marketplace.models import Offer, OfferListing

MAX_QUERY_LENGTH = 200
# PostgreSQL's english configuration drops these; FTS5 has no stop words, so we drop the
# common ones ourselves or "contract and monitoring" would need the word "and" in the offer.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)

_offer_fts = table("offer_fts", column("rowid"))


def keywords(query: str) -> list[str]:
    """The words of a query that matching uses, lower-cased, in order."""
    words = _WORD.findall((query or "")[:MAX_QUERY_LENGTH].lower())
    return [word for word in words if word not in STOP_WORDS and word.strip("_")]


def _ts_query(words: list[str]):
    """PostgreSQL: the words joined with AND, stemmed by the english configuration."""
    return func.plainto_tsquery("english", " ".join(words))


def _fts5_match(words: list[str]) -> str:
    """FTS5: each word quoted (so no word is read as an operator), separated by spaces
    (AND)."""
    return " ".join('"' + word.replace('"', "") + '"' for word in words)


def _bm25(fts_table: str):
    """FTS5 relevance, higher is better (bm25 is lower-is-better); the title counts four
    times as much as the rest."""
    return -func.bm25(literal_column(fts_table), 4, 1)


def text_matches(query: str, *, ranked: bool = True) -> Select | None:
    """A select of (offer_id, rank) for the published-version offers (current, superseded
    or withdrawn; never drafts) matching every keyword of ``query``.

    Higher rank means more relevant; with ``ranked=False`` the rank column is left out, for
    callers that only count. None when the query has no usable words (so the caller does
    not filter by text at all). Callers add their own condition on the version's status.
    """
    words = keywords(query)
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        ts_query = _ts_query(words)
        vector = literal_column("offer.search_vector")
        columns = [Offer.id.label("offer_id")]
        if ranked:
            columns.append(func.ts_rank_cd(vector, ts_query).label("rank"))
        # The GIN index is partial (drafts are never searched); repeating its condition
        # lets the planner use it.
        return select(*columns).where(
            vector.op("@@")(ts_query), Offer.prospectus_version_id.is_not(None)
        )
    # Drafts are never in offer_fts (its triggers skip them).
    columns = [_offer_fts.c.rowid.label("offer_id")]
    if ranked:
        columns.append(_bm25("offer_fts").label("rank"))
    return (
        select(*columns)
        .select_from(_offer_fts)
        .where(literal_column("offer_fts").op("MATCH")(_fts5_match(words)))
    )


@dataclass(frozen=True)
class KeywordFilter:
    """Keyword matching over the published-offer listing (models/listing.py): ``apply``
    restricts a select over offer_listing to the matching offers, and ``rank`` (higher is
    more relevant) may then be selected or ordered by in that select.

    PostgreSQL matches the listing's own tsvector column; SQLite joins its FTS5 table
    offer_listing_fts by rowid (= offer id), in the same select so that bm25 can be used.
    """

    apply: Any  # Callable[[Select], Select]
    rank: Any  # a column expression


_listing_fts = table("offer_listing_fts", column("rowid"))


def keyword_filter(query: str) -> KeywordFilter | None:
    """The keyword filter for ``query`` over the listing, or None when it has no usable
    words."""
    words = keywords(query)
    if not words:
        return None
    listing = OfferListing.__table__
    if db.engine.dialect.name == "postgresql":
        ts_query = _ts_query(words)
        vector = literal_column("offer_listing.search_vector")
        return KeywordFilter(
            apply=lambda statement: statement.where(vector.op("@@")(ts_query)),
            rank=func.ts_rank_cd(vector, ts_query),
        )
    match = _fts5_match(words)
    return KeywordFilter(
        apply=lambda statement: statement.join(
            _listing_fts, _listing_fts.c.rowid == listing.c.offer_id
        ).where(literal_column("offer_listing_fts").op("MATCH")(match)),
        rank=_bm25("offer_listing_fts"),
    )


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
