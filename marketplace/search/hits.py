"""Loading the offers on a page of search results: one query either way.

A results page shows twenty offers as cards, and needs only a few of each offer's columns
and of its provider's, specification's and version's: ``listed_offers`` reads them as plain
rows (ListedOffer). The JSON API describes each offer in full, with its service levels, so
it reads them as model objects (``full_offers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, defer

from marketplace.extensions import db
from marketplace.models import (
    DeliveryModel,
    Offer,
    Organisation,
    OrganisationKind,
    Phase,
    ProspectusVersion,
    Region,
    ServiceSpecification,
)


@dataclass(frozen=True, slots=True)
class ListedOffer:
    """What a card in the search results shows of a published offer."""

    id: int
    title: str
    organisation_id: int
    provider_name: str
    provider_kind: str
    region_name: str | None  # None: a national provider
    specification_code: str
    specification_name: str
    specification_phase: str
    delivery_model: str
    pricing_model: str
    price: Decimal
    estimated_quantity: Decimal | None
    minimum_term_months: int
    prospectus_version_id: int
    version_number: int

    @property
    def provider_kind_label(self) -> str:
        return OrganisationKind(self.provider_kind).label

    @property
    def phase_label(self) -> str:
        return Phase(self.specification_phase).label

    @property
    def delivery_model_label(self) -> str:
        return DeliveryModel(self.delivery_model).label


def listed_offers(offer_ids: list[int]) -> dict[int, ListedOffer]:
    """These offers as result cards, by id: one query of plain rows, no model objects."""
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(
            Offer.id, Offer.title, Offer.organisation_id, Organisation.name, Organisation.kind,
            Region.name, ServiceSpecification.code, ServiceSpecification.name,
            ServiceSpecification.phase, Offer.delivery_model, Offer.pricing_model,
            Offer.price, Offer.estimated_quantity, Offer.minimum_term_months,
            Offer.prospectus_version_id, ProspectusVersion.number,
        )
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .join(ServiceSpecification, Offer.specification_id == ServiceSpecification.id)
        .outerjoin(Region, Organisation.region_id == Region.id)
        .where(Offer.id.in_(offer_ids))
    )
    return {row[0]: ListedOffer(*row) for row in rows}


def full_offers(offer_ids: list[int]) -> dict[int, Offer]:
    """These offers with their provider, its region, specification and version, by id: one
    query. The long texts neither a result nor the API shows (the offer's search text, the
    prospectus's own sections, the specification's outputs) are left unread."""
    if not offer_ids:
        return {}
    return {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
            .join(Organisation, Offer.organisation_id == Organisation.id)
            .join(ServiceSpecification, Offer.specification_id == ServiceSpecification.id)
            .outerjoin(Region, Organisation.region_id == Region.id)
            .options(
                defer(Offer.search_text),
                contains_eager(Offer.prospectus_version).load_only(
                    ProspectusVersion.number, ProspectusVersion.status),
                contains_eager(Offer.organisation).contains_eager(Organisation.region),
                contains_eager(Offer.specification).load_only(
                    ServiceSpecification.code, ServiceSpecification.name,
                    ServiceSpecification.phase, ServiceSpecification.nature),
            )
            .where(Offer.id.in_(offer_ids))
        )
    }
