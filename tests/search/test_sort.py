"""Sorting offers by relevance, by price and by the cost to the viewing CCG, with worked
numbers; the cards show the cost to that CCG; links keep the order; a bad sort is a 400.

Three offers, and NHS Coventry set to 300,000 people (the reference population, the median
CCG of 2012, is 226,054):

    offer                        at 226,054 (price)        at 300,000 (cost to Coventry)
    A  £0.75 per head            £169,540.50               £225,000.00
    B  £200,000 a year (fixed)   £200,000.00               £200,000.00
    C  £600 a day × 300 days     £180,000.00               £180,000.00

So by price A, C, B; by cost to Coventry C, B, A; by relevance (no words) as published, A, B, C.
"""

from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.search import REFERENCE_POPULATION, OfferFilters, search_offers

from ..conftest import html, user
from ..factories import create_spec, publish


@pytest.fixture
def offers(app_context):
    assert REFERENCE_POPULATION == 226_054
    spec = create_spec("BI-DSS", "Decision support")
    publish(
        "Arden CSS",
        (spec, {"title": "A per head", "price": "0.75"}),
        (spec, {"title": "B fixed", "pricing_model": "fixed_annual", "price": "200000"}),
        (
            spec,
            {
                "title": "C days",
                "pricing_model": "day_rate",
                "price": "600",
                "estimated_quantity": Decimal("300"),
            },
        ),
    )
    coventry = user("ccg@demo.test").organisation
    coventry.population = 300_000
    db.session.commit()
    return coventry


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return [a.get_text(strip=True) for a in html(response).select("h3.nhsuk-card__heading a")]


def test_the_three_orders_with_worked_numbers(offers):
    def order(sort, population=None):
        result = search_offers(OfferFilters(), population=population, sort=sort)
        return [hit.offer.title for hit in result.hits]

    assert order("relevance") == ["A per head", "B fixed", "C days"]
    assert order("price") == ["A per head", "C days", "B fixed"]
    assert order("price", population=300_000) == ["A per head", "C days", "B fixed"]
    assert order("cost", population=300_000) == ["C days", "B fixed", "A per head"]
    result = search_offers(OfferFilters(), population=300_000, sort="cost")
    assert [hit.annual_cost for hit in result.hits] == [
        Decimal("180000.00"),
        Decimal("200000.00"),
        Decimal("225000.00"),
    ]
    assert all(hit.annual_cost is None for hit in search_offers(OfferFilters()).hits)


def test_a_ccg_user_sorts_by_its_cost_and_sees_it_on_each_card(ccg_client, offers):
    assert _titles(ccg_client.get("/offers?sort=cost")) == ["C days", "B fixed", "A per head"]
    page = html(ccg_client.get("/offers?sort=cost"))
    costs = [p.get_text(" ", strip=True) for p in page.select(".marketplace-cost-to-ccg")]
    assert costs == [
        f"Cost to {offers.name}: £180,000.00 a year",
        f"Cost to {offers.name}: £200,000.00 a year",
        f"Cost to {offers.name}: £225,000.00 a year",
    ]
    assert page.select_one("#sort option[selected]")["value"] == "cost"
    assert _titles(ccg_client.get("/offers?sort=price")) == ["A per head", "C days", "B fixed"]


def test_the_sort_survives_filtering_and_searching(ccg_client, offers):
    page = html(ccg_client.get("/offers?sort=cost&q=decision"))
    facets = page.select_one(".marketplace-facets form")
    assert facets.select_one("input[name=sort]")["value"] == "cost"
    sort_form = page.select_one("form.marketplace-sort")
    assert sort_form.select_one("input[name=q]")["value"] == "decision"


def test_visitors_sort_by_price_but_not_by_a_ccgs_cost(client, offers):
    assert _titles(client.get("/offers?sort=price")) == ["A per head", "C days", "B fixed"]
    page = html(client.get("/offers"))
    assert [o["value"] for o in page.select("#sort option")] == ["relevance", "price"]
    assert not page.select(".marketplace-cost-to-ccg")
    refused = client.get("/offers?sort=cost")
    assert refused.status_code == 400
    assert html(refused).select_one(".nhsuk-error-summary a[href='#sort']")


@pytest.mark.parametrize("value", ["cheapest", "PRICE", "<b>", "relevance;drop"])
def test_an_unknown_sort_is_refused_naming_the_field(ccg_client, offers, value):
    response = ccg_client.get("/offers", query_string={"sort": value})
    assert response.status_code == 400
    page = html(response)
    link = page.select_one(".nhsuk-error-summary a[href='#sort']")
    assert link is not None and "Sort by one of" in link.get_text()
    assert page.select_one("#sort-error") is not None


def _api_titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


def test_the_api_sorts_as_the_page_does(client, ccg_client, offers):
    assert _api_titles(client.get("/api/v1/offers?sort=price")) == [
        "A per head", "C days", "B fixed"]
    assert _api_titles(client.get("/api/v1/offers")) == ["A per head", "B fixed", "C days"]
    assert _api_titles(ccg_client.get("/api/v1/offers?sort=cost")) == [
        "C days", "B fixed", "A per head"]
    assert ccg_client.get("/api/v1/offers?sort=cost").get_json()["sort"] == "cost"


@pytest.mark.parametrize("value", ["cheapest", "<b>", "cost"])
def test_the_api_refuses_an_unknown_sort_or_a_visitors_cost_naming_the_field(client, value):
    response = client.get("/api/v1/offers", query_string={"sort": value})
    assert response.status_code == 400
    assert "sort" in str(response.get_json())
