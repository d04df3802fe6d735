"""Search on whichever engine the suite runs on (TEST_DATABASE): the same tests cover both."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.domain.pricing import cost_per_head, price_band
from marketplace.extensions import db
from marketplace.models import Offer, ProspectusVersion
from marketplace.search import (
    REFERENCE_POPULATION,
    OfferFilters,
    keywords,
    search_offers,
)
from marketplace.services import prospectuses

from ..conftest import html, text_of
from ..factories import add_offer, create_spec, organisation, publish


@pytest.fixture
def market(app_context):
    """Three providers' published offers, one withdrawn and one draft."""
    bi = create_spec("BI-DSS", "Decision support", phase="business_support")
    risk = create_spec("PLN-RSK", "Risk stratification", phase="planning",
                       description="Risk stratification of the registered population")
    legal = create_spec("BUS-LEG", "Legal services", phase="business_support")
    publish("Arden CSS",
            (risk, {"title": "Risk stratification for practices", "price": "0.60"}),
            (bi, {"title": "Dashboards", "price": "1.20"}),
            (legal, {"title": "Legal advice", "pricing_model": "fixed_annual",
                     "price": "45000"}))
    publish("Greater East Midlands CSS",
            (bi, {"title": "Business intelligence",
                  "description": "Includes risk stratification", "price": "0.95"}),
            (risk, {"title": "Case finding", "pricing_model": "day_rate", "price": "650",
                    "estimated_quantity": Decimal("100")}))
    publish("Meridian Commissioning Partners Ltd",
            (legal, {"title": "Procurement law", "pricing_model": "per_case", "price": "300",
                     "estimated_quantity": Decimal("200")}))
    withdrawn = publish("North West London CSS", (risk, {"title": "Risk stratification NWL"}))
    prospectuses.withdraw(None, withdrawn)
    add_offer("Arden CSS", risk, title="Risk stratification draft")
    return {"bi": bi, "risk": risk, "legal": legal}


def titles(result):
    return [hit.offer.title for hit in result.hits]


def facet(result, name):
    return {o.key: o.count for o in next(f for f in result.facets if f.name == name).options}


def test_keywords_rank_title_matches_first_and_skip_drafts_and_withdrawn(market):
    result = search_offers(OfferFilters(q="risk stratification"))
    # Title matches rank above a description-only match; drafts and withdrawn never show.
    assert set(titles(result)) == {"Risk stratification for practices", "Case finding",
                                   "Business intelligence"}
    assert titles(result)[0] == "Risk stratification for practices"
    assert result.total == 3
    # Both engines stem English words: "dashboard" finds "Dashboards".
    assert titles(search_offers(OfferFilters(q="dashboard"))) == ["Dashboards"]


def test_awkward_queries_do_not_break_search(market):
    for query in ['"risk', "risk AND (", "NEAR(risk)", "risk*", "the and of", "-risk", "£%_'"]:
        search_offers(OfferFilters(q=query))  # no exception on either engine
    assert keywords("The risk of AND stratification!") == ["risk", "stratification"]
    assert search_offers(OfferFilters(q="the")).total == 6  # no words: no text filter


def test_facet_counts_are_disjunctive(market):
    result = search_offers(OfferFilters())
    assert result.total == 6
    assert facet(result, "specification") == {"BI-DSS": 2, "PLN-RSK": 2, "BUS-LEG": 2}
    assert facet(result, "phase") == {"planning": 2, "business_support": 4}
    assert facet(result, "provider_kind") == {"css": 5, "independent_provider": 1}
    assert facet(result, "pricing_model") == {"per_head": 3, "fixed_annual": 1, "day_rate": 1,
                                              "per_case": 1}
    assert facet(result, "assurance") == {"not_assessed": 6}

    chosen = search_offers(OfferFilters(phase=("planning",)))
    assert chosen.total == 2
    # The phase facet still counts the other phase; other facets narrow to planning.
    assert facet(chosen, "phase") == {"planning": 2, "business_support": 4}
    assert facet(chosen, "specification") == {"PLN-RSK": 2}
    assert facet(chosen, "pricing_model") == {"per_head": 1, "day_rate": 1}

    both = search_offers(OfferFilters(phase=("planning",), pricing_model=("day_rate",)))
    assert titles(both) == ["Case finding"]
    midlands = organisation("Arden CSS").region.code  # Arden, GEM and Meridian
    assert facet(result, "region") == {midlands: 6}  # NWL (London) withdrew its only version
    assert search_offers(OfferFilters(region=("Y56",))).total == 0
    assert search_offers(OfferFilters(assurance=("not_assessed",))).total == 6


def test_price_bands_at_a_ccg_population_and_at_the_reference(market):
    reference = search_offers(OfferFilters())
    assert reference.population == REFERENCE_POPULATION and reference.population_is_reference
    # £45,000 a year at 226,054 people is about 20p a head; 100 days at £650, 29p;
    # 200 cases at £300, 27p; per-head offers by their own price.
    assert facet(reference, "price_band") == {"under-1": 5, "1-to-5": 1}
    corby = search_offers(OfferFilters(), population=1_000)
    assert facet(corby, "price_band") == {"under-1": 2, "1-to-5": 1, "12-and-over": 3}
    assert not corby.population_is_reference
    assert titles(search_offers(OfferFilters(price_band=("12-and-over",)), population=1_000)) \
        == ["Legal advice", "Case finding", "Procurement law"]


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(["per_head", "fixed_annual", "day_rate", "per_case"]),
    pence=st.integers(min_value=0, max_value=100_000_000),
    quantity=st.integers(min_value=1, max_value=2_000),
    population=st.integers(min_value=1_000, max_value=1_000_000),
)
def test_search_bands_a_price_exactly_as_the_domain(app, model, pence, quantity, population):
    """The database bands an offer as the domain does, from what it holds for it."""
    price = Decimal(pence) / 100
    if model == "per_head":
        price = Decimal(pence % 2_000) / 100
    published = select(Offer).join(ProspectusVersion).limit(1)
    with app.app_context():
        offer = db.session.scalar(published)
        if offer is None:
            spec = create_spec("BI-DSS", "Decision support")
            publish("Arden CSS", (spec, {"title": "Dashboards"}))
            offer = db.session.scalar(published)
        offer.pricing_model = model
        offer.price = price
        offer.estimated_quantity = Decimal(quantity) if model in ("day_rate", "per_case") \
            else None
        db.session.flush()
        result = search_offers(OfferFilters(), population=population)
        banded = [key for key, count in facet(result, "price_band").items() if count]
        expected = price_band(cost_per_head(model, price, population, offer.estimated_quantity))
        db.session.rollback()
    assert banded == [expected]


def test_pages_keep_a_stable_neutral_order(market):
    first = search_offers(OfferFilters(), per_page=4)
    second = search_offers(OfferFilters(), page=2, per_page=4)
    assert (first.pages, second.has_next, first.has_prev) == (2, False, False)
    ids = [h.offer.id for h in first.hits] + [h.offer.id for h in second.hits]
    assert ids == sorted(ids) and len(set(ids)) == 6


def test_the_search_page_works_without_javascript(client, market):
    response = client.get("/offers?q=risk&phase=planning&page=1")
    page = html(response)
    assert response.status_code == 200
    form = page.select_one("form[method=get]")
    assert form["action"] == "/offers"
    box = page.select_one("input[name=phase][value=planning]")
    assert box.has_attr("checked") and box["type"] == "checkbox"
    assert page.select_one(f"label[for={box['id']}]") is not None
    text = text_of(response)
    assert "2 offers" in text and "reference population of 226,054" in text
    assert page.select("script[src]")[0]["src"].endswith("app.js")  # the only script
    assert "onclick" not in response.get_data(as_text=True)


def test_search_pagination_links_keep_the_filters(client, market, monkeypatch):
    monkeypatch.setattr("marketplace.search.offers.DEFAULT_PER_PAGE", 2)
    from marketplace.offers import views

    monkeypatch.setattr(views, "parse_page", lambda args, per_page_allowed: (
        int(args.get("page", 1)), 2, []))
    page = html(client.get("/offers?phase=business_support"))
    next_link = page.select_one(".nhsuk-pagination__link--next, a[rel=next]") or next(
        a for a in page.select("a") if "page=2" in a.get("href", ""))
    assert "phase=business_support" in next_link["href"] and "page=2" in next_link["href"]


def test_a_ccg_user_sees_prices_at_its_own_population(ccg_client, client, market):
    own = search_offers(OfferFilters(), population=organisation(
        "NHS Coventry and Rugby CCG").population)
    page = text_of(ccg_client.get("/offers"))
    assert "registered population of" in page and f"{own.population:,}" in page
    legal = db.session.scalar(select(Offer).where(Offer.title == "Legal advice",
                                                  Offer.prospectus_version_id.is_not(None)))
    offer_page = text_of(ccg_client.get(f"/offers/{legal.id}"))
    assert "£45,000.00 a year" in offer_page and "Not yet assessed" in offer_page
    assert "Arden CSS" in offer_page and "Version 1" in offer_page
    anonymous = text_of(client.get(f"/offers/{legal.id}"))
    assert "Sign in as a CCG user" in anonymous
