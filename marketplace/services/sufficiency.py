"""Whole-market sufficiency for the BDU: gathers plain rows for domain/sufficiency.py.

Four gathers, each one query or so: the CCGs (region, 2012 PCT cluster, population); their
reckoner headroom per year (services/affordability.py, the same figure the signing gate uses);
their stated intentions to buy (statement lines to buy, in statements not withdrawn, of CCGs
that have not declined); and every CSS's planned income by customer and specification from its
latest submitted business plan (the plan_income rows). Read-only: no transaction, no audit event.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.domain import sufficiency as rules
from marketplace.domain.reckoner import FINANCIAL_YEARS
from marketplace.extensions import db
from marketplace.models import (
    IntendedMode,
    Organisation,
    OrganisationKind,
    PartyStatus,
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


def intentions() -> list[rules.Intention]:
    rows = db.session.execute(
        select(StatementLine.ccg_id, StatementLine.specification_id, StatementLine.budget_annual)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .join(
            StatementParty,
            (StatementParty.statement_id == Statement.id)
            & (StatementParty.ccg_id == StatementLine.ccg_id),
        )
        .where(
            StatementLine.mode == IntendedMode.BUY,
            Statement.status != StatementStatus.WITHDRAWN,
            StatementParty.status != PartyStatus.DECLINED,
            StatementLine.budget_annual.is_not(None),
        )
    )
    return [rules.Intention(ccg_id, spec_id, budget) for ccg_id, spec_id, budget in rows]


def _financial_year(plan_year: int) -> str:
    return f"{plan_year}/{(plan_year + 1) % 100:02d}"


def planned_income() -> list[rules.PlannedIncome]:
    """Every CSS's planned income by customer, specification and year, from the income rows
    of its latest submitted plan (services/plan_income.py keeps them in step with the plan)."""
    return [
        rules.PlannedIncome(
            row.plan.organisation.name,
            row.ccg.id if row.ccg is not None else None,
            row.specification.id if row.specification is not None else None,
            _financial_year(row.year),
            row.amount,
        )
        for row in plan_income.planned_income()
    ]


def sufficiency(years: tuple[str, ...] = FINANCIAL_YEARS) -> rules.Sufficiency:
    ccgs = _ccgs()
    headroom = headroom_by_ccg(ccgs)
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
        income=planned_income(),
        intentions=intentions(),
        financial_years=years,
    )
