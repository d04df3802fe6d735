"""The published-offer listing search reads stays equal to what it is derived from, after
every kind of change that alters it, with its full-text index beside it."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from marketplace.extensions import db
from marketplace.models import Checkpoint, Offer, OfferListing, ProspectusVersion, VersionStatus
from marketplace.search import OfferFilters, search_offers
from marketplace.search.cache import results
from marketplace.search.listing import ALL, refresh_listing
from marketplace.services import prospectuses, reviews

from .. import factories as build
from ..factories import add_offer, create_spec, organisation, publish

COLUMNS = ("offer_id", "provider_id", "specification_id", "region_id", "provider_kind",
           "assurance_status", "pricing_model", "price", "annual_price")


def listing_rows() -> set[tuple]:
    return {tuple(getattr(row, name) for name in COLUMNS)
            for row in db.session.scalars(select(OfferListing))}


def indexed_ids() -> set[int]:
    """The offer ids the listing's own full-text index holds."""
    if db.engine.dialect.name == "sqlite":
        statement = "SELECT rowid FROM offer_listing_fts"
    else:
        statement = "SELECT offer_id FROM offer_listing WHERE search_vector IS NOT NULL"
    return set(db.session.scalars(text(statement)))


def assert_listing_is_current() -> set[tuple]:
    """The listing holds exactly the offers of published versions, each as a full rebuild
    would write it, and its full-text index holds exactly those offers."""
    db.session.flush()
    published = set(db.session.scalars(
        select(Offer.id)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED)
    ))
    incremental = listing_rows()
    assert {row[0] for row in incremental} == published
    assert indexed_ids() == published
    refresh_listing(db.session.connection(), ALL)
    assert listing_rows() == incremental, "the incremental listing differs from a rebuild"
    return incremental


@pytest.fixture
def specs(app_context):
    return [create_spec("PLN-RSK", "Risk stratification", phase="planning"),
            create_spec("AGR-PRC", "Procurement", phase="agreeing_contracts")]


def test_publishing_superseding_and_withdrawing_keep_the_listing_current(specs):
    risk, procurement = specs
    first = publish("Arden CSS", (risk, {"title": "Risk stratification for practices"}),
                    (procurement, {"title": "Tendering", "pricing_model": "day_rate",
                                   "price": "650", "estimated_quantity": "12.5"}))
    rows = assert_listing_is_current()
    by_model = {row[6]: (row[7], row[8]) for row in rows}
    # Per head: no annual price. A day rate: £650 a day × 12.5 days = £8,125 a year.
    assert by_model["per_head"][1] is None
    assert by_model["day_rate"] == (Decimal("650.00"), Decimal("8125"))

    add_offer("Arden CSS", risk, title="A draft")  # drafts are never listed
    assert_listing_is_current()
    second = publish("Arden CSS")  # v2 supersedes v1
    rows = assert_listing_is_current()
    assert {row[0] for row in rows} == {offer.id for offer in second.offers}
    assert not {offer.id for offer in first.offers} & {row[0] for row in rows}

    other = publish("Greater East Midlands CSS", (risk, {"title": "Risk tools"}))
    assert_listing_is_current()
    prospectuses.withdraw(None, other)
    rows = assert_listing_is_current()
    assert organisation("Greater East Midlands CSS").id not in {row[1] for row in rows}


def test_a_provider_edited_is_relisted(specs):
    publish("Arden CSS", (specs[0], {}))
    arden = organisation("Arden CSS")
    arden.region_id = None
    db.session.commit()
    rows = assert_listing_is_current()
    assert {row[3] for row in rows} == {None}


def test_signing_off_and_renumbering_checkpoints_relist_assurance(specs):
    publish("Arden CSS", (specs[0], {"title": "Risk stratification for practices"}))
    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    db.session.refresh(review)
    reviews.sign_off(build.person("bdu2@demo.test"), review,
                     expected_lock_version=review.lock_version)
    rows = assert_listing_is_current()
    arden = organisation("Arden CSS").id
    (status,) = {row[5] for row in rows if row[1] == arden}
    assert status.startswith("checkpoint-2-")

    # An admin renumbering the checkpoint changes every status key it gave.
    checkpoint = db.session.scalar(select(Checkpoint).where(Checkpoint.number == 2))
    checkpoint.number = 22
    db.session.flush()
    rows = assert_listing_is_current()
    (status,) = {row[5] for row in rows if row[1] == arden}
    assert status.startswith("checkpoint-22-")
    db.session.rollback()


def test_search_reads_the_listing(specs):
    """A row missing from the listing is missing from search: search reads nothing else."""
    publish("Arden CSS", (specs[0], {"title": "Risk stratification for practices"}))
    assert search_offers(OfferFilters(q="risk")).total == 1
    db.session.execute(db.delete(OfferListing))
    results.clear()
    assert search_offers(OfferFilters(q="risk")).total == 0
    assert db.session.scalar(select(func.count()).select_from(OfferListing)) == 0
    db.session.rollback()
