"""Whole-market sufficiency for the BDU: gathers plain rows for domain/sufficiency.py.

Four gathers, each one or two queries of plain rows: the CCGs (region, 2012 PCT cluster,
population); their reckoner headroom per year (services/affordability.py, the same figure the
signing gate uses); their stated intentions to buy (statement lines to buy, in statements not
withdrawn, of CCGs that have not declined), added up per CCG and per specification; and every
CSS's planned income by customer and specification from its latest submitted business plan
(the plan_income rows). Read-only: no transaction, no audit event.
"""

from functools import cache

from sqlalchemy import bindparam, distinct, func, literal, select, union_all

from marketplace.domain import sufficiency as rules
from marketplace.domain.money import ZERO
from marketplace.domain.reckoner import FINANCIAL_YEARS
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    IntendedMode,
    Organisation,
    OrganisationKind,
    PartyStatus,
    PlanIncome,
    Region,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
)

from . import plan_income
from .affordability import headroom_by_ccg
from .statements import current_specification_names

# The statements below are built once per process (their shape only: every value is bound
# when they run, nothing they read is kept); building them cost more than running some.


@cache
def _ccgs_statement():
    return (
        select(Organisation.id, Organisation.name, Region.name.label("region"),
               Organisation.pct_cluster, Organisation.population, Organisation.ods_code)
        .outerjoin(Region, Organisation.region_id == Region.id)
        .where(Organisation.kind == OrganisationKind.CCG)
        .order_by(Organisation.name)
    )


def _ccgs():
    """Every CCG as a plain row: id, name, region, PCT cluster, population and ODS code (what
    the sufficiency and the headroom read of it, without loading each organisation)."""
    return db.session.execute(_ccgs_statement()).all()


def _intention_lines():
    """Statement lines to buy, in statements not withdrawn, of CCGs that have not declined:
    a subquery of their CCG, specification and annual budget."""
    # The lines are joined to their statement and CCG in a subquery of their own (OFFSET 0
    # keeps PostgreSQL from merging it), then to the parties: PostgreSQL takes the join on
    # both statement and CCG for nearly empty and, planned first, would look each line's
    # statement and CCG up one line at a time.
    lines = (
        select(StatementLine.statement_id, StatementLine.ccg_id,
               StatementLine.specification_id, StatementLine.budget_annual)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .join(Organisation, StatementLine.ccg_id == Organisation.id)
        .where(
            StatementLine.mode == IntendedMode.BUY,
            Statement.status != StatementStatus.WITHDRAWN,
            StatementLine.budget_annual.is_not(None),
            Organisation.kind == OrganisationKind.CCG,
        )
        .offset(0)
        .subquery("lines")
    )
    return (
        select(lines.c.ccg_id, lines.c.specification_id, lines.c.budget_annual)
        .join(
            StatementParty,
            (StatementParty.statement_id == lines.c.statement_id)
            & (StatementParty.ccg_id == lines.c.ccg_id),
        )
        .where(StatementParty.status != PartyStatus.DECLINED)
    )


def intentions() -> list[rules.Intention]:
    """Every stated intention to buy, one row per statement line."""
    return [rules.Intention(ccg_id, spec_id, budget)
            for ccg_id, spec_id, budget in db.session.execute(_intention_lines())]


BY_CCG, BY_SPECIFICATION = "ccg", "specification"


@cache
def _intention_totals_statement():
    lines = _intention_lines().cte("intended")
    return union_all(
        select(literal(BY_CCG), lines.c.ccg_id, func.sum(lines.c.budget_annual), literal(0))
        .group_by(lines.c.ccg_id),
        select(literal(BY_SPECIFICATION), lines.c.specification_id,
               func.sum(lines.c.budget_annual), func.count(distinct(lines.c.ccg_id)))
        .group_by(lines.c.specification_id),
    )


def intention_totals() -> rules.IntentionTotals:
    """The same intentions added up in SQL (rules.intention_totals of ``intentions()``): per
    CCG, and per specification with the number of CCGs intending to buy it; one query of a
    few hundred rows instead of every statement line."""
    rows = db.session.execute(_intention_totals_statement()).all()
    return rules.IntentionTotals(
        by_ccg={key: total for kind, key, total, _count in rows if kind == BY_CCG},
        by_specification={key: total for kind, key, total, _count in rows
                          if kind == BY_SPECIFICATION},
        ccgs_by_specification={key: count for kind, key, _total, count in rows
                               if kind == BY_SPECIFICATION},
    )


@cache  # read for each of a thousand income rows, from a handful of years
def _financial_year(plan_year: int) -> str:
    return f"{plan_year}/{(plan_year + 1) % 100:02d}"


def planned_income(years: tuple[str, ...] | None = None) -> list[rules.PlannedIncome]:
    """Every CSS's planned income by customer, specification and year, from the income rows
    of its latest submitted plan (services/plan_income.py keeps them in step with the plan),
    as plain rows with the CSS's name: one query. years: only those financial years."""
    # Run on the session's connection: the rows are plain values, and a session result would
    # pass each of the thousand or more through the ORM's row loading for nothing. A read:
    # nothing is pending that the session's autoflush would have to write first.
    connection = db.session.connection()
    if years is None:
        rows = connection.execute(_planned_income_statement(False))
    else:
        rows = connection.execute(_planned_income_statement(True),
                                  {"plan_years": [int(year[:4]) for year in years]})
    return [
        rules.PlannedIncome(
            provider, customer_id, spec_id, _financial_year(plan_year), amount or ZERO
        )
        for provider, _plan_id, customer_id, spec_id, plan_year, amount in rows
    ]


@cache
def _planned_income_statement(some_years: bool):
    query = (
        plan_income.latest_income_sums(Organisation.name)
        .join(BusinessPlan, PlanIncome.business_plan_id == BusinessPlan.id)
        .join(Organisation, BusinessPlan.organisation_id == Organisation.id)
    )
    if some_years:
        query = query.where(PlanIncome.plan_year.in_(bindparam("plan_years", expanding=True)))
    return query


def sufficiency(years: tuple[str, ...] = FINANCIAL_YEARS) -> rules.Sufficiency:
    ccgs = _ccgs()
    headroom = headroom_by_ccg(ccgs, years, every_ccg=True)
    specs = current_specification_names()
    return rules.assess(
        ccgs=[
            rules.Ccg(
                ccg.id,
                ccg.name,
                ccg.region,
                ccg.pct_cluster,
                ccg.population or 0,
                ccg.ods_code or "",
            )
            for ccg in ccgs
        ],
        specifications=[rules.Specification(spec.id, spec.name) for spec in specs],
        headroom={ccg_id: found.by_year for ccg_id, found in headroom.items()},
        income=planned_income(years),
        intentions=intention_totals(),
        financial_years=years,
    )
