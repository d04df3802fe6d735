"""Search: keyword matching on PostgreSQL (tsvector) and SQLite (FTS5) behind one interface,
and faceted search of published offers built on it.

    search_offers(filters: OfferFilters, *, page=1, per_page=20, population=None)
        -> OfferSearchResult
    keyword_matches(query: str, columns) -> (listing rows, relevance) arrays | None
"""

from .offers import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    REFERENCE_POPULATION,
    Facet,
    FacetOption,
    FilterError,
    OfferFilters,
    OfferHit,
    OfferSearchResult,
    parse_filters,
    parse_page,
    search_offers,
)
from .text import keyword_matches, keywords, search_text_for

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "REFERENCE_POPULATION",
    "Facet",
    "FacetOption",
    "FilterError",
    "OfferFilters",
    "OfferHit",
    "OfferSearchResult",
    "keyword_matches",
    "keywords",
    "parse_filters",
    "parse_page",
    "search_offers",
    "search_text_for",
]
