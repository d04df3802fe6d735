"""Offers as a CCG buys them: which offer rows may be chosen, and their cost at its population.

Shortlists and agreements point at exact offer rows. Rows on a published prospectus version
never change, so what a CCG chose is what it keeps seeing; draft rows change under the CSS's
hands and are never offered to buyers.
"""

from dataclasses import dataclass
from decimal import Decimal

from marketplace.domain import pricing
from marketplace.domain.money import format_money
from marketplace.extensions import db
from marketplace.models import Offer, Organisation, PricingModel, VersionStatus

from .errors import NotFound, ServiceError


def visible_offer(offer_id, field: str = "offer_id") -> Offer:
    """A published (possibly since superseded) offer row; draft rows are not found."""
    offer = db.session.get(Offer, offer_id) if isinstance(offer_id, int) else None
    if offer is None or offer.is_draft:
        raise NotFound("There is no published offer with that number", field=field)
    return offer


def current_offer(offer_id, field: str = "offer_id") -> Offer:
    """An offer row on its provider's current published version: one a CCG may choose now."""
    offer = visible_offer(offer_id, field)
    version = offer.prospectus_version
    if version.status != VersionStatus.PUBLISHED:
        raise ServiceError(
            f"{offer.title} is from {offer.organisation.name}'s {version.label} prospectus, "
            f"which has been {version.status_label.lower()}. Choose the offer from their "
            "current version.",
            field=field,
        )
    return offer


def ccg_population(ccg: Organisation) -> int:
    if not ccg.population:
        raise ServiceError(f"{ccg.name} has no registered population recorded")
    return ccg.population


def annual_cost(offer: Offer, population: int) -> Decimal:
    return pricing.annual_cost(
        offer.pricing_model, offer.price, population, offer.estimated_quantity
    )


def cost_per_head(offer: Offer, population: int) -> Decimal:
    return pricing.cost_per_head(
        offer.pricing_model, offer.price, population, offer.estimated_quantity
    )


def describe_price(offer: Offer) -> str:
    """The price as the CSS stated it, in words."""
    price = format_money(offer.price)
    quantity = offer.estimated_quantity
    match offer.pricing_model:
        case PricingModel.PER_HEAD:
            return f"{price} per head a year"
        case PricingModel.FIXED_ANNUAL:
            return f"{price} a year"
        case PricingModel.DAY_RATE:
            return f"{price} a day, about {quantity.normalize():f} days a year"
        case _:
            return f"{price} a case, about {quantity.normalize():f} cases a year"


@dataclass(frozen=True)
class PricedOffer:
    offer: Offer
    annual_cost: Decimal
    cost_per_head: Decimal


def priced(offer: Offer, population: int) -> PricedOffer:
    return PricedOffer(offer, annual_cost(offer, population), cost_per_head(offer, population))
