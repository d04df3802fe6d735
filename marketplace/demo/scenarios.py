"""Demo ready-reckoner scenarios: a 2013/14 plan for the demo CCGs with a login of their
own (ccg@demo.test, NHS Coventry and Rugby CCG; ccg3@demo.test, NHS Ealing CCG), and the
HSJ worked example for the first.

Each plan spends in the ranges of domain.md ("The ready reckoner"): at the 2013/14
allowance of £25 a head the CCG buys from its home CSS at what its agreement from April
2013 costs it a head (marketplace/demo/supply.py: about the CSS's end-to-end price, £8-£12;
Coventry and Rugby about £10.90 from Arden, Ealing £8 from North West London) and shares
communications and continuing healthcare with two neighbouring CCGs of its PCT cluster; the
worked example's corporate costs and its own team take 44%-48% of the allowance
(under the reckoner's 50% guide), and what it does itself (health needs assessment, service
redesign, quality improvement) is sized so that what is left unspent is small: 30p to 70p a head,
enough for 2014/15's 27p cut, not for 2015/16's £2.93.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationKind, Scenario, User
from marketplace.services import scenarios as service

from . import supply
from .business_plans import _home_codes

DEMO_CCG_USER = "ccg@demo.test"
PLANNING_USERS = (DEMO_CCG_USER, "ccg3@demo.test")
FINANCIAL_YEAR = "2013/14"
ALLOWANCE = Decimal("25.00")  # a head, 2013/14, when the database holds none
PENNY, POUND = Decimal("0.01"), Decimal("1")

# What the CCG buys from its home CSS: each service's share of its spend there, and how it
# is priced (a price a head, days at a day rate, or a sum a year).
BUY_SHARES = (
    ("Business intelligence", "per_head", Decimal("0.20")),
    ("Risk stratification", "per_head", Decimal("0.06")),
    ("Contract monitoring", "per_head", Decimal("0.22")),
    ("Finance", "per_head", Decimal("0.12")),
    ("Medicines management", "per_head", Decimal("0.10")),
    ("Quality assurance", "per_head", Decimal("0.08")),
    ("Procurement and market management", "day_rate", Decimal("0.08")),
    ("HR and payroll", "amount", Decimal("0.06")),
    ("Corporate governance and board secretariat", "amount", Decimal("0.08")),
)
DAY_RATE = Decimal("650")
# Shared with two neighbouring CCGs of the PCT cluster: a year's total a head of all three.
SHARED = (
    ("Communications and engagement", "population", Decimal("0.46")),
    ("Continuing healthcare", "equal", Decimal("0.96")),
)
# The CCG's own team beyond its head of commissioning (fixed and in-house costs
# together take 44%-48% of the allowance, under the reckoner's 50% guide): each role's share
# of the pay bill and pay per WTE.
HEAD_OF_COMMISSIONING = Decimal("85000")
TEAM = (
    ("Commissioning managers", Decimal("0.35"), Decimal("52000")),
    ("Finance and contracting", Decimal("0.20"), Decimal("46000")),
    ("Quality and patient safety", Decimal("0.15"), Decimal("48000")),
    ("Governance, engagement and administration", Decimal("0.30"), Decimal("30000")),
)
NON_PAY_A_HEAD = Decimal("0.20")  # premises, IT and training
# What the CCG does itself beyond health needs assessment takes the rest but 30p-70p a
# head: each service's share, pay per WTE and non-pay per WTE.
DONE_IN_HOUSE = (
    ("Service redesign", Decimal("0.60"), Decimal("52000"), Decimal("2000")),
    ("Quality improvement", Decimal("0.40"), Decimal("48000"), Decimal("1500")),
)
HEALTH_NEEDS = ("Health needs assessment", Decimal("1.2"), Decimal("47500"), Decimal("3000"))


def _pounds(value: Decimal) -> Decimal:
    return value.quantize(POUND, rounding=ROUND_HALF_UP)


def _do_lines(amount: Decimal) -> tuple[service.LineInput, ...]:
    """Health needs assessment, and the services the rest of amount pays for."""
    name, wte, pay, non_pay = HEALTH_NEEDS
    lines = [service.LineInput(name, "do", wte=wte, cost_per_wte=pay, non_pay=non_pay)]
    rest = max(amount - (wte * pay + non_pay), Decimal(0))
    for name, share, pay, non_pay_each in DONE_IN_HOUSE:
        wte = (rest * share / (pay + non_pay_each)).quantize(Decimal("0.1"))
        lines.append(service.LineInput(name, "do", wte=wte, cost_per_wte=pay,
                                       non_pay=_pounds(wte * non_pay_each)))
    return tuple(lines)


def _buy_lines(population: int, per_head: Decimal) -> tuple[service.LineInput, ...]:
    spend = population * per_head
    lines = []
    for name, how, share in BUY_SHARES:
        if how == "per_head":
            lines.append(service.LineInput(name, "buy", pricing_model="per_head",
                                           price=(per_head * share).quantize(PENNY)))
        elif how == "day_rate":
            lines.append(service.LineInput(name, "buy", pricing_model="day_rate", price=DAY_RATE,
                                           estimated_quantity=_pounds(spend * share / DAY_RATE)))
        else:
            lines.append(service.LineInput(name, "buy", manual_amount=_pounds(spend * share)))
    return tuple(lines)


def _partners(ccg: Organisation) -> list[Organisation]:
    """The next two CCGs of its PCT cluster, by ODS code (none without a cluster)."""
    if not ccg.pct_cluster:
        return []
    cluster = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CCG,
                                   Organisation.pct_cluster == ccg.pct_cluster,
                                   Organisation.id != ccg.id)
        .order_by(Organisation.ods_code)))
    return cluster[:2]


def _shared_lines(ccg: Organisation, partners: list[Organisation]
                  ) -> tuple[service.LineInput, ...]:
    if len(partners) < 2:
        return ()
    together = ccg.population + sum(partner.population for partner in partners)
    return tuple(
        service.LineInput(name, "share", shared_total=_pounds(together * a_head / 10_000) * 10_000,
                          split_method=split,
                          partner_ods_codes=tuple(partner.ods_code for partner in partners))
        for name, split, a_head in SHARED
    )


def _line_cost(line: service.LineInput, ccg: Organisation,
               partners: list[Organisation]) -> Decimal:
    """About what the line costs the CCG a year (the service rounds each to the penny)."""
    if line.mode == "do":
        return line.wte * line.cost_per_wte + line.non_pay
    if line.mode == "share":
        if line.split_method == "equal":
            return line.shared_total / (len(partners) + 1)
        together = ccg.population + sum(partner.population for partner in partners)
        return line.shared_total * ccg.population / together
    if line.manual_amount is not None:
        return line.manual_amount
    if line.pricing_model == "day_rate":
        return line.price * line.estimated_quantity
    return line.price * ccg.population


def home_css(ccg: Organisation) -> Organisation | None:
    """The CCG's home CSS of 2012 (ccg_clusters_2012.csv)."""
    name = next((name for name, codes in _home_codes().items() if ccg.ods_code in codes), None)
    return name and db.session.scalar(select(Organisation).where(Organisation.name == name))


def home_per_head(ccg: Organisation, home: Organisation | None) -> Decimal:
    """What the CCG pays its home CSS a head a year: the figure its agreement is drawn at."""
    price = (supply.published_home_price(home, supply.FALLBACK_PER_HEAD) if home
             else supply.FALLBACK_PER_HEAD)
    return supply.per_head(ccg.ods_code, price)


def plan(ccg: Organisation) -> service.ScenarioInput:
    """The CCG's 2013/14 plan: its own team takes 44%-48% of the allowance with the
    fixed costs, what it does itself leaves 30p-70p a head unspent."""
    population = ccg.population
    home = home_css(ccg)
    partners = _partners(ccg)
    rng = random.Random(f"scenario-{ccg.ods_code}")
    overheads, unspent = Decimal(rng.randint(44, 48)) / 100, Decimal(rng.randint(30, 70)) / 100
    allowance = population * service.allowances().get(FINANCIAL_YEAR, ALLOWANCE)
    fixed = service.default_fixed_costs()
    non_pay = _pounds(population * NON_PAY_A_HEAD / 1000) * 1000
    team = (allowance * overheads - sum((cost.amount for cost in fixed), Decimal(0))
            - non_pay - HEAD_OF_COMMISSIONING)
    in_house = (service.InHouseInput("Head of commissioning", Decimal("1"),
                                     HEAD_OF_COMMISSIONING),) + tuple(
        service.InHouseInput(role, (team * share / pay).quantize(Decimal("0.1")), pay)
        for role, share, pay in TEAM)
    bought = _buy_lines(population, home_per_head(ccg, home)) + _shared_lines(ccg, partners)
    left = allowance * (1 - overheads)
    done = _do_lines(left - sum((_line_cost(line, ccg, partners) for line in bought),
                                Decimal(0)) - population * unspent)
    seller = home.name.removesuffix(" CSS") if home else "its CSS"
    return service.ScenarioInput(
        name=f"{FINANCIAL_YEAR} plan: mostly bought from {seller}",
        population=population,
        financial_year=FINANCIAL_YEAR,
        fixed_costs=fixed,
        in_house=in_house,
        in_house_non_pay=non_pay,
        lines=done + bought,
    )


def _worked_example() -> service.ScenarioInput:
    return service.ScenarioInput(
        name="Worked example: 175,000 people at the 2011 £20",
        population=175_000,
        financial_year=FINANCIAL_YEAR,
        allowance_per_head_override=Decimal("20.00"),
        fixed_costs=(
            service.FixedCostInput("Corporate base", Decimal("1500000")),
            service.FixedCostInput("Nurse and secondary care doctor", Decimal("111000")),
        ),
    )


def seed_scenarios(scale: int = 1) -> None:
    for email in PLANNING_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or user.organisation.population is None:
            continue
        wanted = [plan(user.organisation)]
        if email == DEMO_CCG_USER:
            wanted.append(_worked_example())
        for data in wanted:
            exists = db.session.scalar(
                select(Scenario.id).where(
                    Scenario.organisation_id == user.organisation_id, Scenario.name == data.name
                )
            )
            if exists is None:
                service.create_scenario(user, data)
