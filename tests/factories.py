"""Every builder of test data, in one place, so tests do not depend on the demo seeders.

Each builder commits what it makes and returns it. Defaults are plain and realistic; pass what
a test cares about. Sections: organisations and the catalogue; prospectuses, offers and
agreements; the small buying market; assurance (checkpoints, plans, submissions, reviews);
reckoner scenarios; buying (statements, shortlists, competitions).
"""

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.demo.assurance import ensure_prospectus_version
from marketplace.demo.business_plans import ensure_plan
from marketplace.domain.checkpoints import RATING_SCALES
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementKpi,
    AgreementLine,
    AgreementStatus,
    AuditEvent,
    Bid,
    BidLine,
    BidSource,
    BidStatus,
    DecisionOutcome,
    IntendedMode,
    Offer,
    Organisation,
    PartyStatus,
    ProcurementDecision,
    ProcurementStatus,
    Prospectus,
    ProspectusVersion,
    Review,
    Role,
    Scenario,
    ScenarioFixedCost,
    ScenarioLine,
    ServiceSpecification,
    Shortlist,
    ShortlistEntry,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
    Submission,
    User,
    VersionStatus,
)
from marketplace.models.base import utcnow
from marketplace.services import catalogue, follow_up, procurements, prospectuses, reviews
from marketplace.services import scenarios as scenario_service
from marketplace.services.checkpoints import checkpoint_by_number, ensure_standard_checkpoints
from marketplace.services.procurements import CriterionInput

from .conftest import user

_counter = itertools.count(1)

# Coventry and Rugby CCG, the demo CCG (ONS mid-2011 estimate).
COVENTRY_POPULATION = 464_596


# Organisations, the catalogue, prospectuses, offers and agreements.


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
    kpis: list[dict] = (),
) -> Agreement:
    """An agreement written straight to the database (the service has its own tests).

    ``kpis``: service levels of the first line, as AgreementKpi fields (see KPI_DASHBOARD)."""
    from marketplace.services.offers_for_buyers import annual_cost

    lines = [AgreementLine(offer=o, specification_id=o.specification_id,
                           annual_cost=annual_cost(o, ccg_org.population)) for o in offers]
    lines[0].kpis = [AgreementKpi(**fields) for fields in kpis]
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


# Two service levels as a CCG might agree them: a deadline (lower is better) and a share.
KPI_DASHBOARD = {"measure": "Monthly dashboard delivered", "unit": "working_days",
                 "target": Decimal("10"), "direction": "lower", "tolerance": Decimal("2"),
                 "frequency": "monthly"}
KPI_QUERIES = {"measure": "Queries answered within 2 days", "unit": "percent",
               "target": Decimal("95"), "direction": "higher", "tolerance": Decimal("2"),
               "frequency": "monthly"}


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


# The small market the buying tests share: three specifications (and a retired one), three
# providers with published offers, a superseded version and a draft offer.


@dataclass
class Market:
    bi: ServiceSpecification
    contracts: ServiceSpecification
    comms: ServiceSpecification
    retired: ServiceSpecification
    arden: Organisation
    gem: Organisation
    meridian: Organisation
    arden_old_bi: Offer  # on Arden's superseded v1
    arden_bi: Offer  # £12 per head
    arden_contracts: Offer  # £250,000 a year
    arden_comms: Offer  # £600 a day, 200 days
    gem_bi: Offer  # £9.50 per head
    gem_contracts: Offer  # £150 a case, 1,000 cases
    meridian_bi: Offer  # £0.75 per head
    arden_draft_bi: Offer


def build_market() -> Market:
    bi = create_specification(
        "BI-01",
        "Business intelligence",
        phase="planning",
        scale="shared",
        description="Data management, integration and analysis for commissioning.",
    )
    contracts = create_specification(
        "CM-01",
        "Contract monitoring",
        phase="monitoring_contracts",
        description="Monitoring provider contracts for activity, finance and quality.",
    )
    comms = create_specification(
        "BS-01",
        "Communications and engagement",
        phase="business_support",
        nature="transformational",
        description="Engaging patients and the public.",
    )
    retired = create_specification("OLD-01", "Retired service", retired=True)
    arden = organisation("Arden CSS")
    gem = organisation("Greater East Midlands CSS")
    meridian = organisation("Meridian Commissioning Partners Ltd")

    v1 = create_prospectus_version_with_offers(
        arden, [(bi, {"price": "11.00", "title": "Arden business intelligence (2012)"})]
    )
    v2 = create_prospectus_version_with_offers(
        arden,
        [
            (
                bi,
                {
                    "price": "12.00",
                    "title": "Arden business intelligence",
                    "service_levels": [
                        {"measure": "Monthly dashboard", "target": "By working day 10"}
                    ],
                },
            ),
            (
                contracts,
                {
                    "pricing_model": "fixed_annual",
                    "price": "250000.00",
                    "title": "Arden contract monitoring",
                    "minimum_term_months": 24,
                },
            ),
            (
                comms,
                {
                    "pricing_model": "day_rate",
                    "price": "600.00",
                    "estimated_quantity": "200",
                    "title": "Arden communications",
                },
            ),
        ],
    )
    gem_v1 = create_prospectus_version_with_offers(
        gem,
        [
            (bi, {"price": "9.50", "title": "GEM business intelligence"}),
            (
                contracts,
                {
                    "pricing_model": "per_case",
                    "price": "150.00",
                    "estimated_quantity": "1000",
                    "title": "GEM contract monitoring",
                },
            ),
        ],
    )
    meridian_v1 = create_prospectus_version_with_offers(
        meridian, [(bi, {"price": "0.75", "title": "Meridian analytics at scale"})]
    )
    draft = create_draft_offer(arden, bi, price="13.00", title="Arden BI (draft)")
    return Market(
        bi=bi,
        contracts=contracts,
        comms=comms,
        retired=retired,
        arden=arden,
        gem=gem,
        meridian=meridian,
        arden_old_bi=v1.offers[0],
        arden_bi=v2.offers[0],
        arden_contracts=v2.offers[1],
        arden_comms=v2.offers[2],
        gem_bi=gem_v1.offers[0],
        gem_contracts=gem_v1.offers[1],
        meridian_bi=meridian_v1.offers[0],
        arden_draft_bi=draft,
    )


@pytest.fixture
def market(app_context) -> Market:
    return build_market()


# Assurance: checkpoints, plans, submissions and reviews in few lines.

ARDEN = "Arden CSS"
GEM = "Greater East Midlands CSS"


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def checkpoint(number: int):
    ensure_standard_checkpoints()
    db.session.commit()
    return checkpoint_by_number(number)


def plan(name: str = ARDEN, version: int = 1, *, submitted: bool = False, weak: bool = False):
    made = ensure_plan(organisation(name), version, submitted=submitted, weak=weak,
                       price_per_head=Decimal("10"))
    db.session.commit()
    return made


def submission(number: int, name: str = ARDEN) -> Submission:
    point = checkpoint(number)
    org = organisation(name)
    if point.takes_business_plan:
        document = {"business_plan": plan(name, number - 1, submitted=True)}
    else:
        document = {"prospectus_version": ensure_prospectus_version(org)}
    made = Submission(checkpoint=point, organisation=org, **document)
    db.session.add(made)
    db.session.commit()
    return made


def started_review(number: int = 2, name: str = ARDEN, author: str = "bdu@demo.test"):
    reviewer = person(author)
    return reviews.assign_reviewer(reviewer, submission(number, name), reviewer)


def rate(review, values: dict[str, str], actor: str = "bdu@demo.test", **outcome):
    by_key = {c.key: c.id for c in review.submission.checkpoint.criteria}
    return reviews.save_review(
        person(actor), review, expected_lock_version=review.lock_version,
        ratings={by_key[k]: reviews.RatingInput(v, f"{k} commentary") for k, v in values.items()},
        summary="Summary", **outcome)


CP2_GOOD = {"leadership": "good_progress", "business_plan": "good_progress",
            "ccg_customer_focus": "good_progress"}


MIXED_CP2 = {"leadership": "good_progress", "business_plan": "marginal",
             "ccg_customer_focus": "failed"}


def drafted_review(number: int = 2, values: dict | None = None, commentary: dict | None = None,
                   name: str = ARDEN):
    """A review with every criterion rated, a condition and a development action."""
    author = "peer@demo.test" if number == 1 else "bdu@demo.test"
    review = started_review(number, name, author=author)
    criteria = review.submission.checkpoint.criteria
    values = values or (MIXED_CP2 if number == 2 else
                        {c.key: reviews_scale_first(review) for c in criteria})
    commentary = commentary or {}
    ratings = {c.id: reviews.RatingInput(values[c.key], commentary.get(c.key, f"On {c.name}."))
               for c in criteria}
    bdu = person(author)
    reviews.save_review(bdu, review, expected_lock_version=review.lock_version,
                        ratings=ratings, summary="Written by the reviewer.")
    follow_up.add_condition(bdu, review, "Revise the financial model by 30 June 2012.")
    follow_up.add_action(bdu, review, action="Appoint a permanent managing director.",
                         owner="Chair of the CSS board", due_date=date(2012, 7, 31))
    return review


def reviews_scale_first(review) -> str:
    return next(iter(RATING_SCALES[review.submission.checkpoint.rating_scale])).value


def sign_off(review, signer: str = "bdu2@demo.test"):
    return reviews.sign_off(person(signer), review,
                            expected_lock_version=review.lock_version)








def signed_off_without_document(review, signer: str = "bdu2@demo.test"):
    """As the 2012 demo results were: signed off before review documents existed."""
    table = Review.__table__
    db.session.execute(table.update().where(table.c.id == review.id).values(
        status="signed_off", signed_off_by_id=person(signer).id,
        signed_off_at=datetime(2012, 5, 14, 9, 30, tzinfo=UTC)))
    db.session.commit()
    db.session.expire_all()
    return review


# Reckoner scenarios: form posts and saved scenarios.

# The HSJ worked example (Sept 2011): 175,000 people at £20 a head, less £1.5m and £111,000.
WORKED_EXAMPLE_FORM = {
    "name": "Worked example",
    "population": "175,000",
    "financial_year": "2013/14",
    "allowance_per_head_override": "20",
    "fixed_costs-0-name": "Corporate base",
    "fixed_costs-0-amount": "1,500,000",
    "fixed_costs-1-name": "Nurse and secondary care doctor",
    "fixed_costs-1-amount": "£111,000.00",
    "in_house_non_pay": "",
}

# Three lines, one of each mode, as the form posts them.
MIXED_LINES_FORM = {
    "lines-0-service": "Contract management",
    "lines-0-mode": "do",
    "lines-0-wte": "1.5",
    "lines-0-cost_per_wte": "40000",
    "lines-0-non_pay": "5000",
    "lines-1-service": "Business intelligence",
    "lines-1-mode": "buy",
    "lines-1-pricing_model": "per_head",
    "lines-1-price": "0.85",
    "lines-2-service": "Individual funding requests",
    "lines-2-mode": "share",
    "lines-2-shared_total": "300000",
    "lines-2-partners": "05h, 05R",
    "lines-2-split_method": "population",
}


def scenario_form(**overrides) -> dict:
    data = dict(WORKED_EXAMPLE_FORM)
    data.update(overrides)
    return data


def scenario_counts() -> dict[str, int]:
    """Rows that a refused save must not have written."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Scenario, ScenarioFixedCost, ScenarioLine, AuditEvent)
    }


def scenario_input(name="Baseline", population=COVENTRY_POPULATION, lines=(), **kwargs):
    return scenario_service.ScenarioInput(
        name=name,
        population=population,
        financial_year=kwargs.pop("financial_year", "2013/14"),
        fixed_costs=kwargs.pop("fixed_costs", scenario_service.default_fixed_costs()),
        lines=tuple(lines),
        **kwargs,
    )


def make_scenario(email="ccg@demo.test", **kwargs) -> Scenario:
    actor = db.session.scalar(select(User).where(User.email == email))
    return scenario_service.create_scenario(actor, scenario_input(**kwargs))


def mixed_lines() -> list[scenario_service.LineInput]:
    return [
        scenario_service.LineInput("Contract management", "do", wte=Decimal("1.5"),
                          cost_per_wte=Decimal("40000"), non_pay=Decimal("5000")),
        scenario_service.LineInput("Business intelligence", "buy", pricing_model="per_head",
                          price=Decimal("0.85")),
        scenario_service.LineInput("Legal advice", "buy", manual_amount=Decimal("12345.67")),
        scenario_service.LineInput("Individual funding requests", "share",
                          shared_total=Decimal("300000"), split_method="population",
                          partner_ods_codes=("05H", "05R")),
    ]


# Buying: users of other CCGs, statements of requirements, shortlists and competitions.


def make_user(email: str, name: str, organisation: Organisation,
              role: str = Role.CCG_USER) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    if found:
        return found
    made = User(email=email, full_name=name, role=role, organisation=organisation,
                password_hash="x")
    db.session.add(made)
    db.session.commit()
    return made


def make_statement(lead: Organisation, lines, *, partners=(), status=StatementStatus.READY,
                   title="Business intelligence and contract monitoring from April 2013",
                   term_months=18, wanted_from=date(2013, 4, 1)) -> Statement:
    """``lines``: (ccg, specification, annual budget or None, population or None)."""
    statement = Statement(lead_ccg=lead, title=title, summary="What we need.", status=status,
                          term_months=term_months, wanted_from=wanted_from)
    statement.parties.append(StatementParty(ccg=lead, is_lead=True,
                                            status=PartyStatus.CONFIRMED))
    for partner in partners:
        statement.parties.append(StatementParty(ccg=partner, status=PartyStatus.CONFIRMED))
    for ccg_org, spec, budget, population in lines:
        statement.lines.append(StatementLine(
            ccg=ccg_org, specification=spec, mode=IntendedMode.BUY,
            budget_annual=Decimal(budget) if budget is not None else None,
            population_covered=population))
    db.session.add(statement)
    db.session.commit()
    return statement


def shortlist(ccg_org: Organisation, *offers) -> None:
    for offer in offers:
        found = db.session.scalar(select(Shortlist).where(
            Shortlist.organisation_id == ccg_org.id,
            Shortlist.specification_id == offer.specification_id))
        if found is None:
            found = Shortlist(organisation=ccg_org, specification=offer.specification)
            db.session.add(found)
        found.entries.append(ShortlistEntry(offer=offer))
    db.session.commit()


@dataclass
class Buying:
    market: object
    coventry: Organisation
    darlington: Organisation
    warwickshire: Organisation
    lead_user: User  # ccg@demo.test, NHS Coventry and Rugby CCG
    partner_user: User  # NHS South Warwickshire CCG
    other_ccg_user: User  # ccg2@demo.test, NHS Darlington CCG
    arden_user: User  # css@demo.test
    gem_user: User  # css2@demo.test
    nwl_user: User  # css3@demo.test, North West London CSS: no offers for these specifications
    meridian_user: User  # indie@demo.test, an independent provider
    bdu_user: User
    statement: Statement


def uk(day: date, hour: int = 17) -> datetime:
    from marketplace.clock import uk_moment

    return uk_moment(day, time(hour, 0))


def set_up_competition(b: Buying, *, open_to_all=True, invitees=(), budget_shown=True):
    """A competition started, with criteria 60/40, an evaluator and dates, not published."""
    procurement = procurements.start_procurement(
        b.lead_user, b.statement, "further_competition",
        "Above the EU threshold: a competition is required.")
    procurements.set_details(
        b.lead_user, procurement, procurement.lock_version, title=procurement.title,
        description="Support from April 2013.", budget_shown=budget_shown,
        clarifications_close_at=uk(date(2013, 1, 14)), closes_at=uk(date(2013, 1, 21)))
    procurements.set_criteria(b.lead_user, procurement, procurement.lock_version, [
        CriterionInput("quality", "Approach", 35, "How you will do it"),
        CriterionInput("quality", "Team", 25),
        CriterionInput("price", "Price", 40),
    ])
    procurements.set_evaluators(b.lead_user, procurement, procurement.lock_version,
                                [b.lead_user.id, b.partner_user.id])
    procurements.set_invitees(b.lead_user, procurement, procurement.lock_version,
                              open_to_all=open_to_all,
                              organisation_ids=[org.id for org in invitees])
    return procurement


def published_competition(b: Buying, **options):
    procurement = set_up_competition(b, **options)
    return procurements.publish(b.lead_user, procurement, procurement.lock_version)


# Awards: a procurement put straight into "awarded" with its decision and winning bid, as the
# award step leaves it, so the contract step (agreements, OCDS award and contract releases)
# is tested on its own.

AWARD_PER_HEAD = Decimal("10.00")
AWARD_CONTRACTS = Decimal("250000.00")


def winning_bid(b: Buying, procurement, provider=None) -> Bid:
    """Arden's bid: business intelligence at £10 a head for everyone who asked for it,
    contract monitoring £250,000 a year (for Coventry, the only CCG that asked)."""
    market = b.market
    heads = b.coventry.population + b.warwickshire.population
    bid = Bid(procurement=procurement, provider=provider or market.arden,
              source=BidSource.RESPONSE, status=BidStatus.SUBMITTED,
              submitted_at=procurement.closes_at or b.statement.created_at,
              summary="Arden's response", lines=[
                  BidLine(specification=market.bi, offer=market.arden_bi,
                          pricing_model="per_head", price=AWARD_PER_HEAD,
                          annual_cost=AWARD_PER_HEAD * heads),
                  BidLine(specification=market.contracts, offer=market.arden_contracts,
                          pricing_model="fixed_annual", price=AWARD_CONTRACTS,
                          annual_cost=AWARD_CONTRACTS),
              ])
    db.session.add(bid)
    return bid


def award(b: Buying, procurement, *, status=ProcurementStatus.AWARDED, provider=None):
    bid = winning_bid(b, procurement, provider)
    procurement.status = status
    db.session.add(ProcurementDecision(
        procurement=procurement, outcome=DecisionOutcome.AWARDED, winning_bid=bid,
        rationale="Highest total score: 86.40 of 100.", decided_by_id=b.lead_user.id,
        decided_at=procurement.closes_at or b.statement.created_at,
        standstill_ends_on=date(2013, 2, 4), results=[]))
    db.session.commit()
    return procurement


def awarded_competition(b: Buying, *, published=True, status=ProcurementStatus.AWARDED):
    """A competition published (its tender release stored), closed and awarded to Arden."""
    procurement = published_competition(b) if published else set_up_competition(b)
    if published:
        procurement.closed_at = procurement.closes_at
    return award(b, procurement, status=status)


# The customer survey.

SURVEY_OPENS = date(2012, 9, 1)
SURVEY_CLOSES = date(2012, 9, 30)


def survey_window(number: int = 3, opens_on: date = SURVEY_OPENS,
                  closes_on: date = SURVEY_CLOSES):
    """A survey window for a checkpoint, written straight to the database."""
    from marketplace.models import SurveyWindow

    window = SurveyWindow(checkpoint=checkpoint(number), opens_on=opens_on,
                          closes_on=closes_on, opened_at=utcnow())
    db.session.add(window)
    db.session.commit()
    return window


def survey_answer(window, ccg_org: Organisation, provider: Organisation, score: int = 4,
                  **scores: int):
    """One CCG's answer: ``score`` to every question unless named in ``scores``."""
    from marketplace.domain.customer_survey import QUESTION_KEYS
    from marketplace.models import SurveyAnswer, SurveyScore

    answer = SurveyAnswer(window=window, ccg_id=ccg_org.id, provider_id=provider.id,
                          answered_at=utcnow(),
                          scores=[SurveyScore(question=key, score=scores.get(key, score),
                                              comment=f"About {key}")
                                  for key in QUESTION_KEYS])
    db.session.add(answer)
    db.session.commit()
    return answer


def survey_customers(market: Market, count: int = 3) -> list[Organisation]:
    """``count`` CCGs with signed agreements with Arden: Coventry (ccg@demo.test's) first,
    then others given a user each (survey-ccg-N@example.nhs.uk)."""
    codes = ["05A", "05R", "00C", "08C", "04Y", "05C"][:count]
    ccgs = []
    for number, code in enumerate(codes):
        found = ccg(code)
        if number:
            make_user(f"survey-ccg-{number}@example.nhs.uk", f"Survey User {number}", found)
        create_agreement(found, [market.arden_bi])
        ccgs.append(found)
    return ccgs
