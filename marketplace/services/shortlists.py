"""Shortlists (one per CCG and specification) of exact offer rows, and comparing them."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import Offer, Organisation, Shortlist, ShortlistEntry
from marketplace.policies import require

from .assurance import latest_assurance_status
from .audit import record_event
from .errors import NotFound, ServiceError
from .offers_for_buyers import (
    annual_cost,
    ccg_population,
    cost_per_head,
    current_offer,
    describe_price,
    visible_offer,
)
from .transaction import on_conflict, transactional

ONLY_OWN_USERS = "Only the CCG's own users can change its shortlists"

MAX_COMPARED = 5


def shortlists_for(ccg: Organisation) -> list[Shortlist]:
    shortlists = db.session.scalars(
        select(Shortlist).where(Shortlist.organisation_id == ccg.id)
    ).all()
    return sorted(shortlists, key=lambda shortlist: shortlist.specification.name)


def shortlisted_offer_ids(ccg: Organisation) -> set[int]:
    return set(
        db.session.scalars(
            select(ShortlistEntry.offer_id)
            .join(Shortlist)
            .where(Shortlist.organisation_id == ccg.id)
        )
    )


@transactional
def add_offer(actor, ccg: Organisation, offer_id) -> tuple[Shortlist, bool]:
    """Put an offer row on the CCG's shortlist for its specification.

    Returns the shortlist and whether the offer was added (False: it was already there).
    """
    require(actor, "act_for_ccg", ccg, ONLY_OWN_USERS)
    offer = current_offer(offer_id)
    shortlist = db.session.scalar(
        select(Shortlist).where(
            Shortlist.organisation_id == ccg.id,
            Shortlist.specification_id == offer.specification_id,
        )
    )
    if shortlist is None:
        shortlist = Shortlist(organisation=ccg, specification=offer.specification)
        db.session.add(shortlist)
    elif any(entry.offer_id == offer.id for entry in shortlist.entries):
        return shortlist, False
    # Two adds at once (a double click) both get this far; the shortlist's and the entry's
    # unique constraints let only the first through.
    added_meanwhile = (f"{offer.title} is already on your shortlist for "
                       f"{offer.specification.name}: it was added a moment ago, perhaps from "
                       "another tab or by a colleague.")
    on_conflict(Shortlist, added_meanwhile)
    on_conflict(ShortlistEntry, added_meanwhile)
    shortlist.entries.append(ShortlistEntry(offer=offer))
    record_event(
        "shortlist.offer_added",
        shortlist,
        f"{ccg.name} shortlisted {offer.title} ({offer.organisation.name} "
        f"{offer.prospectus_version.label}) for {offer.specification.name}",
        changes={"offer_id": offer.id},
        actor=actor,
    )
    return shortlist, True


@transactional
def remove_entry(actor, ccg: Organisation, entry_id) -> Offer:
    require(actor, "act_for_ccg", ccg, ONLY_OWN_USERS)
    entry = db.session.get(ShortlistEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None or entry.shortlist.organisation_id != ccg.id:
        raise NotFound("That offer is not on your shortlists")
    shortlist, offer = entry.shortlist, entry.offer
    shortlist.entries.remove(entry)
    record_event(
        "shortlist.offer_removed",
        shortlist,
        f"{ccg.name} took {offer.title} ({offer.organisation.name}) off its shortlist for "
        f"{shortlist.specification.name}",
        changes={"offer_id": offer.id},
        actor=actor,
    )
    if not shortlist.entries:
        db.session.delete(shortlist)
    return offer


@dataclass(frozen=True)
class ComparedOffer:
    offer: Offer
    provider_name: str
    specification_name: str
    version_label: str
    version_status: str
    price: str
    annual_cost: Decimal
    cost_per_head: Decimal
    minimum_term_months: int
    service_levels: tuple[tuple[str, str], ...]
    assurance_status: str


@dataclass(frozen=True)
class Comparison:
    ccg_name: str
    population: int
    offers: tuple[ComparedOffer, ...]


def parse_offer_ids(values: Iterable[str]) -> list[int]:
    """Offer ids from a query string, in the order given, once each."""
    ids = []
    for value in values:
        for part in str(value).replace(",", " ").split():
            number = whole_number(part)
            if number is None:
                raise ServiceError(f"“{part[:20]}” is not an offer number", field="offer")
            ids.append(number)
    return list(dict.fromkeys(ids))


def compare(ccg: Organisation, offer_ids: list[int]) -> Comparison:
    """Up to MAX_COMPARED offers side by side, costed at the CCG's registered population."""
    if not offer_ids:
        raise ServiceError("Choose at least one offer to compare", field="offer")
    if len(offer_ids) > MAX_COMPARED:
        raise ServiceError(
            f"You can compare up to {MAX_COMPARED} offers at a time. You chose "
            f"{len(offer_ids)}: choose {len(offer_ids) - MAX_COMPARED} fewer and compare again.",
            field="offer",
        )
    population = ccg_population(ccg)
    offers = [visible_offer(offer_id, field="offer") for offer_id in offer_ids]
    assurance = latest_assurance_status({offer.organisation_id for offer in offers})
    rows = tuple(
        ComparedOffer(
            offer=offer,
            provider_name=offer.organisation.name,
            specification_name=offer.specification.name,
            version_label=offer.prospectus_version.label,
            version_status=offer.prospectus_version.status_label,
            price=describe_price(offer),
            annual_cost=annual_cost(offer, population),
            cost_per_head=cost_per_head(offer, population),
            minimum_term_months=offer.minimum_term_months,
            service_levels=tuple(
                (str(level.get("measure", "")), str(level.get("target", "")))
                for level in (offer.service_levels or [])
            ),
            assurance_status=assurance.get(offer.organisation_id, "Not known"),
        )
        for offer in offers
    )
    return Comparison(ccg_name=ccg.name, population=population, offers=rows)


@dataclass(frozen=True)
class ShortlistedOffer:
    entry: ShortlistEntry
    offer: Offer
    price: str
    annual_cost: Decimal
    cost_per_head: Decimal
    # False once the provider has published a newer version or withdrawn this one.
    is_current: bool


@dataclass(frozen=True)
class ShortlistView:
    shortlist: Shortlist
    offers: tuple[ShortlistedOffer, ...]


def shortlist_views(ccg: Organisation) -> list[ShortlistView]:
    """The CCG's shortlists with each offer costed at its registered population."""
    population = ccg_population(ccg)
    return [
        ShortlistView(
            shortlist,
            tuple(
                ShortlistedOffer(
                    entry=entry,
                    offer=entry.offer,
                    price=describe_price(entry.offer),
                    annual_cost=annual_cost(entry.offer, population),
                    cost_per_head=cost_per_head(entry.offer, population),
                    is_current=entry.offer.is_published,
                )
                for entry in shortlist.entries
            ),
        )
        for shortlist in shortlists_for(ccg)
    ]
