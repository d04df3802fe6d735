"""The demo's contract life across the market (marketplace/demo/contract_life.py): five
shadow-year agreements, each CSS's record in line with its Checkpoint 2 outcome, with
returns, disputes, service reviews, two variations and one notice, all made through the
services."""

import pytest
from sqlalchemy import func, select

from marketplace.demo.contract_life import START, STORIES, seed_contract_life
from marketplace.demo.procurements import DEMO_NOW
from marketplace.demo.prospectuses import seed_prospectuses
from marketplace.demo.specifications import seed_specifications
from marketplace.domain.service_levels import Rating
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementEnding,
    AuditEvent,
    Organisation,
    PerformanceReturn,
    ServiceReview,
)
from marketplace.services import performance_returns, variations
from marketplace.services.transaction import transaction

from ..conftest import text_of


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _seed() -> None:
    for seeder in (seed_specifications, seed_prospectuses, seed_contract_life):
        with transaction():
            seeder(1)


@pytest.fixture
def market(app_context, clock):
    _seed()
    clock.set(DEMO_NOW)
    return {story.ccg_code: db.session.scalar(
        select(Agreement).join(Organisation, Agreement.ccg_id == Organisation.id)
        .where(Organisation.ods_code == story.ccg_code, Agreement.start_date == START))
        for story in STORIES}


def _ratings(agreement) -> list[Rating]:
    return [point.rating for record in performance_returns.kpi_records(agreement)
            for point in record.points]


def _share_met(agreement) -> float:
    ratings = _ratings(agreement)
    return ratings.count(Rating.MET) / len(ratings)


def test_each_agreement_is_signed_and_reported_on_up_to_the_demo_day(market):
    assert all(agreement is not None for agreement in market.values())
    for code, agreement in market.items():
        assert agreement.status == "signed"
        rows = performance_returns.schedule(agreement)
        # April to October 2012; Cumbria and Lancashire, always late, has not sent
        # October's yet (it is not due until 21 November).
        assert sum(1 for row in rows if row.versions) == (6 if code == "00Q" else 7)
        assert all(version.submitted_at <= DEMO_NOW for row in rows
                   for version in row.versions)
    assert _count(AuditEvent, AuditEvent.action == "agreement.countersigned") == 5


def test_the_record_follows_the_checkpoint_2_outcome(market):
    arden, kent, north_east = market["05H"], market["09C"], market["00C"]
    manchester, lancashire = market["00T"], market["00Q"]
    for a_rated in (arden, kent, north_east):
        assert _share_met(a_rated) >= 0.85 and _ratings(a_rated).count(Rating.MISSED) <= 2
    assert 0.6 <= _share_met(manchester) < 0.85  # B: most met, some missed
    assert _share_met(lancashire) < 0.6  # the weakest record: more missed
    assert Rating.MISSED in _ratings(lancashire)


def test_one_css_is_late_every_month_and_the_others_never(market):
    late = {code: [r.submitted_late for r in db.session.scalars(
        select(PerformanceReturn).where(PerformanceReturn.agreement_id == agreement.id,
                                        PerformanceReturn.version == 1))]
        for code, agreement in market.items()}
    assert all(late["00Q"])  # every month (a resubmission is never late)
    assert not any(flag for code, flags in late.items() if code != "00Q" for flag in flags)


def test_disputes_reviews_variations_and_a_notice(market):
    assert _count(AuditEvent, AuditEvent.action == "performance_figure.disputed") == 2
    assert _count(AuditEvent, AuditEvent.action == "performance_return.resubmitted") == 2
    assert _count(ServiceReview) == 3
    manchester, kent = market["00T"], market["09C"]
    [more] = variations.variations_of(manchester)
    assert more.status == "agreed" and more.new_annual_value > manchester.annual_value
    [longer] = variations.variations_of(kent)
    assert longer.status == "agreed" and str(longer.new_end_date) == "2013-09-30"
    [notice] = db.session.scalars(select(AgreementEnding)).all()
    assert notice.agreement_id == market["00Q"].id and notice.kind == "notice"
    assert str(notice.given_on) == "2012-11-12" and str(notice.ends_on) == "2013-02-11"


def test_seeding_twice_adds_nothing(market):
    before = _count(AuditEvent)
    with transaction():
        seed_contract_life(1)
    assert _count(AuditEvent) == before


def test_both_sides_see_the_record(market, sign_in):
    lancashire = market["00Q"]
    css = sign_in("leader.cumbria-and-lancashire-css@demo.test")
    page = text_of(css.get(f"/customers/agreements/{lancashire.id}/performance"))
    assert "Missed" in page and "late" in page.lower()
    ccg = sign_in(f"buyer.{lancashire.ccg.ods_code.lower()}@demo.test")
    page = text_of(ccg.get(f"/agreements/{lancashire.id}"))
    assert lancashire.reference in page and "31 March 2013" in page
