"""A CSS that merged into another no longer trades: its published offers leave the search
(results, totals and every facet's counts, on the page and in the API), while its own
pages stay readable. The counts agree with the results before and after."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.extensions import db
from marketplace.search import OfferFilters, parse_filters, search_offers
from marketplace.services import market_change

from .. import factories as build
from ..conftest import html, text_of, user


def _everything(filters: OfferFilters = OfferFilters()):
    return search_offers(filters, per_page=100)


def _agrees(result) -> None:
    """Every facet counts each listed offer once (one key per offer in each facet), so with
    no filter its options add up to the total, and the total is the hits listed."""
    assert len(result.hits) == result.total
    for facet in result.facets:
        assert sum(option.count for option in facet.options) == result.total, facet.name


@pytest.fixture
def merged(app_context):
    market = build.build_market()
    db.session.commit()
    before = _everything()
    gem_titles = {market.gem_bi.title, market.gem_contracts.title}
    # Before: the offers are there, so the test below would see them come back.
    assert gem_titles <= {hit.offer.title for hit in before.hits}
    _agrees(before)
    market_change.merge(user("bdu@demo.test"), market.gem, market.arden, kind="merger",
                        effective_on=date(2012, 8, 1))
    db.session.commit()
    return market, before, gem_titles


def test_a_merged_css_offers_leave_results_and_every_facet(merged):
    market, before, gem_titles = merged
    after = _everything()
    titles = {hit.offer.title for hit in after.hits}
    assert not gem_titles & titles
    assert after.total == before.total - 2
    _agrees(after)
    assert all(hit.offer.organisation_id != market.gem.id for hit in after.hits)
    # Under a filter the counts still agree with what is listed: per-case pricing was GEM's
    # only, so it is neither offered as a choice nor finds anything when chosen.
    pricing = {o.key: o.count for o in next(f for f in after.facets
                                             if f.name == "pricing_model").options}
    assert "per_case" not in pricing
    chosen = _everything(OfferFilters(pricing_model=("per_case",)))
    assert chosen.total == 0 and chosen.hits == []
    # Keywords that match only GEM's offers find nothing, and count nothing.
    worded = _everything(OfferFilters(q="GEM"))
    assert worded.total == 0 and all(not f.options for f in worded.facets)


def test_the_search_page_and_the_api_leave_them_out_for_every_role(merged, client, sign_in):
    market, _before, gem_titles = merged
    for who, browser in (("anonymous", client), ("ccg", sign_in("ccg@demo.test")),
                         ("css", sign_in("css@demo.test")), ("bdu", sign_in("bdu@demo.test"))):
        page = browser.get("/offers")
        assert page.status_code == 200, who
        text = text_of(page)
        assert not any(title in text for title in gem_titles), who
        body = browser.get("/api/v1/offers?per_page=100").get_json()
        assert {item["title"] for item in body["items"]}.isdisjoint(gem_titles), who
        assert body["total"] == len(body["items"])
        for name, options in body["facets"].items():
            assert sum(option["count"] for option in options) == body["total"], (who, name)
    filters, errors = parse_filters(MultiDict({"q": "contract monitoring"}))
    assert errors == []
    assert {hit.offer.title for hit in _everything(filters).hits} == {"Arden contract monitoring"}


def test_its_own_pages_stay_readable(merged, client):
    market, _before, _titles = merged
    offer = client.get(f"/offers/{market.gem_bi.id}")
    assert offer.status_code == 200
    assert market.gem_bi.title in html(offer).select_one("h1").get_text()
    assert client.get(f"/providers/{market.gem.id}").status_code == 200


def test_the_catalogue_counts_what_the_search_lists(merged, client):
    """The specification page's count of published offers leaves the merged CSS's out too,
    so it says as many as its link to the search finds."""
    market, before, _titles = merged
    code = market.gem_bi.specification.code
    listed = _everything(OfferFilters(specification=(code,))).total
    before_count = sum(1 for hit in before.hits if hit.offer.specification_code == code)
    assert listed == before_count - 1
    page = text_of(client.get(f"/specifications/{code}"))
    assert f"{listed} published offer" in page, page[:2000]
