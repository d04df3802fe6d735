"""A direct award's candidates: the lead CCG's frozen shortlist for the statement's
specifications, one candidate bid per provider, priced from the shortlisted offers.

The offers are the exact rows the CCG shortlisted (published rows never change), priced with
the pricing rules at the population the statement buys for: the CCG's, or the consortium's.
Both routes are then evaluated, ranked and awarded the same way.
"""

from sqlalchemy import select

from marketplace import clock
from marketplace.domain import pricing
from marketplace.extensions import db
from marketplace.models import (
    Bid,
    BidLine,
    BidSource,
    BidStatus,
    Procurement,
    Shortlist,
    ShortlistEntry,
)

from . import statement_data
from .assurance_flags import assurance_note
from .errors import ServiceError


def _shortlisted_offers(procurement: Procurement) -> dict[int, dict]:
    """Provider id → specification id → offer, from the lead CCG's shortlists."""
    spec_ids = [spec.id for spec in statement_data.specifications(procurement.statement)]
    entries = db.session.scalars(
        select(ShortlistEntry).join(Shortlist)
        .where(Shortlist.organisation_id == procurement.lead_ccg_id,
               Shortlist.specification_id.in_(spec_ids))
        .order_by(ShortlistEntry.id)
    ).all()
    found: dict[int, dict] = {}
    for entry in entries:
        offer = entry.offer
        # A provider shortlisted twice for one specification (two versions of its offer)
        # is a candidate with the newer row.
        current = found.setdefault(offer.organisation_id, {}).get(offer.specification_id)
        if current is None or offer.id > current.id:
            found[offer.organisation_id][offer.specification_id] = offer
    return found


def add_shortlist_candidates(procurement: Procurement) -> list[Bid]:
    """Stage one candidate bid per shortlisted provider; the caller commits."""
    offers_by_provider = _shortlisted_offers(procurement)
    if not offers_by_provider:
        raise ServiceError(
            f"{procurement.lead_ccg.name} has no shortlisted offers for this statement's "
            "specifications. Shortlist the offers to consider, or run a further competition.",
            field="route")
    populations = statement_data.populations(procurement.statement)
    notes = assurance_note(list(offers_by_provider))
    now = clock.now()
    bids = []
    for provider_id, offers in sorted(offers_by_provider.items()):
        lines = []
        for spec_id, offer in sorted(offers.items()):
            try:
                cost = pricing.annual_cost(offer.pricing_model, offer.price,
                                           populations.get(spec_id) or 0,
                                           offer.estimated_quantity)
            except pricing.PricingError as error:
                raise ServiceError(
                    f"{offer.title} cannot be priced for this statement: {error.message}",
                    field="route") from error
            lines.append(BidLine(specification_id=spec_id, offer_id=offer.id,
                                 pricing_model=offer.pricing_model, price=offer.price,
                                 estimated_quantity=offer.estimated_quantity,
                                 annual_cost=cost))
        bid = Bid(procurement=procurement, provider_id=provider_id, source=BidSource.SHORTLIST,
                  status=BidStatus.SUBMITTED, submitted_at=now,
                  summary="Offers from the CCG's shortlist",
                  assurance_note=notes[provider_id].text, lines=lines)
        db.session.add(bid)
        bids.append(bid)
    return bids


def remove_shortlist_candidates(procurement: Procurement) -> None:
    for bid in list(procurement.bids):
        if bid.source == BidSource.SHORTLIST:
            db.session.delete(bid)
    db.session.flush()
    db.session.expire(procurement, ["bids"])
