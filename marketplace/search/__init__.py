"""Search: faceted search of published offers, with keywords matched and ranked by each
engine's full-text index (PostgreSQL tsvector, SQLite FTS5) behind one interface.

    search_offers(filters: OfferFilters, *, page=1, per_page=20, population=None,
                  sort="relevance") -> OfferSearchResult
    match_keywords(statement) -> (statement, relevance), keywords bound as "keywords"

What a search works out is kept in Redis until the catalogue changes
(services.catalogue_cache).
"""

from .offers import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    REFERENCE_POPULATION,
    SORT_LABELS,
    Facet,
    FacetOption,
    FilterError,
    OfferFilters,
    OfferHit,
    OfferSearchResult,
    parse_filters,
    parse_page,
    parse_sort,
    search_offers,
)
from .text import keyword_parameter, keywords, match_keywords

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "REFERENCE_POPULATION",
    "SORT_LABELS",
    "Facet",
    "FacetOption",
    "FilterError",
    "OfferFilters",
    "OfferHit",
    "OfferSearchResult",
    "keyword_parameter",
    "keywords",
    "match_keywords",
    "parse_filters",
    "parse_sort",
    "parse_page",
    "search_offers",
]
