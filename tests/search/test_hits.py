"""The result cards: each offer's own columns read by id, the names from reference rows."""

from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.models import Offer
from marketplace.search import OfferFilters, search_offers
from marketplace.search.hits import ListedOffer, listed_offers

from ..factories import create_spec, organisation, publish
from .test_cache import counting_queries


@pytest.fixture
def specs(app_context):
    return [
        create_spec("PLN-RSK", "Risk stratification", phase="planning"),
        create_spec("AGR-PRC", "Procurement", phase="agreeing_contracts"),
    ]


def card_of(offer: Offer) -> ListedOffer:
    """What a card should show of an offer, read through the models."""
    provider = offer.organisation
    return ListedOffer(
        offer.id, offer.title, provider.id, provider.name, provider.kind,
        provider.region.name if provider.region else None, offer.specification.code,
        offer.specification.name, offer.specification.phase, offer.delivery_model,
        offer.pricing_model, offer.price, offer.estimated_quantity,
        offer.minimum_term_months, offer.prospectus_version_id,
        offer.prospectus_version.number,
    )


def test_every_card_shows_what_its_offer_and_provider_hold(specs):
    publish("Arden CSS", (specs[0], {"title": "Risk tools"}))
    publish("Arden CSS", (specs[1], {"title": "Procurement desk", "pricing_model": "day_rate",
                                     "price": "650", "estimated_quantity": "40"}))
    publish("Meridian Commissioning Partners Ltd", (specs[1], {"title": "Tenders"}))
    hits = search_offers(OfferFilters()).hits
    assert len(hits) == 3
    for hit in hits:
        assert hit.offer == card_of(db.session.get(Offer, hit.offer.id))
    versions = {hit.offer.title: hit.offer.version_number for hit in hits}
    assert versions == {"Risk tools": 2, "Procurement desk": 2, "Tenders": 1}


def test_a_renamed_provider_shows_its_new_name(specs):
    publish("Arden CSS", (specs[0], {"title": "Risk tools"}))
    assert search_offers(OfferFilters(q="risk")).hits[0].offer.provider_name == "Arden CSS"
    organisation("Arden CSS").name = "Arden and GEM CSS"
    db.session.commit()  # a provider's change moves the catalogue version on
    assert search_offers(OfferFilters(q="risk")).hits[0].offer.provider_name \
        == "Arden and GEM CSS"


def test_a_provider_missing_from_the_reference_rows_is_read(specs):
    publish("Arden CSS", (specs[0], {"title": "Risk tools"}))
    offer = db.session.get(Offer, search_offers(OfferFilters()).hits[0].offer.id)
    specifications = {specs[0].id: specs[0]}
    regions = {}  # Arden's region left out too: the card shows no region rather than fail
    with counting_queries() as statements:
        cards = listed_offers([offer.id], specifications=specifications, regions=regions,
                              providers={})
    assert len(statements) == 2  # the offers, then the provider nobody had read
    card = cards[offer.id]
    assert (card.provider_name, card.provider_kind, card.region_name) \
        == ("Arden CSS", "css", None)
    assert card.specification_code == "PLN-RSK"


def test_a_page_of_cards_is_one_query_and_joins_no_organisations(specs):
    publish("Arden CSS", *[(specs[0], {"title": f"Risk tools {n}"}) for n in range(5)])
    ids = [hit.offer.id for hit in search_offers(OfferFilters()).hits]
    arden = organisation("Arden CSS")
    reference = {  # plain rows, as the search keeps them: nothing left to load
        "specifications": {s.id: SimpleNamespace(code=s.code, name=s.name, phase=s.phase)
                           for s in specs},
        "regions": {arden.region_id: SimpleNamespace(name=arden.region.name)},
        "providers": {arden.id: SimpleNamespace(name=arden.name, kind=arden.kind,
                                                region_id=arden.region_id)},
    }
    with counting_queries() as statements:
        cards = listed_offers(ids, **reference)
    assert sorted(cards) == sorted(ids)
    assert len(statements) == 1
    assert "JOIN organisation" not in statements[0]
    assert {card.region_name for card in cards.values()} == {arden.region.name}
