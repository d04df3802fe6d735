"""Searches, and the offers per specification, kept in the shared cache (Redis) under the
catalogue's generation (services.catalogue_cache).

A kept search answers exactly as a search worked out afresh, and every change to what a
search finds or counts (publishing, withdrawing, a merger, a signed-off review, the
catalogue) shows in the very next search. These tests use the Redis at 127.0.0.1:6379 that
CI and `make test` run beside PostgreSQL, each under a prefix of its own.
"""

import logging
import re
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import CatalogueGeneration
from marketplace.search import OfferFilters, search_offers
from marketplace.services import catalogue, catalogue_cache, market_change, prospectuses
from marketplace.services.assurance import NOT_ASSESSED
from marketplace.services.errors import ServiceError

from .. import factories as build
from ..conftest import user
from ..queries import counting_statements


@pytest.fixture
def shared(catalogue_cache_on):
    return catalogue_cache_on


@pytest.fixture
def market(shared):
    built = build.build_market()
    db.session.commit()
    return built


def _kept(shared) -> int:
    redis, prefix = shared
    return sum(1 for _ in redis.scan_iter(f"{prefix}:*"))


def _token() -> str:
    return db.session.scalar(select(CatalogueGeneration.token))


def _shown(result) -> tuple:
    """Everything a search shows but the offers' own fields."""
    return (
        result.total,
        [(hit.offer.id, hit.rank, hit.assurance_status, hit.cost_per_head, hit.annual_cost)
         for hit in result.hits],
        [(facet.name, facet.options) for facet in result.facets],
    )


SEARCHES = [
    (OfferFilters(), {}),
    (OfferFilters(q="business intelligence"), {}),
    (OfferFilters(pricing_model=("per_head",), price_band=("under-1",)), {}),
    (OfferFilters(specification=("BI-01", "CM-01"), q="monitoring"), {"page": 1, "per_page": 1}),
    (OfferFilters(), {"population": 350_000, "sort": "cost"}),
    (OfferFilters(price_band=("12-and-over",)), {"population": 90_000}),
]


@pytest.mark.parametrize(("filters", "options"), SEARCHES)
def test_a_kept_search_answers_as_one_worked_out(app, market, shared, filters, options):
    kept_before = _kept(shared)
    first = search_offers(filters, **options)
    assert _kept(shared) == kept_before + 1
    with counting_statements() as asked:
        again = search_offers(filters, **options)
    # The token, the offers on the page and the assurance labels; no count.
    assert not any("count(" in statement.lower() for statement in asked.statements)
    assert _shown(again) == _shown(first)
    app.config.update(SEARCH_CACHE_URL=None)
    catalogue_cache.init_app(app)
    assert _shown(search_offers(filters, **options)) == _shown(first)


def test_each_question_is_kept_apart(market, shared):
    """The page, its size, the order and the viewer's population are part of the question."""
    search_offers(OfferFilters())
    search_offers(OfferFilters(), page=2, per_page=1)
    search_offers(OfferFilters(), per_page=1)
    search_offers(OfferFilters(), population=90_000)
    search_offers(OfferFilters(), population=90_000, sort="price")
    search_offers(OfferFilters(q="intelligence"))
    assert _kept(shared) == 6
    search_offers(OfferFilters(), population=90_000)
    assert _kept(shared) == 6


def _titles(filters=OfferFilters()) -> set[str]:
    return {hit.offer.title for hit in search_offers(filters, per_page=100).hits}


def _agrees_with_worked_out(app) -> None:
    """After a change, every search kept since answers as one worked out afresh."""
    kept = [_shown(search_offers(filters, **options)) for filters, options in SEARCHES]
    app.config.update(SEARCH_CACHE_URL=None)
    catalogue_cache.init_app(app)
    assert [_shown(search_offers(filters, **options)) for filters, options in SEARCHES] == kept


def test_publishing_shows_in_the_next_search(app, market, shared):
    token = _token()
    build.publish(market.meridian.name,
                  (market.contracts, {"title": "Contract challenge for small CCGs",
                                      "pricing_model": "fixed_annual", "price": 40_000}))
    db.session.commit()
    assert _token() != token
    assert "Contract challenge for small CCGs" in _titles()
    assert "Contract challenge for small CCGs" in _titles(OfferFilters(q="challenge"))
    _agrees_with_worked_out(app)


def test_withdrawing_shows_in_the_next_search(app, market, shared):
    assert market.meridian_bi.title in _titles()
    version = prospectuses.current_version(market.meridian.id)
    prospectuses.withdraw(user("admin@demo.test"), version, "Closing")
    db.session.commit()
    assert market.meridian_bi.title not in _titles()
    _agrees_with_worked_out(app)


def test_a_merger_shows_in_the_next_search(app, market, shared):
    assert market.gem_bi.title in _titles()
    market_change.merge(user("bdu@demo.test"), market.gem, market.arden, kind="merger",
                        effective_on=date(2012, 8, 1))
    db.session.commit()
    assert market.gem_bi.title not in _titles()
    _agrees_with_worked_out(app)


def test_a_signed_off_review_shows_in_the_next_search(app, market, shared):
    def arden_status():
        hits = search_offers(OfferFilters(q=market.arden_bi.title)).hits
        return next(hit.assurance_status for hit in hits if hit.offer.id == market.arden_bi.id)

    assert arden_status() == NOT_ASSESSED
    review = build.drafted_review(2, name=market.arden.name)
    db.session.commit()
    assert arden_status() == NOT_ASSESSED  # a draft review changes nothing
    build.sign_off(review)
    db.session.commit()
    assert arden_status() != NOT_ASSESSED
    _agrees_with_worked_out(app)


def test_a_renamed_specification_shows_in_the_next_search(app, market, shared):
    build.publish(market.meridian.name, (market.bi, {"title": "Dashboards for GP practices"}))
    db.session.commit()
    assert not _titles(OfferFilters(q="insight"))
    fields = {name: getattr(market.bi, name) for name in catalogue.FIELDS}
    catalogue.update_specification(user("admin@demo.test"), market.bi,
                                   {**fields, "name": "Insight and intelligence"})
    db.session.commit()
    assert "Dashboards for GP practices" in _titles(OfferFilters(q="insight"))
    labels = {option.key: option.label for facet in search_offers(OfferFilters()).facets
              if facet.name == "specification" for option in facet.options}
    assert labels["BI-01"] == "Insight and intelligence"
    _agrees_with_worked_out(app)


def test_a_refused_change_keeps_the_generation(market, shared):
    token = _token()
    with pytest.raises(ServiceError):
        prospectuses.publish(None, market.meridian, lock_version=None, change_note="x" * 100_000)
    assert _token() == token


def test_searches_go_on_while_redis_does_not_answer(app, market, shared, caplog):
    worked_out = search_offers(OfferFilters())
    app.config.update(SEARCH_CACHE_URL="redis://127.0.0.1:1/0")  # nothing listens there
    catalogue_cache.init_app(app)
    with caplog.at_level(logging.WARNING, logger="marketplace.services.catalogue_cache"):
        answered = search_offers(OfferFilters())
    assert _shown(answered) == _shown(worked_out)
    assert "shared cache not answering" in caplog.text


def _without_nonces(page: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", page)


def test_the_search_page_is_kept_too(client, market, shared):
    first = client.get("/offers?q=intelligence")
    assert first.status_code == 200
    assert _kept(shared) == 1
    again = client.get("/offers?q=intelligence")
    assert _without_nonces(again.get_data(as_text=True)) == \
        _without_nonces(first.get_data(as_text=True))
    assert _kept(shared) == 1


def test_the_offers_per_specification_are_kept_until_the_catalogue_changes(app, market, shared):
    counted = catalogue.published_offer_counts()
    assert _kept(shared) == 1
    with counting_statements() as asked:
        assert catalogue.published_offer_counts() == counted
    assert not any("count(" in statement.lower() for statement in asked.statements)
    build.publish(market.meridian.name, (market.comms, {"title": "Engagement for practices"}))
    db.session.commit()
    after = catalogue.published_offer_counts()
    # Meridian's new version holds only the new offer: its business intelligence offer went
    # with the version it replaced.
    assert after[market.comms.id] == counted.get(market.comms.id, 0) + 1
    assert after.get(market.bi.id, 0) == counted[market.bi.id] - 1
    app.config.update(SEARCH_CACHE_URL=None)
    catalogue_cache.init_app(app)
    assert catalogue.published_offer_counts() == after
