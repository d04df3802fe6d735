"""The catalogue of service specifications: reference data the administrator keeps.

A specification that any offer uses is never deleted, only retired: retired specifications
keep their offers, shortlists and agreements readable but take no new offers.
"""

import re

from sqlalchemy import distinct, exists, func, or_, select

from marketplace.domain.search_text import search_text_for
from marketplace.extensions import db
from marketplace.models import (
    AgreementLine,
    BidLine,
    Nature,
    Offer,
    Organisation,
    Phase,
    PlanIncome,
    ProspectusVersion,
    Scale,
    ScenarioLine,
    ServiceSpecification,
    Shortlist,
    StatementLine,
    VersionStatus,
)
from marketplace.models.base import utcnow

from . import catalogue_cache
from .audit import record_event
from .catalogue_cache import catalogue_changed
from .errors import Conflict, NotFound, ServiceError
from .transaction import transactional

CODE_PATTERN = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
FIELDS = (
    "code", "name", "description", "phase", "nature", "scale",
    "expected_outputs", "expected_service_levels",
)


def published_offer_counts() -> dict[int, int]:
    """The published offers of each specification, by its id: those of providers still
    trading (a CSS merged into another is out of the offer search, so out of these counts
    too). Kept until the catalogue changes (catalogue_cache), as counting every published
    offer is most of what the catalogue's pages cost."""
    return {specification_id: count for specification_id, count
            in catalogue_cache.remembered({"asked": "published offers per specification"},
                                          _count_published_offers)}


def _count_published_offers() -> list[tuple[int, int]]:
    # Grouped by specification_id + 0, an expression, not the column. By the column, SQLite
    # reads every offer (drafts and superseded ones too) from the index that lists them by
    # specification, which gives the groups in order, and looks up each one's version; by
    # an expression no index gives that order, so it reads the published versions and only
    # their offers (ix_offer_version_facets). count(*), not count(Offer.id): the index
    # holds all the count needs, so no offer row is read.
    specification = (Offer.specification_id + 0).label("specification_id")
    return [(specification_id, count) for specification_id, count in db.session.execute(
        select(specification, func.count())
        .select_from(Offer)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, ProspectusVersion.organisation_id == Organisation.id)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED,
               Organisation.merged_into_id.is_(None))
        .group_by(specification)
    )]


def list_specifications(*, include_retired: bool = True) -> list[ServiceSpecification]:
    statement = select(ServiceSpecification).order_by(ServiceSpecification.code)
    if not include_retired:
        statement = statement.where(ServiceSpecification.retired_at.is_(None))
    return list(db.session.scalars(statement))


def get_by_code(code: str) -> ServiceSpecification:
    spec = db.session.scalar(
        select(ServiceSpecification).where(ServiceSpecification.code == (code or "").upper())
    )
    if spec is None:
        raise NotFound("No such specification")
    return spec


# Everything that points at a specification, and what a person calls a group of them: the
# column counted (distinct) says what one "thing" is (an agreement, not its lines).
USERS = (
    (Offer, Offer.organisation_id, "provider's offers", "providers' offers"),
    (AgreementLine, AgreementLine.agreement_id, "agreement", "agreements"),
    (BidLine, BidLine.bid_id, "bid", "bids"),
    (StatementLine, StatementLine.statement_id, "statement of requirements",
     "statements of requirements"),
    (ScenarioLine, ScenarioLine.scenario_id, "ready reckoner scenario",
     "ready reckoner scenarios"),
    (Shortlist, Shortlist.organisation_id, "CCG's shortlist", "CCGs' shortlists"),
    (PlanIncome, PlanIncome.business_plan_id, "business plan's income",
     "business plans' income"),
)
USING_MODELS = tuple(model for model, *_ in USERS)


def is_used(spec: ServiceSpecification) -> bool:
    """Whether anything (an offer, agreement, bid, statement, scenario, shortlist or business
    plan's income) points at the specification."""
    return spec.id in used_ids([spec])


def uses(spec: ServiceSpecification) -> list[str]:
    """What uses the specification, in words: ["offers from Arden CSS and Central CSU",
    "2 agreements", ...]; empty when nothing does."""
    words = []
    for model, counted, one, many in USERS:
        count = db.session.scalar(select(func.count(distinct(counted)))
                                  .where(model.specification_id == spec.id))
        if not count:
            continue
        if model is Offer:
            names = list(db.session.scalars(
                select(Organisation.name).where(Organisation.id.in_(
                    select(Offer.organisation_id).where(Offer.specification_id == spec.id)))
                .order_by(Organisation.name).limit(3)))
            others = [f"{count - len(names)} more"] if count > len(names) else []
            words.append(f"offers from {_joined(names + others)}")
        else:
            words.append(f"{count} {one if count == 1 else many}")
    return words


def used_ids(specs) -> set[int]:
    """The ids of those of ``specs`` that is_used: one query for a list of them."""
    ids = [spec.id for spec in specs]
    if not ids:
        return set()
    # EXISTS per specification: each stops at the first row pointing at it (an index
    # search), where reading every pointer would read every offer.
    return set(db.session.scalars(
        select(ServiceSpecification.id).where(
            ServiceSpecification.id.in_(ids),
            or_(*[exists().where(model.specification_id == ServiceSpecification.id)
                  for model in USING_MODELS]))))


def _check(data: dict, spec: ServiceSpecification | None) -> dict:
    data = {key: data[key] for key in FIELDS if key in data}
    data["code"] = (data.get("code") or "").strip().upper()
    if not CODE_PATTERN.match(data["code"]):
        raise ServiceError(
            "Enter a code of capital letters and numbers, parts joined by hyphens, like BI-01",
            field="code",
        )
    for key, enum in (("phase", Phase), ("nature", Nature), ("scale", Scale)):
        if data.get(key) not in {item.value for item in enum}:
            raise ServiceError(f"Choose a {key}", field=key)
    for key in ("code", "name"):
        clash = db.session.scalar(
            select(ServiceSpecification).where(
                func.lower(getattr(ServiceSpecification, key)) == data[key].lower()
            )
        )
        if clash is not None and clash is not spec:
            raise ServiceError(f"Another specification already has this {key}", field=key)
    return data


@transactional
def create_specification(actor, data: dict) -> ServiceSpecification:
    data = _check(data, None)
    spec = ServiceSpecification(**data)
    db.session.add(spec)
    record_event("specification.created", spec, f"Created specification {spec.code} {spec.name}",
                 actor=actor)
    catalogue_changed()
    return spec


@transactional
def update_specification(actor, spec: ServiceSpecification, data: dict) -> ServiceSpecification:
    data = _check(data, spec)
    changes = {
        key: [getattr(spec, key), value] for key, value in data.items()
        if getattr(spec, key) != value
    }
    if not changes:
        return spec
    for key, value in data.items():
        setattr(spec, key, value)
    if {"code", "name"} & changes.keys():
        _refresh_search_text(spec)
    record_event("specification.updated", spec, f"Updated specification {spec.code}",
                 changes=changes, actor=actor)
    catalogue_changed()
    return spec


def _refresh_search_text(spec: ServiceSpecification) -> None:
    # Search reads the specification's code and name from each offer's search_text; a
    # renamed specification must still be found under its new name.
    db.session.flush()
    for offer in db.session.scalars(
        select(Offer).where(Offer.specification_id == spec.id, Offer.search_text != "")
    ):
        offer.search_text = search_text_for(
            description=offer.description,
            specification_code=spec.code,
            specification_name=spec.name,
            provider_name=offer.organisation.name,
            service_levels=offer.service_levels,
        )


@transactional
def retire_specification(actor, spec: ServiceSpecification) -> None:
    if spec.is_retired:
        raise Conflict(f"{spec.code} {spec.name} is already retired: somebody retired it after "
                       "this page was drawn", field="specification")
    spec.retired_at = utcnow()
    record_event("specification.retired", spec, f"Retired specification {spec.code}", actor=actor)
    catalogue_changed()


@transactional
def reinstate_specification(actor, spec: ServiceSpecification) -> None:
    if not spec.is_retired:
        raise Conflict(f"{spec.code} {spec.name} is not retired: somebody reinstated it after "
                       "this page was drawn", field="specification")
    spec.retired_at = None
    record_event("specification.reinstated", spec, f"Reinstated specification {spec.code}",
                 actor=actor)
    catalogue_changed()


def refuse_deleting(spec: ServiceSpecification, used_by: list[str]) -> None:
    """The rule: a specification that anything uses (``uses``) is retired, never deleted."""
    if used_by:
        raise Conflict(
            f"{spec.code} {spec.name} cannot be deleted: it is used by {_joined(used_by)}. "
            "Retire it instead, so that it takes no new offers and what uses it stays "
            "readable", field="specification")


@transactional
def delete_specification(actor, spec: ServiceSpecification) -> None:
    """Only a specification nothing uses goes; any other is retired instead. The refusal
    names what uses it, at the field "specification" (the manage page's row)."""
    refuse_deleting(spec, uses(spec))
    record_event("specification.deleted", spec, f"Deleted specification {spec.code}", actor=actor)
    db.session.delete(spec)
    catalogue_changed()


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
