"""What people see of a search, pinned for a fixed catalogue on whichever engine the suite
runs on: the hits and their order, the total, every facet's options and counts, price bands
at a CCG's population, pages and shareable URLs. The implementation may change; these may
not."""

import random
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from marketplace.domain.pricing import PRICE_BANDS, cost_per_head, price_band
from marketplace.extensions import db
from marketplace.models import Offer, ProspectusVersion, VersionStatus
from marketplace.search import OfferFilters, parse_filters, search_offers
from marketplace.services import prospectuses, reviews

from .. import factories as build
from ..conftest import html
from ..factories import add_offer, create_spec, organisation, publish

ARDEN, GEM = "Arden CSS", "Greater East Midlands CSS"
MERIDIAN = "Meridian Commissioning Partners Ltd"
CP2 = "checkpoint-2-a"


@pytest.fixture
def catalogue(app_context):
    """Nine published offers from three providers (one national, one independent, one with
    a signed-off Checkpoint 2 review); a withdrawn version and a draft that never show."""
    planning = create_spec("PLN-RSK", "Risk stratification", phase="planning",
                           nature="transformational")
    contracts = create_spec("AGR-PRC", "Clinical procurement", phase="agreeing_contracts")
    support = create_spec("BUS-LEG", "Legal services", phase="business_support")
    gem = organisation(GEM)
    gem.region_id = None  # a national provider
    db.session.commit()
    publish(ARDEN,
            (planning, {"title": "Risk stratification for practices", "price": "0.60"}),
            (contracts, {"title": "Procurement support", "pricing_model": "fixed_annual",
                         "price": "45000"}),
            (support, {"title": "Legal advice", "price": "2.40"}))
    publish(GEM,
            (planning, {"title": "Case finding", "pricing_model": "day_rate", "price": "650",
                        "estimated_quantity": Decimal("100")}),
            (contracts, {"title": "Procurement and tendering", "price": "12.50"}),
            (support, {"title": "Legal services", "pricing_model": "per_case",
                       "price": "300", "estimated_quantity": Decimal("200")}))
    twin = {"title": "Risk tools", "description": "Procurement-ready risk tools",
            "price": "0.95"}
    publish(MERIDIAN,
            (contracts, {"title": "Procurement law", "pricing_model": "fixed_annual",
                         "price": "900000"}),
            (planning, twin), (planning, dict(twin)))
    withdrawn = publish("North West London CSS",
                        (planning, {"title": "Risk stratification NWL"}))
    prospectuses.withdraw(None, withdrawn)
    add_offer(ARDEN, planning, title="Risk stratification draft")
    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    db.session.refresh(review)
    reviews.sign_off(build.person("bdu2@demo.test"), review,
                     expected_lock_version=review.lock_version)
    offers = db.session.scalars(
        select(Offer).join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED).order_by(Offer.id)).all()
    assert len(offers) == 9
    return offers


def titles(result):
    return [hit.offer.title for hit in result.hits]


def facets(result):
    return {facet.name: {option.key: option.count for option in facet.options}
            for facet in result.facets}


def ids_of(offers, title):
    return [offer.id for offer in offers if offer.title == title]


def test_browsing_shows_every_offer_in_publication_order_with_every_facet(catalogue):
    result = search_offers(OfferFilters())
    assert result.total == 9 and result.population == 226_054
    assert [hit.offer.id for hit in result.hits] == [offer.id for offer in catalogue]
    midlands = organisation(ARDEN).region.code
    assert facets(result) == {
        "specification": {"AGR-PRC": 3, "BUS-LEG": 2, "PLN-RSK": 4},
        "phase": {"planning": 4, "agreeing_contracts": 3, "business_support": 2},
        "nature": {"transactional": 5, "transformational": 4},
        "region": {midlands: 6, "national": 3},
        "pricing_model": {"per_head": 5, "fixed_annual": 2, "day_rate": 1, "per_case": 1},
        # £45,000 a year at 226,054 people is 20p a head, £900,000 £3.98, 100 days at
        # £650 29p, 200 cases at £300 27p.
        "price_band": {"under-1": 6, "1-to-5": 2, "12-and-over": 1},
        "provider_kind": {"css": 6, "independent_provider": 3},
        "assurance": {CP2: 3, "not_assessed": 6},
    }
    # Options keep a fixed order: the specification by code, the enumerations as declared.
    assert [f.name for f in result.facets] == [
        "specification", "phase", "nature", "region", "pricing_model", "price_band",
        "provider_kind", "assurance"]
    assert [o.key for o in result.facets[0].options] == ["AGR-PRC", "BUS-LEG", "PLN-RSK"]
    labels = {o.key: o.label for o in result.facets[-1].options}
    assert labels == {CP2: "Checkpoint 2: Scenario A: Proceed", "not_assessed": "Not yet assessed"}
    by_title = {hit.offer.title: hit for hit in result.hits}
    assert by_title["Legal advice"].assurance_label == "Checkpoint 2: Scenario A: Proceed"
    assert by_title["Legal services"].assurance_status == "not_assessed"
    assert by_title["Procurement support"].cost_per_head == Decimal("0.20")


def test_title_matches_come_first_and_equal_offers_keep_publication_order(catalogue):
    result = search_offers(OfferFilters(q="procurement"))
    # Procurement in the title (and the specification's name) first, then in the
    # description only; the twins, equally relevant, in the order they were published.
    assert set(titles(result)[:3]) == {"Procurement support", "Procurement and tendering",
                                       "Procurement law"}
    assert [hit.offer.id for hit in result.hits[3:]] == ids_of(catalogue, "Risk tools")
    assert result.total == 5
    assert facets(result)["provider_kind"] == {"css": 2, "independent_provider": 3}
    assert facets(result)["price_band"] == {"under-1": 3, "1-to-5": 1, "12-and-over": 1}

    both = search_offers(OfferFilters(q="risk stratification"))
    assert titles(both) == ["Risk stratification for practices", "Risk tools", "Risk tools",
                            "Case finding"]
    # Stemmed on both engines, stop words ignored, and no word at all means no text filter.
    assert titles(search_offers(OfferFilters(q="the tendered"))) == ["Procurement and tendering"]
    assert search_offers(OfferFilters(q="the of and")).total == 9
    assert search_offers(OfferFilters(q="nowhere")).total == 0


def test_facets_count_every_filter_but_their_own(catalogue):
    result = search_offers(OfferFilters(phase=("planning",), provider_kind=("css",)))
    assert titles(result) == ["Risk stratification for practices", "Case finding"]
    midlands = organisation(ARDEN).region.code
    assert facets(result) == {
        "specification": {"PLN-RSK": 2},
        "phase": {"planning": 2, "agreeing_contracts": 2, "business_support": 2},
        "nature": {"transformational": 2},
        "region": {midlands: 1, "national": 1},
        "pricing_model": {"per_head": 1, "day_rate": 1},
        "price_band": {"under-1": 2},
        "provider_kind": {"css": 2, "independent_provider": 2},
        "assurance": {CP2: 1, "not_assessed": 1},
    }
    # A chosen value that nothing matches stays listed, with no offers, so it can be unticked.
    empty = search_offers(OfferFilters(q="legal", region=("national",), assurance=(CP2,)))
    assert empty.total == 0 and empty.hits == []
    assert facets(empty)["region"] == {midlands: 1, "national": 0}
    assert facets(empty)["assurance"] == {CP2: 0, "not_assessed": 1}
    assert [o.selected for o in empty.facets[3].options] == [False, True]


def test_price_bands_are_counted_and_chosen_at_the_ccgs_population(catalogue):
    small = search_offers(OfferFilters(), population=1_000)
    assert not small.population_is_reference
    # At 1,000 people: £45,000 is £45 a head, £900,000 £900, £65,000 £65, £60,000 £60.
    assert facets(small)["price_band"] == {"under-1": 3, "1-to-5": 1, "12-and-over": 5}
    chosen = search_offers(OfferFilters(price_band=("12-and-over",)), population=1_000)
    assert titles(chosen) == ["Procurement support", "Case finding",
                              "Procurement and tendering", "Legal services", "Procurement law"]
    assert facets(chosen)["pricing_model"] == {"per_head": 1, "fixed_annual": 2,
                                               "day_rate": 1, "per_case": 1}
    assert facets(chosen)["price_band"] == {"under-1": 3, "1-to-5": 1, "12-and-over": 5}
    # The same choice at the reference population is another set of offers.
    assert titles(search_offers(OfferFilters(price_band=("12-and-over",)))) == \
        ["Procurement and tendering"]
    # A band boundary: £1.00 a head exactly is in £1–£5, and so is £995 a year at 1,000
    # people (99.5p rounds half-up to £1.00); £994.99 is not.
    boundary = create_spec("BI-DSS", "Decision support")
    publish(ARDEN, (boundary, {"title": "One pound", "price": "1.00"}),
            (boundary, {"title": "Just a pound", "pricing_model": "fixed_annual",
                        "price": "995"}),
            (boundary, {"title": "Not quite", "pricing_model": "fixed_annual",
                        "price": "994.99"}))
    banded = search_offers(OfferFilters(specification=("BI-DSS",), price_band=("1-to-5",)),
                           population=1_000)
    assert titles(banded) == ["One pound", "Just a pound"]


def test_pages_follow_one_stable_order(catalogue):
    seen = []
    for page in (1, 2, 3):
        result = search_offers(OfferFilters(q="procurement"), page=page, per_page=2)
        assert result.pages == 3 and result.total == 5
        seen += [hit.offer.id for hit in result.hits]
    assert seen == [hit.offer.id for hit in search_offers(OfferFilters(q="procurement")).hits]
    beyond = search_offers(OfferFilters(q="procurement"), page=4, per_page=2)
    assert beyond.hits == [] and beyond.total == 5


def test_a_search_url_round_trips_through_its_filters(catalogue, client):
    filters = OfferFilters(q="risk", phase=("planning",), price_band=("under-1",),
                           region=("national",))
    query = urlencode(filters.query_args(), doseq=True)
    pairs = [(name, value) for name, values in filters.query_args().items()
             for value in ([values] if isinstance(values, str) else values)]
    parsed, errors = parse_filters(MultiDict(pairs))
    assert not errors and parsed == filters
    page = html(client.get("/offers?" + query))
    assert [a.get_text(strip=True) for a in page.select(".nhsuk-card__heading a")] == \
        ["Case finding"]
    refused, errors = parse_filters(MultiDict([("phase", "planning"), ("phase", "nonsense")]))
    assert refused.phase == ("planning",) and [e.field for e in errors] == ["phase"]


@pytest.mark.parametrize("seed", [2013, 2014])
def test_counts_agree_with_counting_offer_by_offer(catalogue, seed):
    """Random filter choices at three populations, with and without keywords: the total,
    the page and every facet's counts equal a count made offer by offer from the models and
    the domain's pricing rules."""
    status = {offer.id: CP2 if offer.organisation.name == ARDEN else "not_assessed"
              for offer in catalogue}

    def value(offer, name, population):
        provider = offer.organisation
        return {
            "specification": offer.specification.code,
            "phase": offer.specification.phase,
            "nature": offer.specification.nature,
            "region": provider.region.code if provider.region else "national",
            "pricing_model": offer.pricing_model,
            "price_band": price_band(cost_per_head(offer.pricing_model, offer.price,
                                                   population, offer.estimated_quantity)),
            "provider_kind": provider.kind,
            "assurance": status[offer.id],
        }[name]

    choices = {
        "phase": ["planning", "agreeing_contracts", "business_support"],
        "nature": ["transformational", "transactional"],
        "pricing_model": ["per_head", "fixed_annual", "day_rate", "per_case"],
        "price_band": [band.key for band in PRICE_BANDS],
        "provider_kind": ["css", "independent_provider"],
        "specification": ["PLN-RSK", "AGR-PRC", "BUS-LEG"],
        "assurance": [CP2, "not_assessed"],
    }
    procurement = {offer.id for offer in catalogue
                   if "procurement" in (offer.title + offer.description).lower()
                   or offer.specification.code == "AGR-PRC"}
    chooser = random.Random(seed)
    for q, among in (("", {offer.id for offer in catalogue}), ("procurement", procurement)):
        for population in (1_000, 226_054, 900_000):
            for _ in range(8):
                chosen = {name: tuple(sorted(chooser.sample(values, chooser.randint(0, 2))))
                          for name, values in choices.items()}
                filters = OfferFilters(q=q, **chosen)

                def passes(offer, leaving_out, filters=filters, population=population):
                    return all(not getattr(filters, name)
                               or value(offer, name, population) in getattr(filters, name)
                               for name in filters.facet_names() if name != leaving_out)

                candidates = [offer for offer in catalogue if offer.id in among]
                result = search_offers(filters, population=population, per_page=100)
                expected = [offer.id for offer in candidates if passes(offer, None)]
                assert result.total == len(expected), filters
                assert sorted(hit.offer.id for hit in result.hits) == expected
                for facet in result.facets:
                    counts: dict[str, int] = {}
                    for offer in candidates:
                        if passes(offer, facet.name):
                            key = value(offer, facet.name, population)
                            counts[key] = counts.get(key, 0) + 1
                    shown = {o.key: o.count for o in facet.options if o.count}
                    assert shown == counts, (facet.name, filters)
                    assert {o.key for o in facet.options if o.selected} == \
                        set(getattr(filters, facet.name))
