"""A procurement put straight into "awarded" with its decision and winning bid, as the award
step leaves it, so the contract step is tested on its own."""

from datetime import date
from decimal import Decimal

from marketplace.extensions import db
from marketplace.models import (
    Bid,
    BidLine,
    BidSource,
    BidStatus,
    DecisionOutcome,
    ProcurementDecision,
    ProcurementStatus,
)

from .conftest import published_competition, set_up_competition

PER_HEAD = Decimal("10.00")
CONTRACTS = Decimal("250000.00")


def winning_bid(b, procurement, provider=None) -> Bid:
    """Arden's bid: business intelligence at £10 a head for everyone who asked for it,
    contract monitoring £250,000 a year (for Coventry, the only CCG that asked)."""
    market = b.market
    heads = b.coventry.population + b.warwickshire.population
    bid = Bid(procurement=procurement, provider=provider or market.arden,
              source=BidSource.RESPONSE, status=BidStatus.SUBMITTED,
              submitted_at=procurement.closes_at or b.statement.created_at,
              summary="Arden's response", lines=[
                  BidLine(specification=market.bi, offer=market.arden_bi,
                          pricing_model="per_head", price=PER_HEAD,
                          annual_cost=PER_HEAD * heads),
                  BidLine(specification=market.contracts, offer=market.arden_contracts,
                          pricing_model="fixed_annual", price=CONTRACTS,
                          annual_cost=CONTRACTS),
              ])
    db.session.add(bid)
    return bid


def award(b, procurement, *, status=ProcurementStatus.AWARDED, provider=None):
    bid = winning_bid(b, procurement, provider)
    procurement.status = status
    db.session.add(ProcurementDecision(
        procurement=procurement, outcome=DecisionOutcome.AWARDED, winning_bid=bid,
        rationale="Highest total score: 86.40 of 100.", decided_by_id=b.lead_user.id,
        decided_at=procurement.closes_at or b.statement.created_at,
        standstill_ends_on=date(2013, 2, 4), results=[]))
    db.session.commit()
    return procurement


def awarded_competition(b, *, published=True, status=ProcurementStatus.AWARDED):
    """A competition published (its tender release stored), closed and awarded to Arden."""
    procurement = published_competition(b) if published else set_up_competition(b)
    if published:
        procurement.closed_at = procurement.closes_at
    return award(b, procurement, status=status)
