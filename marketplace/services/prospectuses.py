"""A provider's prospectus: edit the one draft and its offers, publish immutable versions,
withdraw them, and compare any two.

Publishing copies the draft (content, CCGs served and offers) into a new numbered version in
one transaction with its audit event; the version published before it becomes superseded.
Published versions and their offers are never edited: changes go into the draft and the
next version.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.domain.money import format_money
from marketplace.domain.pricing import QUANTITY_UNITS, offer_term_errors
from marketplace.domain.prospectus_diff import ProspectusDiff, diff_snapshots
from marketplace.domain.search_text import search_text_for
from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    DeliveryModel,
    Offer,
    Organisation,
    OrganisationKind,
    PricingModel,
    Prospectus,
    ProspectusVersion,
    ServiceSpecification,
    VersionStatus,
)
from marketplace.models.base import utcnow

from .audit import record_event
from .catalogue_cache import catalogue_changed
from .errors import Conflict, NotFound, PermissionDenied, ServiceError
from .transaction import check_version, on_conflict, transactional

CONTENT_FIELDS = Prospectus.CONTENT_FIELDS
CONTENT_LABELS = {
    "vision": "Vision",
    "operating_model": "Operating model",
    "geography": "Geography",
    "leadership_team": "Leadership team",
    "partnerships": "Partnerships",
    "ccgs_served": "CCGs served",
}
MAX_CONTENT_LENGTH = 10_000
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5_000
MAX_SERVICE_LEVELS = 10
MAX_SERVICE_LEVEL_LENGTH = 200
STALE_DRAFT = (
    "Someone else changed this prospectus since you opened it. Reload the page, check their "
    "changes and try again."
)
STALE_OFFER = (
    "Someone else changed this offer since you opened it, so your changes were not saved. "
    "They are shown below: check them against the offer as it is now and save again."
)
STALE_PUBLISH = (
    "Someone else changed or published this prospectus after you opened this page, or the "
    "page was sent twice, so it was not published again. Check its versions and the changes "
    "below before publishing."
)


class OfferInvalid(ServiceError):
    """An offer's terms were refused; ``errors`` lists (field, message) for every field."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1], field=errors[0][0])
        self.errors = errors


def _check_provider(organisation: Organisation) -> None:
    if organisation.kind not in PROVIDER_KINDS:
        raise PermissionDenied("Only commissioning support services and independent providers "
                               "publish prospectuses")


def draft_for(organisation_id: int, *, with_content: bool = False) -> Prospectus | None:
    """The provider's draft; ``with_content``: with its offers, their specifications and
    its CCGs loaded (three queries), for a page that shows or compares them all."""
    statement = select(Prospectus).where(Prospectus.organisation_id == organisation_id)
    if with_content:
        statement = statement.options(
            selectinload(Prospectus.draft_offers).joinedload(Offer.specification),
            selectinload(Prospectus.ccgs_served))
    return db.session.scalar(statement)


def _ensure_draft(organisation: Organisation) -> Prospectus:
    _check_provider(organisation)
    draft = draft_for(organisation.id)
    if draft is None:
        draft = Prospectus(organisation=organisation)
        db.session.add(draft)
        db.session.flush()
    return draft


def _touch(draft: Prospectus) -> None:
    """Any change to the draft or its offers moves its lock on, so a publish confirmed
    against an older draft is refused rather than publishing something unseen."""
    draft.updated_at = utcnow()


@transactional
def save_draft(
    actor, organisation: Organisation, *, lock_version: int | None, content: dict,
    ccg_ids: list[int],
) -> Prospectus:
    """lock_version: the draft's as the form showed it; 0 if there was no draft then."""
    _check_provider(organisation)
    check_version(draft_for(organisation.id), lock_version, STALE_DRAFT)
    draft = _ensure_draft(organisation)
    changes = {}
    for name in CONTENT_FIELDS:
        value = (content.get(name) or "").strip()
        if len(value) > MAX_CONTENT_LENGTH:
            raise ServiceError(f"{CONTENT_LABELS[name]} must be {MAX_CONTENT_LENGTH:,} "
                               "characters or fewer", field=name)
        if getattr(draft, name) != value:
            changes[name] = "changed"
            setattr(draft, name, value)
    ccgs = list(db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(ccg_ids or [-1]), Organisation.kind == OrganisationKind.CCG)
        .order_by(Organisation.name)
    ))
    if len(ccgs) != len(set(ccg_ids)):
        raise ServiceError("Choose CCGs from the list", field="ccgs_served")
    if {c.id for c in draft.ccgs_served} != {c.id for c in ccgs}:
        changes["ccgs_served"] = len(ccgs)
        draft.ccgs_served = ccgs
    if changes:
        _touch(draft)
        record_event("prospectus.draft_saved", draft,
                     f"Saved the draft prospectus of {organisation.name}", changes=changes,
                     actor=actor)
    return draft


# What an offer must have, in the words its form (prospectuses/forms.py) uses too.
OFFER_REQUIRED = {
    "specification_id": "Choose the specification this offer is made against",
    "title": "Enter a title for the offer",
    "delivery_model": "Choose how the service is delivered",
    "pricing_model": "Choose a pricing model",
    "price": "Enter the price",
    "minimum_term_months": "Enter the minimum term in months",
}


def _clean_offer(data: dict) -> dict:
    errors: list[tuple[str, str]] = []
    spec = db.session.get(ServiceSpecification, data.get("specification_id") or 0)
    if spec is None:
        errors.append(("specification_id", OFFER_REQUIRED["specification_id"]))
    elif spec.is_retired:
        errors.append(("specification_id", f"{spec.name} has been retired; choose a current "
                       "specification"))
    title = (data.get("title") or "").strip()
    if not title:
        errors.append(("title", OFFER_REQUIRED["title"]))
    elif len(title) > MAX_TITLE_LENGTH:
        errors.append(("title", f"The title must be {MAX_TITLE_LENGTH} characters or fewer"))
    description = (data.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors.append(("description", f"The description must be {MAX_DESCRIPTION_LENGTH:,} "
                       "characters or fewer"))
    if data.get("delivery_model") not in {m.value for m in DeliveryModel}:
        errors.append(("delivery_model", OFFER_REQUIRED["delivery_model"]))
    model = data.get("pricing_model")
    quantity = data.get("estimated_quantity") if model in QUANTITY_UNITS else None
    term = data.get("minimum_term_months")
    price = data.get("price")
    if price is None:
        errors.append(("price", OFFER_REQUIRED["price"]))
    else:
        for error in offer_term_errors(model, price, quantity, term if term is not None else 0):
            errors.append(({"amount": "price"}.get(error.field, error.field), error.message))
    if term is None:
        errors.append(("minimum_term_months", OFFER_REQUIRED["minimum_term_months"]))
    available_from = data.get("available_from")
    if available_from is not None and not isinstance(available_from, date):
        errors.append(("available_from", "Enter the date the service is available from"))
    levels = []
    for row in data.get("service_levels") or []:
        measure = (row.get("measure") or "").strip()
        target = (row.get("target") or "").strip()
        if not measure and not target:
            continue
        if not measure:
            errors.append(("service_levels", "Enter the measure for each service level target"))
        if max(len(measure), len(target)) > MAX_SERVICE_LEVEL_LENGTH:
            errors.append(("service_levels", "Each measure and target must be "
                           f"{MAX_SERVICE_LEVEL_LENGTH} characters or fewer"))
        levels.append({"measure": measure, "target": target})
    if len(levels) > MAX_SERVICE_LEVELS:
        errors.append(("service_levels", f"List at most {MAX_SERVICE_LEVELS} service levels"))
    if errors:
        seen, unique = set(), []
        for field, message in errors:  # at most one message per field
            if field not in seen:
                seen.add(field)
                unique.append((field, message))
        raise OfferInvalid(unique)
    return {
        "specification_id": spec.id,
        "title": title,
        "description": description,
        "delivery_model": data["delivery_model"],
        "pricing_model": model,
        "price": Decimal(price),
        "estimated_quantity": Decimal(quantity) if quantity is not None else None,
        "minimum_term_months": term,
        "available_from": available_from,
        "service_levels": levels,
    }


@transactional
def add_offer(actor, organisation: Organisation, data: dict) -> Offer:
    draft = _ensure_draft(organisation)
    values = _clean_offer(data)
    offer = Offer(
        prospectus=draft, organisation_id=organisation.id, lineage=str(uuid.uuid4()), **values
    )
    db.session.add(offer)
    _touch(draft)
    record_event("offer.draft_added", offer, f"Added draft offer {offer.title!r}", actor=actor)
    return offer


def _draft_offer(offer: Offer) -> Offer:
    if not offer.is_draft:
        raise ServiceError("Published offers cannot be changed. Change the offer in your draft "
                           "and publish a new version.")
    return offer


@transactional
def update_offer(actor, offer: Offer, data: dict, *, lock_version: int | None = None) -> Offer:
    """lock_version: the offer's as the form showed it."""
    _draft_offer(offer)
    check_version(offer, lock_version, STALE_OFFER)
    values = _clean_offer(data)
    changes = {
        key: [getattr(offer, key), value] for key, value in values.items()
        if getattr(offer, key) != value
    }
    for key, value in values.items():
        setattr(offer, key, value)
    if changes:
        _touch(offer.prospectus)
        record_event("offer.draft_updated", offer, f"Updated draft offer {offer.title!r}",
                     changes=changes, actor=actor)
    return offer


@transactional
def remove_offer(actor, offer: Offer) -> None:
    _draft_offer(offer)
    _touch(offer.prospectus)
    record_event("offer.draft_removed", offer, f"Removed draft offer {offer.title!r}",
                 actor=actor)
    db.session.delete(offer)


def _with_content():
    """Loader options for showing a version: its offers with their specifications and the
    CCGs it serves, in three queries rather than one per offer."""
    return (selectinload(ProspectusVersion.offers).joinedload(Offer.specification),
            selectinload(ProspectusVersion.ccgs_served))


def current_version(organisation_id: int, *, with_content: bool = False
                    ) -> ProspectusVersion | None:
    """The published version (there is at most one), if any; ``with_content``: with its
    offers, their specifications and its CCGs loaded, for a page that shows them."""
    statement = select(ProspectusVersion).where(
        ProspectusVersion.organisation_id == organisation_id,
        ProspectusVersion.status == VersionStatus.PUBLISHED,
    )
    if with_content:
        statement = statement.options(*_with_content())
    return db.session.scalar(statement)


def versions_for(organisation_id: int) -> list[ProspectusVersion]:
    """Every version, newest first (without their offers: ``offer_counts`` counts them)."""
    return list(db.session.scalars(
        select(ProspectusVersion)
        .where(ProspectusVersion.organisation_id == organisation_id)
        .order_by(ProspectusVersion.number.desc())
    ))


def published_of(versions: list[ProspectusVersion]) -> ProspectusVersion | None:
    """current_version from a list of the provider's versions already read (versions_for),
    without its content."""
    return next((version for version in versions
                 if version.status == VersionStatus.PUBLISHED), None)


def offer_counts(versions: list[ProspectusVersion]) -> dict[int, int]:
    """{version id: how many offers it has}, for the history, in one query for them all."""
    if not versions:
        return {}
    counts = dict(db.session.execute(
        select(Offer.prospectus_version_id, func.count())
        .where(Offer.prospectus_version_id.in_([version.id for version in versions]))
        .group_by(Offer.prospectus_version_id)
    ).all())
    return {version.id: counts.get(version.id, 0) for version in versions}


def get_version(organisation_id: int, number: int, *,
                with_content: bool = False) -> ProspectusVersion:
    statement = select(ProspectusVersion).where(
        ProspectusVersion.organisation_id == organisation_id,
        ProspectusVersion.number == number,
    )
    if with_content:
        statement = statement.options(*_with_content())
    version = db.session.scalar(statement)
    if version is None:
        raise NotFound("No such version")
    return version


@transactional
def publish(actor, organisation: Organisation, *, lock_version: int | None,
            change_note: str = "") -> ProspectusVersion:
    draft = draft_for(organisation.id)
    if draft is None:
        raise ServiceError("Write your prospectus before publishing it")
    # Publishing moves the draft's lock on, so a second publish of the same page (a double
    # click) loses at the draft, or at the version number when there was no version before.
    check_version(draft, lock_version, STALE_PUBLISH)
    on_conflict(ProspectusVersion, STALE_PUBLISH)
    offers = draft.draft_offers
    if not draft.vision.strip():
        raise ServiceError("Write your vision before publishing", field="vision")
    if not offers:
        raise ServiceError("Add at least one offer before publishing")
    retired = [offer.title for offer in offers if offer.specification.is_retired]
    if retired:
        raise ServiceError("These offers are against retired specifications; move them to a "
                           "current specification or remove them: " + ", ".join(retired))
    if len(change_note) > MAX_CONTENT_LENGTH:
        raise ServiceError("The note is too long", field="change_note")

    now = utcnow()
    previous = current_version(organisation.id)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.status_changed_at = now
    latest = db.session.scalar(
        select(func.max(ProspectusVersion.number))
        .where(ProspectusVersion.prospectus_id == draft.id)
    )
    number = (latest or 0) + 1
    version = ProspectusVersion(
        prospectus=draft,
        organisation_id=organisation.id,
        number=number,
        status=VersionStatus.PUBLISHED,
        published_at=now,
        published_by_id=actor.id if actor is not None else None,
        change_note=(change_note or "").strip(),
        ccgs_served=list(draft.ccgs_served),
        **{name: getattr(draft, name) for name in CONTENT_FIELDS},
    )
    db.session.add(version)
    for offer in offers:
        db.session.add(copy_offer(offer, version, organisation.name))
    _touch(draft)
    record_event(
        "prospectus.published", version,
        f"Published {organisation.name} prospectus v{number} with {len(offers)} offers",
        changes={"number": number, "offers": len(offers),
                 "superseded": previous.number if previous else None},
        actor=actor,
    )
    catalogue_changed()
    return version


def copy_offer(offer: Offer, version: ProspectusVersion, provider_name: str) -> Offer:
    return Offer(
        prospectus_id=offer.prospectus_id,
        prospectus_version=version,
        organisation_id=offer.organisation_id,
        specification_id=offer.specification_id,
        lineage=offer.lineage,
        title=offer.title,
        description=offer.description,
        delivery_model=offer.delivery_model,
        pricing_model=offer.pricing_model,
        price=offer.price,
        estimated_quantity=offer.estimated_quantity,
        minimum_term_months=offer.minimum_term_months,
        available_from=offer.available_from,
        service_levels=[dict(level) for level in offer.service_levels or []],
        search_text=search_text_for(
            description=offer.description,
            specification_code=offer.specification.code,
            specification_name=offer.specification.name,
            provider_name=provider_name,
            service_levels=offer.service_levels,
        ),
    )


@transactional
def withdraw(actor, version: ProspectusVersion, reason: str = "") -> ProspectusVersion:
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict(f"Only the published version can be withdrawn; v{version.number} is "
                       f"{version.status_label.lower()}")
    version.status = VersionStatus.WITHDRAWN
    version.status_changed_at = utcnow()
    record_event("prospectus.withdrawn", version,
                 f"Withdrew {version.organisation.name} prospectus v{version.number}",
                 changes={"reason": reason.strip()[:1000]} if reason.strip() else None,
                 actor=actor)
    catalogue_changed()
    return version


# -- comparing versions ---------------------------------------------------------------------

def _offer_snapshot(offer: Offer) -> dict:
    unit = QUANTITY_UNITS.get(offer.pricing_model)
    return {
        "title": offer.title,
        "specification": f"{offer.specification.code} {offer.specification.name}",
        "description": offer.description,
        "delivery_model": DeliveryModel(offer.delivery_model).label,
        "pricing_model": PricingModel(offer.pricing_model).label,
        "price": format_money(offer.price),
        "estimated_quantity": f"{offer.estimated_quantity.normalize():,f} {unit} a year"
        if unit and offer.estimated_quantity is not None else "",
        "minimum_term_months": f"{offer.minimum_term_months} months",
        "available_from": offer.available_from.strftime("%-d %B %Y")
        if offer.available_from else "",
        "service_levels": "; ".join(
            f"{level['measure']}: {level['target']}" for level in offer.service_levels or []
        ),
    }


OFFER_FIELD_LABELS = {
    "title": "Title",
    "specification": "Specification",
    "description": "Description",
    "delivery_model": "Delivery model",
    "pricing_model": "Pricing model",
    "price": "Price",
    "estimated_quantity": "Estimated quantity",
    "minimum_term_months": "Minimum term",
    "available_from": "Available from",
    "service_levels": "Service levels",
}


def snapshot(source: Prospectus | ProspectusVersion) -> dict:
    offers = source.draft_offers if isinstance(source, Prospectus) else source.offers
    content = {name: getattr(source, name) for name in CONTENT_FIELDS}
    content["ccgs_served"] = ", ".join(sorted(ccg.name for ccg in source.ccgs_served))
    return {
        "content": content,
        "offers": {offer.lineage: _offer_snapshot(offer) for offer in offers},
    }


def compare(old: Prospectus | ProspectusVersion,
            new: Prospectus | ProspectusVersion) -> ProspectusDiff:
    return diff_snapshots(snapshot(old), snapshot(new))
