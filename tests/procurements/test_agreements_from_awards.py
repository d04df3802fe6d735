"""After the standstill, the award becomes draft agreements: one per CCG, pre-filled from the
winning bid, split between the CCGs to the penny; then both parties sign."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AuditEvent,
    ProcurementStatus,
    SplitMethod,
)
from marketplace.services import agreements
from marketplace.services.agreements_from_awards import draft_agreements_from_award
from marketplace.services.errors import ServiceError

from ..factories import AWARD_CONTRACTS as CONTRACTS
from ..factories import AWARD_PER_HEAD as PER_HEAD
from ..factories import award, awarded_competition, set_up_competition


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_award_becomes_one_draft_per_ccg_split_by_population(buying):
    b = buying
    procurement = awarded_competition(b)
    bid = procurement.decision.winning_bid
    drafts = draft_agreements_from_award(procurement)

    coventry, warwickshire = sorted(drafts, key=lambda a: a.ccg.ods_code)
    assert [a.ccg for a in (coventry, warwickshire)] == [b.coventry, b.warwickshire]
    for agreement in drafts:
        assert agreement.status == "draft" and agreement.provider == b.market.arden
        assert agreement.procurement_id == procurement.id and agreement.bid_id == bid.id
        assert agreement.route == "further_competition"
        assert "Above the EU threshold: a competition is required." in agreement.route_rationale
        assert "Highest total score: 86.40 of 100." in agreement.route_rationale
        # The statement's 18 months from 1 April 2013: within the 2012 guidance.
        assert (agreement.start_date, agreement.end_date) == (date(2013, 4, 1),
                                                              date(2014, 9, 30))
        assert agreements.term_warning(agreement) is None

    # Business intelligence for both at £10 a head, split by population: each pays for its
    # own people exactly. Contract monitoring only Coventry asked for, so only it pays.
    cov_bi, cov_cm = coventry.lines
    assert (cov_bi.specification, cov_bi.offer, cov_bi.annual_cost) == (
        b.market.bi, b.market.arden_bi, PER_HEAD * b.coventry.population)
    assert (cov_cm.specification, cov_cm.annual_cost) == (b.market.contracts, CONTRACTS)
    [war_bi] = warwickshire.lines
    assert war_bi.annual_cost == PER_HEAD * b.warwickshire.population
    assert {line.bid_line_id for line in coventry.lines + warwickshire.lines} == {
        line.id for line in bid.lines}
    for agreement in drafts:
        for line in agreement.lines:
            assert line.statement_line.ccg_id == agreement.ccg_id
            assert line.statement_line.specification_id == line.specification_id
    total = sum((a.annual_value for a in drafts), Decimal(0))
    assert total == sum((line.annual_cost for line in bid.lines), Decimal(0))
    assert coventry.annual_value == coventry.computed_annual_value == (
        PER_HEAD * b.coventry.population + CONTRACTS)
    # Value over the full term: 18 months is one and a half years.
    assert coventry.value_over_term == coventry.annual_value * Decimal("1.5")

    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "agreement.drafted_from_award").order_by(AuditEvent.id)).all()
    assert [e.object_id for e in events] == [str(a.id) for a in drafts]
    assert events[0].actor_id is None  # the service's own doing, when the standstill ends
    assert events[0].changes["value_over_term"] == str(coventry.value_over_term)


def test_agreed_shares_split_the_shared_line(buying):
    b = buying
    b.statement.split_method = SplitMethod.AGREED_SHARES
    for party in b.statement.parties:
        party.agreed_share_percent = Decimal("60") if party.is_lead else Decimal("40")
    db.session.commit()
    procurement = awarded_competition(b)
    bi_cost = PER_HEAD * (b.coventry.population + b.warwickshire.population)
    drafts = {a.ccg_id: a for a in draft_agreements_from_award(procurement)}
    bi = {ccg_id: next(line.annual_cost for line in a.lines
                       if line.specification_id == b.market.bi.id)
          for ccg_id, a in drafts.items()}
    assert bi[b.coventry.id] == (bi_cost * Decimal("0.6")).quantize(Decimal("0.01"))
    assert bi[b.coventry.id] + bi[b.warwickshire.id] == bi_cost


def test_shares_that_do_not_total_100_are_refused_and_nothing_is_drafted(buying):
    b = buying
    b.statement.split_method = SplitMethod.AGREED_SHARES
    for party in b.statement.parties:
        party.agreed_share_percent = Decimal("60") if party.is_lead else Decimal("39.99")
    db.session.commit()
    procurement = awarded_competition(b)
    with pytest.raises(ServiceError, match="add up to 99.99%"):
        draft_agreements_from_award(procurement)
    assert _count(Agreement) == 0


def test_only_an_awarded_procurement_after_standstill_is_drafted(buying):
    b = buying
    draft = set_up_competition(b)
    with pytest.raises(ServiceError, match="is draft"):
        draft_agreements_from_award(draft)
    procurement = award(b, draft, status=ProcurementStatus.STANDSTILL)
    with pytest.raises(ServiceError, match="in standstill"):
        draft_agreements_from_award(procurement)
    assert _count(Agreement) == 0


def test_an_award_without_a_winner_is_refused(buying):
    b = buying
    procurement = awarded_competition(b)
    procurement.decision.winning_bid = None
    db.session.commit()
    with pytest.raises(ServiceError, match="no award to a provider"):
        draft_agreements_from_award(procurement)


def test_drafting_twice_changes_nothing(buying):
    procurement = awarded_competition(buying)
    first = draft_agreements_from_award(procurement)
    second = draft_agreements_from_award(procurement)
    assert [a.id for a in second] == [a.id for a in first]
    assert _count(Agreement) == 2


def test_a_term_longer_than_18_months_is_drafted_with_the_warning(buying):
    b = buying
    procurement = awarded_competition(b)
    procurement.contract_end = date(2015, 3, 31)
    db.session.commit()
    [first, *_] = draft_agreements_from_award(procurement)
    assert "runs for 24 months, longer than 18 months" in agreements.term_warning(first)
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "agreement.drafted_from_award"))
    assert "longer than 18 months" in event.changes["term_warning"]
    assert first.value_over_term == first.annual_value * 2


def test_a_direct_award_carries_its_rationale(buying):
    from marketplace.services import procurements

    from ..factories import shortlist

    b = buying
    shortlist(b.coventry, b.market.arden_bi, b.market.arden_contracts)
    procurement = procurements.start_procurement(
        b.lead_user, b.statement, "direct_award",
        "Below the threshold; Arden already runs our data warehouse.")
    candidate = next(bid for bid in procurement.bids if bid.provider == b.market.arden)
    db.session.delete(candidate)  # the award's own winning bid stands in for it
    db.session.flush()
    award(b, procurement)
    drafts = draft_agreements_from_award(procurement)
    assert {a.route for a in drafts} == {"direct_award"}
    assert all(a.route_rationale.startswith("Direct award from a shortlist. Why this route: "
                                            "Below the threshold; Arden already runs our data "
                                            "warehouse.") for a in drafts)


def test_drafting_signing_and_declining_follow_the_pinned_clock(buying, clock):
    """Demos and tests pin "now" (MARKETPLACE_TODAY): every stamp on an agreement follows it,
    and the contract release is dated with the second signature."""
    from datetime import UTC, datetime, timedelta

    from marketplace.services.ocds_releases import releases_for

    b = buying
    procurement = awarded_competition(b)
    drafted_at = clock.set(datetime(2013, 2, 25, 9, 0, tzinfo=UTC))
    agreement = next(a for a in draft_agreements_from_award(procurement)
                     if a.ccg == b.coventry)
    assert agreement.created_at == drafted_at

    first_signature = clock.advance(hours=2)
    agreements.sign_for_ccg(b.lead_user, agreement, agreement.lock_version)
    assert agreement.ccg_signed_at == first_signature

    declined_at = clock.advance(days=1)
    agreements.decline_to_countersign(b.arden_user, agreement, agreement.lock_version,
                                      "The contract monitoring price needs a second look.")
    assert agreement.provider_declined_at == declined_at
    assert agreement.ccg_signed_at is None

    signed_again = clock.advance(days=1)
    agreements.sign_for_ccg(b.lead_user, agreement, agreement.lock_version)
    countersigned = clock.advance(hours=3)
    agreements.countersign(b.arden_user, agreement, agreement.lock_version)
    db.session.expire_all()
    assert agreement.ccg_signed_at == signed_again
    assert agreement.provider_signed_at == agreement.signed_at == countersigned
    assert countersigned - drafted_at == timedelta(days=2, hours=5)
    [contract] = [row for row in releases_for(procurement) if row.tag == "contract"]
    assert contract.published_at == countersigned
    assert contract.release["contracts"][0]["dateSigned"] == "2013-02-27T14:00:00Z"
