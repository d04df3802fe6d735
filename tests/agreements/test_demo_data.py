from sqlalchemy import func, select

from marketplace.demo.buying import seed_agreements, seed_requirements
from marketplace.extensions import db
from marketplace.models import Agreement, Requirement
from marketplace.services.agreements import customer_summary
from marketplace.services.requirements import ccg_intentions

from ..factories import organisation


def seed_buying():
    # Only the buying seeders: the assurance seeders add agreements of their own.
    seed_requirements(1)
    seed_agreements(1)
    db.session.commit()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_without_published_offers_the_buying_seeders_do_nothing(app_context):
    seed_buying()
    assert count(Requirement) == 0 and count(Agreement) == 0


def test_requirements_and_agreements_for_many_ccgs_and_idempotent(app_context, market):
    seed_buying()
    answering = db.session.scalar(select(func.count(Requirement.organisation_id.distinct())))
    assert answering > 100  # of 211 CCGs
    agreements = db.session.scalars(select(Agreement)).all()
    # Only regional CSSs with published offers take part: Arden and GEM, both Midlands and East.
    assert {a.provider.name for a in agreements} == {"Arden CSS", "Greater East Midlands CSS"}
    # Each CCG buys from the CSS whose patch it is in: two patches of the region here.
    assert len(agreements) >= 10
    assert all(
        a.status in ("signed", "final") and a.ccg.region == a.provider.region for a in agreements
    )
    assert all(a.annual_value == sum(line.annual_cost for line in a.lines) for a in agreements)
    assert all(
        len({line.offer.specification_id for line in a.lines}) == len(a.lines) for a in agreements
    )

    share = customer_summary(organisation("Arden CSS")).share
    assert 0 < share.population_share < 1 and share.ccgs_under_agreement > 5

    ids = [a.ccg_id for a in agreements]
    assert any(intention.intends_to_buy for intention in ccg_intentions(ids).values())

    before = (count(Requirement), count(Agreement))
    seed_buying()
    assert (count(Requirement), count(Agreement)) == before
