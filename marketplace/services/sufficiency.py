"""Whole-market sufficiency for the BDU: gathers plain rows for domain/sufficiency.py.

Four gathers, each one or two queries of plain rows: the CCGs (region, 2012 PCT cluster,
population); their reckoner headroom per year (services/affordability.py, the same figure the
signing gate uses); their stated intentions to buy (statement lines to buy, in statements not
withdrawn, of CCGs that have not declined), added up per CCG and per specification; and every
CSS's planned income by customer and specification from its latest submitted business plan
(the plan_income rows). Read-only: no transaction, no audit event.
"""

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import joinedload

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
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
)

from . import plan_income
from .affordability import headroom_by_ccg
from .statements import current_specifications


def _ccgs() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CCG)
            .options(joinedload(Organisation.region))
            .order_by(Organisation.name)
        )
    )


def _intention_lines(*columns):
    """Statement lines to buy, in statements not withdrawn, of CCGs that have not declined."""
    return (
        select(*columns)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .join(
            StatementParty,
            (StatementParty.statement_id == Statement.id)
            & (StatementParty.ccg_id == StatementLine.ccg_id),
        )
        .join(Organisation, StatementLine.ccg_id == Organisation.id)
        .where(
            StatementLine.mode == IntendedMode.BUY,
            Statement.status != StatementStatus.WITHDRAWN,
            StatementParty.status != PartyStatus.DECLINED,
            StatementLine.budget_annual.is_not(None),
            Organisation.kind == OrganisationKind.CCG,
        )
    )


def intentions() -> list[rules.Intention]:
    """Every stated intention to buy, one row per statement line."""
    rows = db.session.execute(
        _intention_lines(
            StatementLine.ccg_id, StatementLine.specification_id, StatementLine.budget_annual
        )
    )
    return [rules.Intention(ccg_id, spec_id, budget) for ccg_id, spec_id, budget in rows]


def intention_totals() -> rules.IntentionTotals:
    """The same intentions added up in SQL (rules.intention_totals of ``intentions()``): per
    CCG, and per specification with the number of CCGs intending to buy it; two small
    queries instead of every statement line."""
    by_ccg = db.session.execute(
        _intention_lines(StatementLine.ccg_id, func.sum(StatementLine.budget_annual))
        .group_by(StatementLine.ccg_id)
    )
    by_spec = db.session.execute(
        _intention_lines(
            StatementLine.specification_id,
            func.sum(StatementLine.budget_annual),
            func.count(distinct(StatementLine.ccg_id)),
        ).group_by(StatementLine.specification_id)
    ).all()
    return rules.IntentionTotals(
        by_ccg={ccg_id: total for ccg_id, total in by_ccg},
        by_specification={spec_id: total for spec_id, total, _count in by_spec},
        ccgs_by_specification={spec_id: count for spec_id, _total, count in by_spec},
    )


def _financial_year(plan_year: int) -> str:
    return f"{plan_year}/{(plan_year + 1) % 100:02d}"


def planned_income(years: tuple[str, ...] | None = None) -> list[rules.PlannedIncome]:
    """Every CSS's planned income by customer, specification and year, from the income rows
    of its latest submitted plan (services/plan_income.py keeps them in step with the plan),
    as plain rows with the CSS's name: one query. years: only those financial years."""
    query = (
        plan_income.latest_income_sums(Organisation.name)
        .join(BusinessPlan, PlanIncome.business_plan_id == BusinessPlan.id)
        .join(Organisation, BusinessPlan.organisation_id == Organisation.id)
    )
    if years is not None:
        query = query.where(PlanIncome.plan_year.in_([int(year[:4]) for year in years]))
    return [
        rules.PlannedIncome(
            provider, customer_id, spec_id, _financial_year(plan_year), amount or ZERO
        )
        for provider, _plan_id, customer_id, spec_id, plan_year, amount
        in db.session.execute(query)
    ]


def sufficiency(years: tuple[str, ...] = FINANCIAL_YEARS) -> rules.Sufficiency:
    ccgs = _ccgs()
    headroom = headroom_by_ccg(ccgs, years)
    specs = current_specifications()
    return rules.assess(
        ccgs=[
            rules.Ccg(
                ccg.id,
                ccg.name,
                ccg.region.name if ccg.region else None,
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
