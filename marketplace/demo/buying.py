"""Demo statements of requirements and agreements, built on whatever published offers exist.

They run after the catalogue and prospectus seeders: with no specifications or no published
offers they do nothing. Choices are drawn from random generators seeded by each CCG's ODS code,
so every run makes the same data, and a CCG that already leads a statement (or has an
agreement) is left alone, so running twice changes nothing.

The proportions follow the spring 2012 Checkpoint 2 customer survey: a CCG buys about half
its support, does about a third in-house and shares about 15%.
Agreements: each CCG pays about its home CSS's end-to-end price a head, £8-£12, and about one
in four buys a line or two elsewhere (marketplace/demo/supply.py).
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

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
    PartyStatus,
    Priority,
    ProspectusVersion,
    SplitMethod,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
    VersionStatus,
)
from marketplace.services.statements import current_specifications

from . import supply
from .business_plans import region_ccgs

# Shares of CCGs that have written a statement of requirements, and that have a signed
# agreement.
ANSWERING_SHARE = 0.8
AGREEMENT_SHARE = 0.75
MODES = [IntendedMode.BUY] * 55 + [IntendedMode.DO] * 30 + [IntendedMode.SHARE] * 15
PRIORITIES = [Priority.HIGH] * 3 + [Priority.MEDIUM] * 5 + [Priority.LOW] * 2
# The 2012 guidance: agreements from April 2013 for at most 18 months.
START, END = date(2013, 4, 1), date(2014, 9, 30)
FEWEST_LINES = 4  # on an agreement with the home CSS


def _ccgs() -> list[Organisation]:
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.CCG)
        .order_by(Organisation.ods_code)
    ).all()


# A joint statement by the three CCGs of the Arden PCT cluster, led by the demo CCG login's
# Coventry and Rugby; the other CCGs of the cluster confirm their own lines.
JOINT_LEAD, JOINT_PARTNERS = "05A", ("05H", "05R")
JOINT_TITLE = "Arden CCGs: business intelligence and contract support from April 2013"
# Statements confirmed at the end of September 2012, agreements signed in October: all
# before the demo's "now" (Monday 19 November 2012, demo/procurements.py).
CONFIRMED_AT = datetime(2012, 9, 28, 12, 0, tzinfo=UTC)


def _per_head(rng: random.Random) -> Decimal:
    # 30p to £1.60 a head a line: a dozen lines then cost £8–£12 a head, the 2012 CSS prices.
    return (Decimal(rng.randint(30, 160)) / 100).quantize(Decimal("0.01"))


def _budget(population: int, per_head: Decimal) -> Decimal:
    return (population * per_head).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _demo_line(rng: random.Random, ccg: Organisation, specification, mode=None) -> StatementLine:
    mode = mode or rng.choice(MODES)
    line = StatementLine(ccg=ccg, specification=specification, mode=mode,
                         priority=rng.choice(PRIORITIES), exclusions="", notes="",
                         local_service_levels=[])
    if mode != IntendedMode.DO:
        line.budget_annual = _budget(ccg.population or 0, _per_head(rng))
    if rng.random() < 0.3:
        line.local_service_levels = [{"measure": "Monthly report to the governing body",
                                      "target": "by the 10th working day"}]
    if rng.random() < 0.2:
        line.days_per_year = Decimal(rng.choice((40, 60, 120, 220)))
    return line


def _seed_joint(specifications, led: set[int]) -> set[int]:
    ccgs = {ccg.ods_code: ccg for ccg in _ccgs()}
    lead = ccgs.get(JOINT_LEAD)
    partners = [ccgs[code] for code in JOINT_PARTNERS if code in ccgs]
    if lead is None or lead.id in led or not partners:
        return set()
    wanted = [spec for spec in specifications if spec.phase in ("business_support",
                                                               "monitoring_contracts")][:4]
    wanted = wanted or specifications[:3]
    statement = Statement(lead_ccg=lead, title=JOINT_TITLE, status=StatementStatus.READY,
                          summary="One business intelligence and contract monitoring service "
                                  "for the three CCGs of the Arden cluster, split by population.",
                          split_method=SplitMethod.POPULATION, wanted_from=START,
                          term_months=18)
    for ccg in [lead, *partners]:
        statement.parties.append(StatementParty(
            ccg=ccg, is_lead=ccg is lead, status=PartyStatus.CONFIRMED,
            invited_at=CONFIRMED_AT, confirmed_at=CONFIRMED_AT))
        rng = random.Random(f"joint-statement-{ccg.ods_code}")
        for specification in wanted:
            line = _demo_line(rng, ccg, specification, IntendedMode.BUY)
            line.confirmed_at = CONFIRMED_AT
            statement.lines.append(line)
    db.session.add(statement)
    return {lead.id, *(partner.id for partner in partners)}


def seed_statements(scale: int = 1) -> None:
    """A statement for most CCGs; about half of them confirmed and ready to buy."""
    specifications = current_specifications()
    if not specifications:
        return
    # Every CCG already in a statement, as lead or partner, is left as it is.
    led = set(db.session.scalars(select(StatementParty.ccg_id).distinct()))
    taking_part = _seed_joint(specifications, led)
    for ccg in _ccgs():
        rng = random.Random(f"requirements-{ccg.ods_code}")
        if ccg.id in led or ccg.id in taking_part or rng.random() > ANSWERING_SHARE:
            continue
        ready = rng.random() < 0.5
        statement = Statement(
            lead_ccg=ccg, title="Commissioning support for 2013/14",
            summary="What we need from April 2013, from the specifications in the catalogue.",
            status=StatementStatus.READY if ready else StatementStatus.DRAFT,
            split_method=SplitMethod.POPULATION, wanted_from=START, term_months=18)
        statement.parties.append(StatementParty(
            ccg=ccg, is_lead=True,
            status=PartyStatus.CONFIRMED if ready else PartyStatus.INVITED,
            invited_at=CONFIRMED_AT, confirmed_at=CONFIRMED_AT if ready else None))
        for specification in specifications:
            if rng.random() < 0.85:
                line = _demo_line(rng, ccg, specification)
                line.confirmed_at = CONFIRMED_AT if ready else None
                statement.lines.append(line)
        if statement.lines:
            db.session.add(statement)


def _offers_by_provider() -> dict[int, list[Offer]]:
    """Each seller's offers on its current published version: the regional CSSs, the national
    communications service and the named independent providers (not the extra ones --scale
    adds, so a larger seed buys the same)."""
    offers = db.session.scalars(
        select(Offer)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(
            ProspectusVersion.status == VersionStatus.PUBLISHED,
            (Organisation.kind == OrganisationKind.CSS)
            | Organisation.name.in_(supply.INDEPENDENTS),
        )
        .order_by(Offer.organisation_id, Offer.id)
    ).all()
    by_provider: dict[int, list[Offer]] = {}
    for offer in offers:
        by_provider.setdefault(offer.organisation_id, []).append(offer)
    return by_provider


def _choose_offers(rng: random.Random, offers: list[Offer], wanted: set[int]) -> list[Offer]:
    # What the CCG said it would buy, where the CSS offers it; otherwise a few of its offers.
    chosen = [offer for offer in offers if offer.specification_id in wanted]
    if not chosen:
        chosen = rng.sample(offers, k=min(len(offers), rng.randint(2, 4)))
    # Never one or two lines carrying the whole of a CCG's spend with its CSS.
    rest = [offer for offer in offers if offer not in chosen]
    chosen += rng.sample(rest, k=min(len(rest), max(0, FEWEST_LINES - len(chosen))))
    by_specification = {}
    for offer in chosen:
        by_specification.setdefault(offer.specification_id, offer)
    return sorted(by_specification.values(), key=lambda offer: offer.id)


# The national service's agreements were signed before its takeover of 1 August 2012 (the
# takeover moves them to its successor); the others in October 2012, before the demo's now.
SIGNED_FROM = datetime(2012, 10, 1, 10, 0, tzinfo=UTC)
NATIONAL_SIGNED_FROM = datetime(2012, 7, 2, 10, 0, tzinfo=UTC)


def seed_agreements(scale: int = 1) -> None:
    """Signed agreements from April 2013: each CCG's lines from its home CSS, and for about
    a third of them a line or two from a neighbouring CSS, the national communications
    service or an independent provider, each supplier its own agreement (marketplace/demo/
    supply.py decides whom from and the price)."""
    by_provider = _offers_by_provider()
    if not by_provider:
        return
    providers = {
        organisation.id: organisation
        for organisation in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(list(by_provider)))
        )
    }
    with_agreement = set(db.session.scalars(select(Agreement.ccg_id).distinct()))
    buying = {}
    for line in db.session.scalars(
        select(StatementLine).where(StatementLine.mode == IntendedMode.BUY)
    ):
        buying.setdefault(line.ccg_id, set()).add(line.specification_id)

    # Each CCG buys from the CSS whose patch it is in (the same split the demo business
    # plans plan their income on), so market shares and plan checks tell one story.
    patch_owner = {
        ccg.id: provider for provider in providers.values()
        if provider.kind == OrganisationKind.CSS and provider.region_id is not None
        for ccg in region_ccgs(provider)
    }
    for ccg in _ccgs():
        provider = patch_owner.get(ccg.id)
        rng = random.Random(f"agreement-{ccg.ods_code}")
        if ccg.id in with_agreement or provider is None or rng.random() > AGREEMENT_SHARE:
            continue
        others = supply.elsewhere(ccg, provider, providers, by_provider)
        bought_elsewhere = {offer.specification_id for offer in others}
        home_offers = [offer for offer in by_provider[provider.id]
                       if offer.specification.code != supply.END_TO_END
                       and offer.specification_id not in bought_elsewhere]
        if not home_offers:
            continue
        offers = _choose_offers(rng, home_offers, buying.get(ccg.id, set()))
        home_lines, other_lines = supply.priced_lines(
            ccg, supply.per_head(ccg.ods_code, supply.home_price(by_provider[provider.id])),
            offers, others)
        status = AgreementStatus.FINAL if rng.random() < 0.4 else AgreementStatus.SIGNED
        signed_at = SIGNED_FROM + timedelta(days=rng.randint(0, 28))
        parts = [(provider, home_lines, signed_at)] + [
            (providers[offer.organisation_id], [(offer, cost)],
             NATIONAL_SIGNED_FROM + timedelta(days=rng.randint(0, 14))
             if supply.kind_of(providers[offer.organisation_id]) == supply.NATIONAL
             else signed_at)
            for offer, cost in other_lines]
        for number, (seller, priced, signed) in enumerate(parts, start=1):
            lines = [AgreementLine(offer=offer, specification_id=offer.specification_id,
                                   annual_cost=cost) for offer, cost in priced]
            value = sum((line.annual_cost for line in lines), Decimal("0"))
            db.session.add(
                Agreement(
                    reference=f"SLA-{ccg.ods_code}-{number:03d}",
                    ccg=ccg,
                    provider=seller,
                    status=status,
                    start_date=START,
                    end_date=END,
                    computed_annual_value=value,
                    annual_value=value,
                    signed_at=signed,
                    lines=lines,
                )
            )
