"""Loading the offers on a page of search results: one query either way.

A results page shows twenty offers as cards, and needs only a few of each offer's columns
and of its provider's, specification's and version's: ``listed_offers`` reads the offers'
own columns and version numbers, as plain rows, and takes the names from the reference data
a search keeps per catalogue version (ListedOffer). The JSON API describes each offer in
full, with its service levels, so it reads them as model objects (``full_offers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
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


# The offers' own columns and their versions' numbers, by primary key: twenty a page.
_LISTED = (
    select(
        Offer.id, Offer.title, Offer.organisation_id, Offer.specification_id,
        Offer.delivery_model, Offer.pricing_model, Offer.price, Offer.estimated_quantity,
        Offer.minimum_term_months, Offer.prospectus_version_id, ProspectusVersion.number,
    )
    .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
    .where(Offer.id.in_(bindparam("offer_ids", expanding=True)))
)
PROVIDER_COLUMNS = (Organisation.id, Organisation.name, Organisation.kind,
                    Organisation.region_id)


def listed_offers(offer_ids: list[int], *, specifications: Mapping[int, Any],
                  regions: Mapping[int, Any], providers: Mapping[int, Any]
                  ) -> dict[int, ListedOffer]:
    """These offers as result cards, by id: one query of plain rows, no model objects.

    The names come from the reference rows given, by id (each row as the search keeps it:
    a specification's code, name and phase; a region's name; a provider's PROVIDER_COLUMNS),
    not from joins: PostgreSQL joined the organisations by reading all 3,000 of them at
    scale 100, most of the time a page's offers took. A provider missing from ``providers``
    (registered after they were read) is read here."""
    if not offer_ids:
        return {}
    # Built once, and run on the session's connection: as Core, not through the ORM, which
    # took twice as long for these plain rows.
    rows = db.session.connection().execute(_LISTED, {"offer_ids": offer_ids}).all()
    missing = {row.organisation_id for row in rows} - providers.keys()
    if missing:
        providers = {**providers, **{
            provider.id: provider for provider in db.session.execute(
                select(*PROVIDER_COLUMNS).where(Organisation.id.in_(missing)))
        }}
    listed = {}
    for (offer_id, title, provider_id, specification_id, delivery_model, pricing_model, price,
         quantity, term, version_id, version_number) in rows:
        provider = providers[provider_id]
        specification = specifications[specification_id]
        region = regions.get(provider.region_id)
        listed[offer_id] = ListedOffer(
            offer_id, title, provider_id, provider.name, provider.kind,
            region.name if region is not None else None, specification.code,
            specification.name, specification.phase, delivery_model, pricing_model, price,
            quantity, term, version_id, version_number,
        )
    return listed


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
