"""Keeping the published-offer listing (marketplace/models/listing.py) in step.

The listing holds one row per offer of a currently published prospectus version. Whatever
changes it is written in the same transaction as the listing:

- changes made through the ORM are caught by the flush hook in cache.py, which refreshes
  the listing rows of the providers they touch (``providers_touched``) and moves the
  catalogue version on;
- code writing with bulk Core statements (the demo seeders) calls ``refresh_listing()``
  itself, for every provider.

Refreshing a provider deletes its rows and inserts them again from offer,
prospectus_version and organisation, then sets its assurance status: a few statements,
however the provider's versions changed. The full-text index follows by trigger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import case, delete, insert, inspect, literal, select, update

from marketplace.models import (
    Checkpoint,
    Offer,
    OfferListing,
    Organisation,
    PricingModel,
    ProspectusVersion,
    Review,
    Submission,
    VersionStatus,
)
from marketplace.services.assurance import NOT_ASSESSED, assessed_provider_statuses

listing = OfferListing.__table__

# providers_touched() answers ALL when it cannot name the providers (or every provider's
# status may have changed): the whole listing is refreshed.
ALL = None


def annual_price_of(offer):
    """SQL for an offer's £ a year when not priced per head (the fee, or price × estimated
    days or cases); None per head. What the listing's annual_price holds."""
    return case(
        (offer.pricing_model == PricingModel.PER_HEAD, None),
        (offer.pricing_model == PricingModel.FIXED_ANNUAL, offer.price),
        else_=offer.price * offer.estimated_quantity,
    )


def _rows(provider_ids: list[int] | None):
    statement = (
        select(Offer.id, Offer.organisation_id, Offer.specification_id, Organisation.region_id,
               Organisation.kind, literal(NOT_ASSESSED), Offer.pricing_model, Offer.price,
               annual_price_of(Offer))
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED)
    )
    if provider_ids is not None:
        statement = statement.where(Offer.organisation_id.in_(provider_ids))
    return statement


def refresh_listing(connection, provider_ids: Iterable[int] | None = ALL) -> None:
    """Rewrite the listing rows of these providers (ALL: every provider) from the offers of
    their published versions, through ``connection`` (in the caller's transaction)."""
    ids = None if provider_ids is None else sorted(set(provider_ids))
    if ids is not None and not ids:
        return
    removing = delete(listing)
    if ids is not None:
        removing = removing.where(listing.c.provider_id.in_(ids))
    connection.execute(removing)
    connection.execute(
        insert(listing).from_select(
            ["offer_id", "provider_id", "specification_id", "region_id", "provider_kind",
             "assurance_status", "pricing_model", "price", "annual_price"],
            _rows(ids),
        )
    )
    by_status: dict[str, list[int]] = defaultdict(list)
    for provider_id, status in assessed_provider_statuses(ids, connection).items():
        by_status[status].append(provider_id)
    for status, providers in by_status.items():
        connection.execute(
            update(listing).where(listing.c.provider_id.in_(sorted(providers)))
            .values(assurance_status=status)
        )


def _loaded(obj, name: str):
    """An attribute's value if it is loaded, without loading anything; else ALL."""
    state = inspect(obj).dict
    return state[name] if name in state else ALL


def providers_touched(connection, changed: list[tuple[object, str]]) -> set[int] | None:
    """The providers whose listing rows these flushed (object, "new"/"dirty"/"deleted")
    changes may alter; ALL when that cannot be told (then every provider's are)."""
    providers: set[int] = set()
    submissions: set[int] = set()
    for obj, _how in changed:
        if isinstance(obj, Checkpoint):
            return ALL  # a checkpoint's number is part of every status key it gave
        if isinstance(obj, ProspectusVersion | Offer | Submission):
            provider = _loaded(obj, "organisation_id")
        elif isinstance(obj, Organisation):
            provider = _loaded(obj, "id")
        elif isinstance(obj, Review):
            submission = _loaded(obj, "submission_id")
            if submission is ALL:
                return ALL
            submissions.add(submission)
            continue
        else:
            continue
        if provider is ALL:
            return ALL
        providers.add(provider)
    if submissions:
        providers.update(connection.scalars(
            select(Submission.organisation_id).where(Submission.id.in_(sorted(submissions)))
        ))
    return providers
