from sqlalchemy import func, select

from marketplace.demo.buying import JOINT_TITLE, seed_agreements, seed_statements
from marketplace.extensions import db
from marketplace.models import Agreement, Statement, StatementLine, StatementStatus
from marketplace.services.agreements import customer_summary
from marketplace.services.statements import budget_split, buying_ccg_codes

from ..factories import organisation


def seed_buying():
    # Only the buying seeders: the assurance seeders add agreements of their own.
    seed_statements(1)
    seed_agreements(1)
    db.session.commit()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_without_published_offers_the_buying_seeders_do_nothing(app_context):
    seed_buying()
    assert count(Statement) == 0 and count(Agreement) == 0


def test_statements_and_agreements_for_many_ccgs_and_idempotent(app_context, market):
    seed_buying()
    answering = db.session.scalar(select(func.count(StatementLine.ccg_id.distinct())))
    assert answering > 100  # of 211 CCGs
    # The Arden cluster's joint statement: three CCGs, confirmed, split to the penny.
    joint = db.session.scalar(select(Statement).where(Statement.title == JOINT_TITLE))
    assert joint.status == StatementStatus.READY and len(joint.parties) == 3
    split = budget_split(joint)
    assert split.total > 0 and sum(row.part for row in split.parties) == split.total
    agreements = db.session.scalars(select(Agreement)).all()
    # Regional CSSs and the named independent providers with published offers take part:
    # Arden and GEM, both Midlands and East, and Meridian for a line or two elsewhere.
    assert {a.provider.name for a in agreements} == {
        "Arden CSS", "Greater East Midlands CSS", "Meridian Commissioning Partners Ltd"}
    # Each CCG buys from the CSS whose patch it is in: two patches of the region here.
    from_css = [a for a in agreements if a.provider.kind == "css"]
    assert len(from_css) >= 10
    assert all(a.status in ("signed", "final") for a in agreements)
    assert all(a.ccg.region == a.provider.region for a in from_css)
    assert all(a.annual_value == sum(line.annual_cost for line in a.lines) for a in agreements)
    assert all(
        len({line.offer.specification_id for line in a.lines}) == len(a.lines) for a in agreements
    )
    # A line elsewhere is its own agreement, and the home CSS keeps the most of the CCG's spend.
    elsewhere = [a for a in agreements if a.provider.kind == "independent_provider"]
    assert elsewhere and all(len(a.lines) == 1 for a in elsewhere)
    home_value = {a.ccg_id: a.annual_value for a in from_css}
    assert all(home_value[a.ccg_id] > 2 * a.annual_value for a in elsewhere)

    # Each CCG buys from its home CSS of 2012 (ccg_clusters_2012.csv): Arden's patch is its
    # own three CCGs, Greater East Midlands' twenty.
    arden = {a.ccg.ods_code for a in from_css if a.provider.name == "Arden CSS"}
    assert arden and arden <= {"05A", "05H", "05R"}
    share = customer_summary(organisation("Greater East Midlands CSS")).share
    assert 0 < share.population_share < 1 and share.ccgs_under_agreement > 5

    assert {a.ccg.ods_code for a in agreements} & buying_ccg_codes()

    before = (count(Statement), count(StatementLine), count(Agreement))
    seed_buying()
    assert (count(Statement), count(StatementLine), count(Agreement)) == before
