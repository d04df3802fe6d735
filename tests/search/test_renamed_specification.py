"""A renamed specification is found under its new name, and keyword search keeps working.

On SQLite, renaming rewrote the offers' text through two triggers that SQLite fired newest
first, so the removal of the old full-text entry took the new one's document size with it
and every ranked keyword search failed ("database disk image is malformed"). Migration
search_fts_update_order made it one trigger."""

from marketplace.extensions import db
from marketplace.search import OfferFilters, search_offers
from marketplace.services import catalogue

from .. import factories as build
from ..conftest import user


def _titles(q: str) -> set[str]:
    return {hit.offer.title for hit in search_offers(OfferFilters(q=q), per_page=100).hits}


def test_offers_are_found_under_the_new_name_and_no_longer_the_old(app_context):
    market = build.build_market()
    build.publish(market.meridian.name, (market.bi, {"title": "Dashboards for GP practices"}))
    db.session.commit()
    assert "Dashboards for GP practices" in _titles("business intelligence")
    assert not _titles("insight")
    fields = {name: getattr(market.bi, name) for name in catalogue.FIELDS}
    catalogue.update_specification(user("admin@demo.test"), market.bi,
                                   {**fields, "name": "Insight and intelligence"})
    db.session.commit()
    assert _titles("insight") == {"Dashboards for GP practices"}
    assert "Dashboards for GP practices" not in _titles("business")
    # Searching for anything else still ranks: the index is whole.
    assert "Dashboards for GP practices" in _titles("dashboards")
    catalogue.update_specification(user("admin@demo.test"), market.bi,
                                   {**fields, "name": "Business intelligence"})
    db.session.commit()
    assert _titles("insight") == set()
    assert "Dashboards for GP practices" in _titles("business intelligence")
