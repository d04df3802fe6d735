"""Demo requirements and agreements, built on whatever published offers exist.

They run after the catalogue and prospectus seeders: with no specifications or no published
offers they do nothing. Choices are drawn from random generators seeded by each CCG's ODS code,
so every run makes the same data, and a CCG that already has requirements (or an agreement)
is left alone, so running twice changes nothing.

The proportions follow the spring 2012 Checkpoint 2 customer survey: a CCG buys about half
its support, does about a third in-house and shares about 15%.
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    IntendedMode,
    Offer,
    Organisation,
    OrganisationKind,
    Priority,
    ProspectusVersion,
    Requirement,
    VersionStatus,
)
from marketplace.services.offers_for_buyers import annual_cost
from marketplace.services.requirements import current_specifications

from .business_plans import region_ccgs

# Shares of CCGs that have recorded requirements, and that have a signed agreement.
ANSWERING_SHARE = 0.8
AGREEMENT_SHARE = 0.75
MODES = [IntendedMode.BUY] * 55 + [IntendedMode.DO] * 30 + [IntendedMode.SHARE] * 15
PRIORITIES = [Priority.HIGH] * 3 + [Priority.MEDIUM] * 5 + [Priority.LOW] * 2
# The 2012 guidance: agreements from April 2013 for at most 18 months.
START, END = date(2013, 4, 1), date(2014, 9, 30)


def _ccgs() -> list[Organisation]:
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.CCG)
        .order_by(Organisation.ods_code)
    ).all()


def seed_requirements(scale: int = 1) -> None:
    specifications = current_specifications()
    if not specifications:
        return
    answered = set(db.session.scalars(select(Requirement.organisation_id).distinct()))
    for ccg in _ccgs():
        rng = random.Random(f"requirements-{ccg.ods_code}")
        if ccg.id in answered or rng.random() > ANSWERING_SHARE:
            continue
        for specification in specifications:
            needed = rng.random() < 0.85
            db.session.add(
                Requirement(
                    organisation=ccg,
                    specification=specification,
                    needed=needed,
                    priority=rng.choice(PRIORITIES),
                    intended_mode=rng.choice(MODES),
                    notes="" if needed else "Not needed in 2013/14.",
                )
            )


def _offers_by_css() -> dict[int, list[Offer]]:
    """Each regional CSS's offers on its current published version."""
    offers = db.session.scalars(
        select(Offer)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(
            ProspectusVersion.status == VersionStatus.PUBLISHED,
            Organisation.kind == OrganisationKind.CSS,
            Organisation.region_id.is_not(None),
        )
        .order_by(Offer.organisation_id, Offer.id)
    ).all()
    by_css: dict[int, list[Offer]] = {}
    for offer in offers:
        by_css.setdefault(offer.organisation_id, []).append(offer)
    return by_css


def _choose_offers(rng: random.Random, offers: list[Offer], wanted: set[int]) -> list[Offer]:
    # What the CCG said it would buy, where the CSS offers it; otherwise a few of its offers.
    chosen = [offer for offer in offers if offer.specification_id in wanted]
    if not chosen:
        chosen = rng.sample(offers, k=min(len(offers), rng.randint(2, 4)))
    by_specification = {}
    for offer in chosen:
        by_specification.setdefault(offer.specification_id, offer)
    return sorted(by_specification.values(), key=lambda offer: offer.id)


def seed_agreements(scale: int = 1) -> None:
    by_css = _offers_by_css()
    if not by_css:
        return
    providers = {
        organisation.id: organisation
        for organisation in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(list(by_css)))
        )
    }
    with_agreement = set(db.session.scalars(select(Agreement.ccg_id).distinct()))
    buying = {}
    for requirement in db.session.scalars(
        select(Requirement).where(
            Requirement.needed.is_(True), Requirement.intended_mode == IntendedMode.BUY
        )
    ):
        buying.setdefault(requirement.organisation_id, set()).add(requirement.specification_id)

    # Each CCG buys from the CSS whose patch it is in (the same split the demo business
    # plans plan their income on), so market shares and plan checks tell one story.
    patch_owner = {
        ccg.id: provider for provider in providers.values() for ccg in region_ccgs(provider)
    }
    for ccg in _ccgs():
        provider = patch_owner.get(ccg.id)
        rng = random.Random(f"agreement-{ccg.ods_code}")
        if ccg.id in with_agreement or provider is None or rng.random() > AGREEMENT_SHARE:
            continue
        offers = _choose_offers(rng, by_css[provider.id], buying.get(ccg.id, set()))
        lines = [AgreementLine(offer=o, specification_id=o.specification_id,
                               annual_cost=annual_cost(o, ccg.population)) for o in offers]
        value = sum((line.annual_cost for line in lines), Decimal("0"))
        status = AgreementStatus.FINAL if rng.random() < 0.4 else AgreementStatus.SIGNED
        signed_at = datetime(2012, 11, 1, 10, 0, tzinfo=UTC) + timedelta(days=rng.randint(0, 28))
        db.session.add(
            Agreement(
                reference=f"SLA-{ccg.ods_code}-001",
                ccg=ccg,
                provider=provider,
                status=status,
                start_date=START,
                end_date=END,
                computed_annual_value=value,
                annual_value=value,
                signed_at=signed_at,
                lines=lines,
            )
        )
