"""Demo business plans with realistic figures, and the intentions and agreements behind
their income.

Each CSS serves a share of its region's CCGs at £9–£11 a head. A plan's figures match its
2012 Checkpoint 2 outcome (OUTCOME_SHAPES): an A plan follows its customers' falling
allowances, pays its way every year and has each CCG's stated intention behind its income;
B and C plans repeat the weaknesses the BDU reported (flat or growing income, deficits, a
workforce copied from the PCT cluster, income from a CCG with nothing behind it).
"""

from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache

from sqlalchemy import select

from marketplace import clock
from marketplace.data import read_csv
from marketplace.domain.plan_income import apportion
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    BusinessPlan,
    IntendedMode,
    Organisation,
    OrganisationKind,
    PartyStatus,
    PlanStatus,
    Priority,
    ServiceSpecification,
    SplitMethod,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
)
from marketplace.services import plan_income

from . import leaders, supply
from .organisations import css_display_name

YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")
INTENDED_AT = datetime(2012, 3, 1, 12, tzinfo=UTC)
POUND = Decimal("1")
# Catalogue specifications (marketplace/demo/specifications.py) and their share of income;
# a specification missing from the catalogue (as in a bare test database) counts as "other".
SERVICE_LINE_SHARES = {
    "BI-DSS": Decimal("0.30"),
    "MON-CTM": Decimal("0.25"),
    "AGR-PRC": Decimal("0.15"),
    "BUS-FIN": Decimal("0.10"),
    "BUS-HR": Decimal("0.10"),
    "BUS-COM": Decimal("0.10"),
}


@cache
def _home_codes() -> dict[str, tuple[str, ...]]:
    """CSS name -> the ODS codes of the CCGs whose home CSS it was in 2012
    (data/ccg_clusters_2012.csv)."""
    homes: dict[str, list[str]] = {}
    for row in read_csv("ccg_clusters_2012.csv"):
        if row["home_css"].strip():
            homes.setdefault(css_display_name(row["home_css"].strip()), []).append(
                row["ods_code"])
    return {name: tuple(sorted(codes)) for name, codes in homes.items()}


def region_ccgs(organisation: Organisation) -> list[Organisation]:
    """The CCGs this CSS serves: those whose home CSS it was in 2012
    (ccg_clusters_2012.csv), by ODS code; a CSS the file gives no CCG takes its share of
    its region's CCGs."""
    codes = _home_codes().get(organisation.name)
    if codes:
        return list(db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.CCG,
                                       Organisation.ods_code.in_(codes))
            .order_by(Organisation.ods_code)))
    if organisation.region_id is None:
        return []
    csss = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CSS,
                                   Organisation.region_id == organisation.region_id)
        .order_by(Organisation.name)
    ))
    ccgs = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CCG,
                                   Organisation.region_id == organisation.region_id)
        .order_by(Organisation.ods_code)
    ))
    index, count = csss.index(organisation), len(csss)
    return [ccg for position, ccg in enumerate(ccgs) if position % count == index]


def _pounds(value: Decimal) -> Decimal:
    return value.quantize(POUND, rounding=ROUND_HALF_UP)


def catalogue_lines() -> set[str]:
    """The demo's service lines that the catalogue has."""
    return set(db.session.scalars(select(ServiceSpecification.code).where(
        ServiceSpecification.code.in_(SERVICE_LINE_SHARES))))


# How each 2012 outcome's plan is drawn. An A plan follows its customers: CCG income falls
# with their running cost allowance (£25.00, £24.73, £22.07 a head), costs stay under
# income every year, the workforce shrinks from a PCT cluster baseline it does not copy, and
# every CCG has stated what it intends to buy. B and C plans repeat the weaknesses the BDU
# reported in May 2012: a B plan's income is flat, it starts in deficit and copies the PCT
# cluster's workforce; a C plan also grows its income while the allowance falls and loses
# money in every year. Neither has an intention or agreement behind every CCG's income.
OUTCOME_SHAPES = {
    #     CCG income by year,                     costs as a share of income by year
    "A": (("1", "0.99", "0.93", "0.91"), ("0.985", "0.98", "0.975", "0.97")),
    "B": (("1", "1", "1", "1"), ("1.02", "0.99", "0.985", "0.98")),
    "C": (("1", "1.03", "1.0609", "1.092727"), ("1.04", "1.03", "1.03", "1.02")),
}
PAY_PER_WTE = Decimal(52_000)


def outcome_for(weak: bool, outcome: str | None = None) -> str:
    return outcome or ("B" if weak else "A")


def financial_model(ccgs: list[Organisation], *, price_per_head: Decimal, weak: bool,
                    lines_known: set[str] | None = None, outcome: str | None = None) -> dict:
    outcome = outcome_for(weak, outcome)
    factors, cost_ratios = (tuple(Decimal(v) for v in row) for row in OUTCOME_SHAPES[outcome])
    model = {"years": list(YEARS), "income_by_customer": {}, "income_by_service_line": {},
             "expenditure": {}, "wte": {}}
    base_wte = base_pay = None
    for index, year in enumerate(YEARS):
        factor = factors[index]
        by_customer = {ccg.ods_code: _pounds(ccg.population * price_per_head * factor)
                       for ccg in ccgs}
        ccg_income = sum(by_customer.values(), Decimal(0))
        # The Board buys national and specialised commissioning support; "other" is small.
        by_customer["board"] = _pounds(max(ccg_income, Decimal(2_000_000)) * Decimal("0.06"))
        by_customer["other"] = _pounds(max(ccg_income, Decimal(2_000_000)) * Decimal("0.02"))
        total = sum(by_customer.values(), Decimal(0))
        known = SERVICE_LINE_SHARES.keys() if lines_known is None else lines_known
        lines: dict[str, Decimal] = {}
        for key, share in SERVICE_LINE_SHARES.items():
            line = key if key in known else "other"
            lines[line] = lines.get(line, Decimal(0)) + _pounds(total * share)
        first = next(iter(lines))
        lines[first] += total - sum(lines.values(), Decimal(0))
        cost = total * cost_ratios[index]
        pay = _pounds(cost * Decimal("0.66"))
        non_pay = _pounds(cost * Decimal("0.22"))
        if outcome != "A" and base_pay is not None:
            pay = base_pay  # the PCT cluster's pay bill, carried across
            non_pay = _pounds(cost) - pay - _pounds(cost * Decimal("0.12"))
        model["income_by_customer"][year] = {k: str(v) for k, v in by_customer.items()}
        model["income_by_service_line"][year] = {k: str(v) for k, v in lines.items()}
        model["expenditure"][year] = {"pay": str(pay), "non_pay": str(non_pay),
                                      "overheads": str(_pounds(cost) - pay - non_pay)}
        # About £52,000 of pay per whole-time equivalent, rising 1% a year.
        wte = (pay / (PAY_PER_WTE * Decimal("1.01") ** index)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
        base_wte, base_pay = base_wte or wte, base_pay or pay
        model["wte"][year] = str(wte if outcome == "A" else base_wte)
    # The PCT cluster's workforce the plan starts from: a B or C plan keeps it as it was.
    if outcome == "A":
        model["pct_baseline"] = {"wte": str((base_wte * Decimal("1.2")).quantize(
            Decimal("0.1"))), "pay": str(_pounds(base_pay * Decimal("1.15")))}
    else:
        model["pct_baseline"] = {"wte": str(base_wte), "pay": str(base_pay)}
    return model


NARRATIVE = {
    "leadership": "{name} is {leaders}. The managing director was appointed from the PCT "
                  "cluster; the directors lead the finance, business intelligence and "
                  "commissioning services teams.",
    "customers": "We serve {ccg_count} CCGs with a registered population of {population:,}. "
                 "Each CCG's leadership was consulted on the offer in the winter of 2011-12.",
    "services": "Business intelligence, contract management, clinical procurement, business "
                "support and communications, at local and shared scale.",
    "operating_model": "Hosted by the NHS Commissioning Board from April 2013; local account "
                       "teams for each CCG, shared specialist teams across the region.",
    "workforce": "Staff transfer from the PCT cluster from October 2012; a workforce plan "
                 "reduces headcount as shared services mature.",
    "risks": "CCGs bringing services in-house; the cost of transition; recruiting business "
             "intelligence analysts.",
}

SCORECARD = {
    "financial": "Break even by 2014/15; overheads under 13% of costs.",
    "customer": "CCG satisfaction of 75% or more in the annual survey.",
    "internal_processes": "Monthly contract reports to CCGs by working day 10.",
    "learning_and_growth": "Every analyst with an accredited qualification by 2015.",
}


def ensure_plan(organisation: Organisation, version: int, *, submitted: bool, weak: bool,
                price_per_head: Decimal, submitted_on: date | None = None,
                outcome: str | None = None) -> BusinessPlan:
    """outcome: the 2012 Checkpoint 2 result ("A", "B" or "C") the plan's figures match;
    None: "B" for a weak plan, "A" otherwise."""
    plan = db.session.scalar(select(BusinessPlan).where(
        BusinessPlan.organisation_id == organisation.id, BusinessPlan.version == version))
    if plan is not None:
        return plan
    ccgs = region_ccgs(organisation)
    population = sum(ccg.population for ccg in ccgs)
    plan = BusinessPlan(organisation=organisation, version=version, status=PlanStatus.DRAFT)
    for key, text in NARRATIVE.items():
        setattr(plan, key, text.format(name=organisation.name, ccg_count=len(ccgs),
                                       population=population,
                                       leaders=leaders.in_words(organisation.name)))
    plan.financial_model = financial_model(ccgs, price_per_head=price_per_head, weak=weak,
                                           lines_known=catalogue_lines(), outcome=outcome)
    plan_income.replace_for(plan)
    if version > 1:
        plan.balanced_scorecard = dict(SCORECARD)
    if submitted:
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = (datetime.combine(submitted_on, datetime.min.time(), tzinfo=UTC)
                             if submitted_on else clock.now())
    db.session.add(plan)
    return plan


INTENTIONS_TITLE = "Commissioning support we intend to buy, 2013/14 to 2016/17"


def ensure_intentions(organisation: Organisation, plan: BusinessPlan) -> None:
    """Each CCG the plan earns from states that it intends to buy each specification of the
    plan, with a budget a year of at least the plan's first-year income from it (the
    plan's income then falls with the allowance). For A plans: income built on what the
    customers said."""
    model = plan.financial_model or {}
    first = (model.get("years") or [None])[0]
    by_customer = (model.get("income_by_customer") or {}).get(first) or {}
    by_line = (model.get("income_by_service_line") or {}).get(first) or {}
    specs = {spec.code: spec for spec in db.session.scalars(select(ServiceSpecification).where(
        ServiceSpecification.code.in_(list(by_line))))}
    if not specs:
        return
    cells = apportion({c: Decimal(a) for c, a in by_customer.items()},
                      {s: Decimal(a) for s, a in by_line.items()})
    for ccg in region_ccgs(organisation):
        already = select(Statement.id).where(Statement.lead_ccg_id == ccg.id,
                                             Statement.title == INTENTIONS_TITLE)
        if db.session.scalar(already.limit(1)):
            continue
        statement = Statement(
            lead_ccg=ccg, title=INTENTIONS_TITLE, status=StatementStatus.READY,
            summary=f"What we intend to buy from {organisation.name} over its plan's years.",
            split_method=SplitMethod.POPULATION, wanted_from=date(2013, 4, 1),
            term_months=48)
        statement.parties.append(StatementParty(
            ccg=ccg, is_lead=True, status=PartyStatus.CONFIRMED,
            invited_at=INTENDED_AT, confirmed_at=INTENDED_AT))
        for code, spec in specs.items():
            amount = cells.get((ccg.ods_code, code))
            if amount:
                statement.lines.append(StatementLine(
                    ccg=ccg, specification=spec, mode=IntendedMode.BUY,
                    priority=Priority.HIGH, budget_annual=amount.quantize(
                        POUND, rounding=ROUND_CEILING), exclusions="", notes="",
                    local_service_levels=[], confirmed_at=INTENDED_AT))
        if statement.lines:
            db.session.add(statement)


def ensure_agreements(organisation: Organisation, *, leave_out_one: bool,
                      price_per_head: Decimal = Decimal("10")) -> None:
    """Draft SLAs of March 2012, signed, for the CCGs a plan takes income from, each with
    a line for every specification the plan earns from (none without the catalogue), at
    the CSS's end-to-end price a head (price_per_head without one), varied by CCG
    (marketplace/demo/supply.py)."""
    price = supply.published_home_price(organisation, price_per_head)
    ccgs = region_ccgs(organisation)
    if leave_out_one:
        ccgs = ccgs[:-1]  # that CCG's planned income has nothing behind it
    for ccg in ccgs:
        reference = f"SLA-2012-{ccg.ods_code}-{organisation.id}"
        already = select(Agreement.id).where(
            (Agreement.reference == reference)
            | ((Agreement.ccg_id == ccg.id) & (Agreement.provider_id == organisation.id))
        )
        if db.session.scalar(already.limit(1)):
            continue
        value = _pounds(ccg.population * supply.per_head(ccg.ods_code, price))
        specs = list(db.session.scalars(select(ServiceSpecification).where(
            ServiceSpecification.code.in_(list(SERVICE_LINE_SHARES)))
            .order_by(ServiceSpecification.code)))
        shares = sum((SERVICE_LINE_SHARES[spec.code] for spec in specs), Decimal(0))
        lines = [AgreementLine(specification=spec, annual_cost=_pounds(
            value * SERVICE_LINE_SHARES[spec.code] / shares)) for spec in specs]
        if lines:
            lines[0].annual_cost += value - sum((line.annual_cost for line in lines),
                                                Decimal(0))
        db.session.add(Agreement(
            reference=reference, ccg_id=ccg.id, provider_id=organisation.id,
            status=AgreementStatus.SIGNED, start_date=date(2013, 4, 1),
            end_date=date(2014, 9, 30), computed_annual_value=value, annual_value=value,
            signed_at=datetime(2012, 3, 30, 12, tzinfo=UTC), lines=lines,
        ))
