"""Small builders for marketplace test data, so tests do not depend on the demo seeders.

Each commits what it makes and returns it. Defaults are plain and realistic; pass what a test
cares about.
"""

import itertools
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    Offer,
    Organisation,
    Prospectus,
    ProspectusVersion,
    ServiceSpecification,
    VersionStatus,
)
from marketplace.models.base import utcnow
from marketplace.services import catalogue, prospectuses

from .conftest import user

_counter = itertools.count(1)


def organisation(name: str) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.name == name))
    assert found is not None, f"no organisation {name}"
    return found


def ccg(ods_code: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.ods_code == ods_code))


def create_specification(
    code: str | None = None,
    name: str | None = None,
    *,
    phase: str = "planning",
    nature: str = "transactional",
    scale: str = "local",
    description: str = "A service a CCG may need.",
    retired: bool = False,
) -> ServiceSpecification:
    number = next(_counter)
    specification = ServiceSpecification(
        code=code or f"SPEC-{number:03d}",
        name=name or f"Specification {number}",
        description=description,
        phase=phase,
        nature=nature,
        scale=scale,
        retired_at=utcnow() if retired else None,
    )
    db.session.add(specification)
    db.session.commit()
    return specification


def _prospectus(provider: Organisation) -> Prospectus:
    prospectus = db.session.scalar(
        select(Prospectus).where(Prospectus.organisation_id == provider.id)
    )
    if prospectus is None:
        prospectus = Prospectus(organisation=provider, vision="Support CCGs well.")
        db.session.add(prospectus)
        db.session.flush()
    return prospectus


def _offer(prospectus: Prospectus, specification: ServiceSpecification, **fields) -> Offer:
    values = {
        "title": f"{specification.name} from {prospectus.organisation.name}",
        "description": "Delivered by a local team.",
        "delivery_model": "local_team",
        "pricing_model": "per_head",
        "price": Decimal("1.00"),
        "estimated_quantity": None,
        "minimum_term_months": 12,
        "service_levels": [{"measure": "Reports on time", "target": "95%"}],
        "lineage": str(uuid.uuid4()),
    }
    values.update(fields)
    for key in ("price", "estimated_quantity"):
        if isinstance(values[key], str):
            values[key] = Decimal(values[key])
    return Offer(
        prospectus=prospectus,
        organisation_id=prospectus.organisation_id,
        specification=specification,
        **values,
    )


def create_prospectus_version_with_offers(
    provider: Organisation,
    offers: list[tuple[ServiceSpecification, dict]],
    *,
    status: str = VersionStatus.PUBLISHED,
    supersede_previous: bool = True,
) -> ProspectusVersion:
    """Publish a new version of the provider's prospectus holding these offers.

    ``offers`` is a list of (specification, fields) pairs; fields override the offer defaults
    (price, pricing_model, estimated_quantity, minimum_term_months, service_levels, title ...).
    Earlier published versions become superseded, as publishing does.
    """
    prospectus = _prospectus(provider)
    number = (
        db.session.scalar(
            select(func.max(ProspectusVersion.number)).where(
                ProspectusVersion.prospectus_id == prospectus.id
            )
        )
        or 0
    ) + 1
    if supersede_previous:
        for earlier in prospectus.versions:
            if earlier.status == VersionStatus.PUBLISHED:
                earlier.status = VersionStatus.SUPERSEDED
                earlier.status_changed_at = utcnow()
    version = ProspectusVersion(
        prospectus=prospectus,
        organisation=provider,
        number=number,
        status=status,
        vision=prospectus.vision,
    )
    db.session.add(version)
    for specification, fields in offers:
        offer = _offer(prospectus, specification, **fields)
        offer.prospectus_version = version
        db.session.add(offer)
    db.session.commit()
    return version


def create_draft_offer(
    provider: Organisation, specification: ServiceSpecification, **fields
) -> Offer:
    offer = _offer(_prospectus(provider), specification, **fields)
    db.session.add(offer)
    db.session.commit()
    return offer


def create_agreement(
    ccg_org: Organisation,
    offers: list[Offer],
    *,
    status: str = AgreementStatus.SIGNED,
    start_date: date = date(2013, 4, 1),
    end_date: date = date(2014, 9, 30),
    annual_value: Decimal | None = None,
    reference: str | None = None,
) -> Agreement:
    """An agreement written straight to the database (the service has its own tests)."""
    from marketplace.services.offers_for_buyers import annual_cost

    lines = [AgreementLine(offer=o, specification_id=o.specification_id,
                           annual_cost=annual_cost(o, ccg_org.population)) for o in offers]
    computed = sum((line.annual_cost for line in lines), Decimal("0"))
    agreement = Agreement(
        reference=reference or f"SLA-TEST-{next(_counter):04d}",
        ccg=ccg_org,
        provider=offers[0].organisation,
        status=status,
        start_date=start_date,
        end_date=end_date,
        computed_annual_value=computed,
        annual_value=computed if annual_value is None else annual_value,
        signed_at=utcnow() if status != AgreementStatus.DRAFT else None,
        lines=lines,
    )
    db.session.add(agreement)
    db.session.commit()
    return agreement


# Builders that go through the catalogue and prospectus services.


def create_spec(code="BI-DSS", name="Decision support", *, phase="business_support",
                nature="transactional", scale="shared", description="Dashboards and analysis",
                **extra) -> ServiceSpecification:
    return catalogue.create_specification(None, {
        "code": code, "name": name, "phase": phase, "nature": nature, "scale": scale,
        "description": description, "expected_outputs": "", "expected_service_levels": "",
        **extra,
    })


def offer_data(spec, **overrides) -> dict:
    data = {
        "specification_id": spec.id,
        "title": f"{spec.name} offer",
        "description": "Delivered by a local team.",
        "delivery_model": "local_team",
        "pricing_model": "per_head",
        "price": Decimal("0.80"),
        "estimated_quantity": None,
        "minimum_term_months": 12,
        "available_from": date(2013, 4, 1),
        "service_levels": [{"measure": "Monthly report", "target": "By working day 10"}],
    }
    data.update(overrides)
    return data


def add_offer(organisation_name: str, spec, **overrides):
    org = organisation(organisation_name)
    return prospectuses.add_offer(None, org, offer_data(spec, **overrides))


def publish(organisation_name: str, *offers: tuple, email: str | None = None,
            vision="Good support"):
    """Write a draft with these (spec, overrides) offers if given, then publish it."""
    org = organisation(organisation_name)
    draft = prospectuses.draft_for(org.id)
    if draft is None or not draft.vision:
        prospectuses.save_draft(None, org, lock_version=None,
                                content={"vision": vision}, ccg_ids=[])
    for spec, overrides in offers:
        prospectuses.add_offer(None, org, offer_data(spec, **overrides))
    actor = user(email) if email else None
    return prospectuses.publish(actor, org, lock_version=None)
