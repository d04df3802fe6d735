"""Search counts and orders over the listing's columns in memory (search/columns.py), with
the database answering only the keywords (search/text.keyword_matches). These tests hold the
column arithmetic to worked numbers, and whole searches to a count made offer by offer."""

import itertools
import random
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import select

from marketplace.domain.pricing import PRICE_BANDS, cost_per_head, price_band
from marketplace.extensions import db
from marketplace.models import Offer, OfferListing
from marketplace.search import OfferFilters, keyword_matches, search_offers
from marketplace.search.cache import LRUCache, large_results
from marketplace.search.columns import (
    NO_REGION,
    Column,
    ListingColumns,
    TitleWords,
    read_columns,
)
from marketplace.search.offers import NATIONAL
from marketplace.search.text import TITLE_WEIGHT, relevance

from ..factories import create_spec, publish


def small_listing() -> ListingColumns:
    """Five offers: ids 3, 5, 8, 13, 21."""
    return ListingColumns(
        offer_ids=np.array([3, 5, 8, 13, 21]),
        specification=Column.of([1, 1, 2, 2, 2]),
        region=Column.of([10, 10, 11, NO_REGION, 11]),
        kind=Column.of(["css", "css", "css", "independent_provider", "css"]),
        status=Column.of(["not_assessed"] * 4 + ["cp2-A"]),
        model=Column.of(["per_head", "per_head", "fixed_annual", "per_head", "day_rate"]),
        # £0.95, £0.95, £45,000 a year, £12.50, £65,000 a year (100 days at £650)
        price=Column.of([9_500, 9_500, 450_000_000, 125_000, 650_000_000]),
    )


def test_relevance_counts_title_words_four_times():
    assert TITLE_WEIGHT == 4
    # Two keywords: both in the title 4 + 4; one 4 + 1; neither (both elsewhere) 1 + 1.
    assert relevance(np.array([[True, True], [True, False], [False, False]])).tolist() \
        == [8, 5, 2]
    assert relevance(np.array([[True], [False]])).tolist() == [4, 1]


def test_columns_code_values_and_count_them():
    column = Column.of(["b", "a", "b", "c"])
    assert column.values == ("a", "b", "c") and column.codes.tolist() == [1, 0, 1, 2]
    rows = np.array([0, 2, 3])
    assert column.allows(rows, {"b"}).tolist() == [True, True, False]
    assert column.allows(rows, {"z"}).tolist() == [False, False, False]
    assert column.counts(rows) == {"b": 2, "c": 1}
    assert column.counts(np.array([], np.int64)) == {}


def test_positions_leave_out_offers_the_columns_do_not_hold():
    listing = small_listing()
    rows, found = listing.positions(np.array([5, 6, 21, 40]))
    assert rows.tolist() == [1, 4]  # 6 and 40 were listed after these columns were read
    assert found.tolist() == [True, False, True, False]


def test_provider_counts_and_price_columns_of_some_rows():
    listing = small_listing()
    everything = np.arange(5)
    assert sorted(listing.provider_counts(everything), key=str) == sorted([
        (10, "css", "not_assessed", 2), (11, "css", "not_assessed", 1),
        (11, "css", "cp2-A", 1), (None, "independent_provider", "not_assessed", 1),
    ], key=str)
    assert listing.price_columns(everything) == {
        "day_rate": ([650_000_000], [1]),
        "fixed_annual": ([450_000_000], [1]),
        "per_head": ([9_500, 125_000], [2, 1]),
    }
    assert listing.price_columns(np.array([0, 3])) == {"per_head": ([9_500, 125_000], [1, 1])}


def test_bands_at_a_population():
    listing = small_listing()
    keys = [PRICE_BANDS[index].key for index in listing.bands(np.arange(5), 226_054)]
    # £0.95 a head; £12.50; £45,000 / 226,054 = 20p; £65,000 / 226,054 = 29p.
    assert keys == ["under-1", "under-1", "under-1", "12-and-over", "under-1"]
    keys = [PRICE_BANDS[index].key for index in listing.bands(np.arange(5), 10_000)]
    # £45,000 / 10,000 = £4.50; £65,000 / 10,000 = £6.50.
    assert keys[2] == price_band(Decimal("4.50")) and keys[4] == price_band(Decimal("6.50"))


def test_a_price_on_a_band_boundary_is_in_the_higher_band():
    # £1.00 a head exactly, and £99,500 a year at 100,000 people: £0.995 a head, which
    # rounds half-up to £1.00 (annual_band_floors); £99,499.9999 a year rounds to £0.99.
    listing = ListingColumns(
        offer_ids=np.array([1, 2, 3]), specification=Column.of([1, 1, 1]),
        region=Column.of([10, 10, 10]), kind=Column.of(["css"] * 3),
        status=Column.of(["not_assessed"] * 3),
        model=Column.of(["per_head", "fixed_annual", "fixed_annual"]),
        price=Column.of([10_000, 995_000_000, 994_999_999]),
    )
    keys = [PRICE_BANDS[index].key for index in listing.bands(np.arange(3), 100_000)]
    assert keys == [price_band(Decimal("1.00")), price_band(Decimal("1.00")),
                    price_band(Decimal("0.99"))]
    assert keys[0] != keys[2]


def test_the_cache_can_forget_some_entries_only():
    cache = LRUCache()
    cache.put(("offers", 1), "a search")
    cache.put(("listing columns", 1), "columns")
    cache.clear(where=lambda key: key[0] == "offers")
    assert cache.get(("offers", 1)) is None and cache.get(("listing columns", 1)) == "columns"


@pytest.fixture
def varied_market(app_context):
    """Offers across providers, regions, kinds and every pricing model."""
    planning = create_spec("PLN-RSK", "Risk stratification", phase="planning",
                           nature="transformational")
    contracts = create_spec("AGR-PRC", "Clinical procurement", phase="agreeing_contracts")
    support = create_spec("BUS-LEG", "Legal services", phase="business_support")
    publish("Arden CSS",
            (planning, {"title": "Risk stratification for practices", "price": "0.60"}),
            (contracts, {"title": "Procurement support", "pricing_model": "fixed_annual",
                         "price": "45000"}),
            (support, {"title": "Legal advice", "price": "2.40"}))
    publish("Greater East Midlands CSS",
            (planning, {"title": "Case finding", "pricing_model": "day_rate", "price": "650",
                        "estimated_quantity": Decimal("100")}),
            (contracts, {"title": "Procurement and tendering", "price": "12.50"}),
            (support, {"title": "Legal services", "pricing_model": "per_case",
                       "price": "300", "estimated_quantity": Decimal("200")}))
    publish("Meridian Commissioning Partners Ltd",
            (contracts, {"title": "Procurement law", "pricing_model": "fixed_annual",
                         "price": "900000"}),
            (planning, {"title": "Risk tools", "description": "Procurement-ready risk tools",
                        "price": "0.95"}))
    return db.session.scalars(select(Offer).join(OfferListing)).all()


def expected_search(offers, filters: OfferFilters, population: int, among: set[int]):
    """The total and facet counts made offer by offer, from the models and the domain."""
    def value(offer, name):
        organisation = offer.organisation
        return {
            "specification": offer.specification.code,
            "phase": offer.specification.phase,
            "nature": offer.specification.nature,
            "region": organisation.region.code if organisation.region else NATIONAL,
            "pricing_model": offer.pricing_model,
            "price_band": price_band(cost_per_head(offer.pricing_model, offer.price,
                                                   population, offer.estimated_quantity)),
            "provider_kind": organisation.kind,
            "assurance": "not_assessed",
        }[name]

    def passes(offer, leaving_out):
        return all(not getattr(filters, name) or value(offer, name) in getattr(filters, name)
                   for name in filters.facet_names() if name != leaving_out)

    candidates = [offer for offer in offers if offer.id in among]
    facets = {}
    for name in filters.facet_names():
        counts: dict[str, int] = {}
        for offer in candidates:
            if passes(offer, name):
                counts[value(offer, name)] = counts.get(value(offer, name), 0) + 1
        facets[name] = counts
    total = sum(1 for offer in candidates if passes(offer, None))
    return total, facets


def test_search_counts_agree_with_counting_offer_by_offer(varied_market):
    offers = varied_market
    choices = {
        "phase": ["planning", "agreeing_contracts", "business_support"],
        "nature": ["transformational", "transactional"],
        "pricing_model": ["per_head", "fixed_annual", "day_rate", "per_case"],
        "price_band": [band.key for band in PRICE_BANDS],
        "provider_kind": ["css", "independent_provider"],
        "specification": ["PLN-RSK", "AGR-PRC", "BUS-LEG"],
    }
    chooser = random.Random(2013)
    everything = {offer.id for offer in offers}
    columns = read_columns()
    procurement_rows, _ = keyword_matches("procurement", columns)
    procurement_ids = columns.offer_ids[procurement_rows]
    for q, among in (("", everything), ("procurement", set(procurement_ids.tolist()))):
        for population in (1_000, 226_054, 900_000):
            for _ in range(12):
                chosen = {name: tuple(sorted(chooser.sample(values, chooser.randint(0, 2))))
                          for name, values in choices.items()}
                filters = OfferFilters(q=q, **chosen)
                result = search_offers(filters, population=population, per_page=100)
                total, facets = expected_search(offers, filters, population, among)
                assert result.total == total, filters
                assert len(result.hits) == total
                for facet in result.facets:
                    shown = {option.key: option.count for option in facet.options
                             if option.count}
                    assert shown == facets[facet.name], (facet.name, filters)


def scores_of(query: str) -> dict[int, int]:
    """offer id -> relevance, for the offers matching ``query``."""
    columns = read_columns()
    rows, scores = keyword_matches(query, columns)
    assert rows.tolist() == sorted(rows.tolist())
    return dict(zip(columns.offer_ids[rows].tolist(), scores.tolist(), strict=True))


def test_keyword_matches_give_rows_in_order_and_title_matches_score_higher(varied_market):
    by_title = {offer.title: offer.id for offer in varied_market}
    score_of = scores_of("procurement")
    # In the title: 4. Only in the text (the description, or the specification's name
    # "Clinical procurement" that every offer against it carries): 1.
    assert score_of[by_title["Procurement law"]] == 4
    assert score_of[by_title["Procurement and tendering"]] == 4
    assert score_of[by_title["Risk tools"]] == 1
    assert by_title["Legal advice"] not in score_of
    result = search_offers(OfferFilters(q="procurement"))
    ranks = [hit.rank for hit in result.hits]
    assert ranks == sorted(ranks, reverse=True)
    # Equally relevant offers keep the order they were published in (offer id).
    for rank, hits in itertools.groupby(result.hits, key=lambda hit: hit.rank):
        ids = [hit.offer.id for hit in hits]
        assert ids == sorted(ids), rank


def test_title_words_are_stemmed_as_the_engine_stems_them(varied_market):
    """Each keyword is tested against the titles as stemmed words, on either engine: a
    plural finds the singular, and two words both in the title count 4 each."""
    by_title = {offer.title: offer.id for offer in varied_market}
    plural = scores_of("procurements")
    assert plural[by_title["Procurement law"]] == 4
    assert plural[by_title["Risk tools"]] == 1
    both = scores_of("procurement law")
    assert both == {by_title["Procurement law"]: 8}


def test_title_words_hold_each_lexeme_s_rows():
    titles = TitleWords.of(["procur law", "", "procur tender", "law"])
    assert titles.rows["procur"].tolist() == [0, 2]
    rows = np.array([0, 1, 2, 3])
    assert titles.holding(["procur"], rows).tolist() == [True, False, True, False]
    assert titles.holding(["procur", "law"], rows).tolist() == [True, False, False, False]
    assert titles.holding(["absent"], rows).tolist() == [False] * 4
    assert titles.holding([], rows).tolist() == [False] * 4  # a word the stemmer drops
    assert titles.holding(["law"], np.array([1, 3])).tolist() == [False, True]


def test_title_words_are_made_when_a_keyword_search_first_asks(varied_market):
    columns = read_columns()
    assert "titles" not in vars(columns)  # browsing without keywords never makes them
    keyword_matches("procurement", columns)
    if db.engine.dialect.name == "postgresql":
        assert "titles" in vars(columns)
        in_title = columns.offer_ids[columns.titles.rows["procur"]].tolist()
        assert in_title == sorted(offer.id for offer in varied_market
                                  if "procurement" in offer.title.lower())
    else:
        assert columns.titles is None  # SQLite asks its FTS5 table


def test_columns_read_the_whole_listing(varied_market):
    columns = read_columns()
    assert columns.offer_ids.tolist() == sorted(offer.id for offer in varied_market)
    assert set(columns.model.values) == {"per_head", "fixed_annual", "day_rate", "per_case"}


def test_only_the_latest_versions_columns_are_kept(varied_market):
    large_results.clear()
    spec = create_spec("BI-DSS", "Decision support")
    for title in ("Dashboards", "Dashboards v2", "Dashboards v3"):
        search_offers(OfferFilters(q="dashboards"))  # reads this version's columns
        publish("Arden CSS", (spec, {"title": title}))  # a new catalogue version
    search_offers(OfferFilters(q="dashboards"))
    assert len(large_results) == 2  # megabytes each at scale: old versions are let go
    assert "Dashboards v3" in [hit.offer.title
                               for hit in search_offers(OfferFilters(q="dashboards")).hits]
