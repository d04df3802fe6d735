"""Demo business plans with realistic figures, and the agreements behind their income.

Each CSS serves a share of its region's CCGs at £9–£11 a head, growing a little each year,
in deficit in the first year and breaking even in the second. Plans marked ``weak`` repeat
the Checkpoint 2 weaknesses: income flat across the years, a workforce copied year to year,
and income from a CCG with no agreement behind it.
"""

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from sqlalchemy import select

from marketplace import clock
from marketplace.data import read_csv
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    BusinessPlan,
    Organisation,
    OrganisationKind,
    PlanStatus,
)

from . import leaders
from .organisations import css_display_name

YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")
POUND = Decimal("1")
SERVICE_LINE_SHARES = {
    "business_intelligence": Decimal("0.30"),
    "contract_management": Decimal("0.25"),
    "procurement": Decimal("0.15"),
    "business_support": Decimal("0.20"),
    "communications": Decimal("0.10"),
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


def financial_model(ccgs: list[Organisation], *, price_per_head: Decimal, weak: bool) -> dict:
    growth = Decimal("1") if weak else Decimal("1.03")
    model = {"years": list(YEARS), "income_by_customer": {}, "income_by_service_line": {},
             "expenditure": {}, "wte": {}}
    base_wte = None
    for index, year in enumerate(YEARS):
        factor = growth ** index
        by_customer = {ccg.ods_code: _pounds(ccg.population * price_per_head * factor)
                       for ccg in ccgs}
        ccg_income = sum(by_customer.values(), Decimal(0))
        # The Board buys national and specialised commissioning support; "other" is small.
        by_customer["board"] = _pounds(max(ccg_income, Decimal(2_000_000)) * Decimal("0.06"))
        by_customer["other"] = _pounds(max(ccg_income, Decimal(2_000_000)) * Decimal("0.02"))
        total = sum(by_customer.values(), Decimal(0))
        lines = {key: _pounds(total * share) for key, share in SERVICE_LINE_SHARES.items()}
        lines["business_intelligence"] += total - sum(lines.values(), Decimal(0))
        cost_ratio = (Decimal("1.02"), Decimal("0.99"), Decimal("0.97"), Decimal("0.96"))[index]
        cost = total * cost_ratio
        pay = _pounds(cost * Decimal("0.66"))
        non_pay = _pounds(cost * Decimal("0.22"))
        model["income_by_customer"][year] = {k: str(v) for k, v in by_customer.items()}
        model["income_by_service_line"][year] = {k: str(v) for k, v in lines.items()}
        model["expenditure"][year] = {"pay": str(pay), "non_pay": str(non_pay),
                                      "overheads": str(_pounds(cost) - pay - non_pay)}
        # About £52,000 of pay per whole-time equivalent, falling as the service gets leaner.
        wte = (pay / Decimal(52_000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        base_wte = base_wte or wte
        model["wte"][year] = str(base_wte if weak else
                                 (wte * (Decimal("1") - Decimal("0.03") * index)).quantize(
                                     Decimal("0.1"), rounding=ROUND_HALF_UP))
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
                price_per_head: Decimal, submitted_on: date | None = None) -> BusinessPlan:
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
    plan.financial_model = financial_model(ccgs, price_per_head=price_per_head, weak=weak)
    if version > 1:
        plan.balanced_scorecard = dict(SCORECARD)
    if submitted:
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = (datetime.combine(submitted_on, datetime.min.time(), tzinfo=UTC)
                             if submitted_on else clock.now())
    db.session.add(plan)
    return plan


def ensure_agreements(organisation: Organisation, *, leave_out_one: bool) -> None:
    """Draft SLAs of March 2012, signed, for the CCGs a plan takes income from."""
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
        value = _pounds(ccg.population * Decimal("10"))
        db.session.add(Agreement(
            reference=reference, ccg_id=ccg.id, provider_id=organisation.id,
            status=AgreementStatus.SIGNED, start_date=date(2013, 4, 1),
            end_date=date(2014, 9, 30), computed_annual_value=value, annual_value=value,
            signed_at=datetime(2012, 3, 30, 12, tzinfo=UTC),
        ))
