"""The result cards, and the queries a search makes."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import Offer
from marketplace.search import OfferFilters, search_offers
from marketplace.search.hits import ListedOffer

from ..factories import create_spec, organisation, publish


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


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
    db.session.commit()
    assert search_offers(OfferFilters(q="risk")).hits[0].offer.provider_name \
        == "Arden and GEM CSS"


def test_a_search_takes_the_same_few_queries_however_many_it_shows(specs):
    publish("Arden CSS", (specs[0], {"title": "Risk tools"}))
    publish("Meridian Commissioning Partners Ltd",
            *[(specs[1], {"title": f"Tenders {n}"}) for n in range(6)])
    for full in (False, True):
        for filters in (OfferFilters(), OfferFilters(q="tenders", phase=("planning",))):
            with counting_queries() as statements:
                result = search_offers(filters, full=full)
            # The counts, the page and the specifications' and regions' names; the
            # assurance labels; and the page's offers if it shows any.
            assert len(statements) == (3 if result.hits else 2), statements
