"""Whole-market sufficiency for the BDU: gathers plain rows for domain/sufficiency.py.

Four gathers, each one query or so: the CCGs (region, 2012 PCT cluster, population); their
reckoner headroom per year (services/affordability.py, the same figure the signing gate uses);
their stated intentions to buy (statement lines to buy, in statements not withdrawn, of CCGs
that have not declined); and every CSS's planned income by customer and specification from its
latest submitted business plan. Read-only: no transaction, no audit event.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.domain import sufficiency as rules
from marketplace.domain.money import ZERO, round_money, to_decimal
from marketplace.domain.reckoner import FINANCIAL_YEARS
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    IntendedMode,
    Organisation,
    OrganisationKind,
    PartyStatus,
    PlanStatus,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
)

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


def _latest_submitted_plans() -> list[BusinessPlan]:
    plans = db.session.scalars(
        select(BusinessPlan)
        .where(BusinessPlan.status == PlanStatus.SUBMITTED)
        .options(joinedload(BusinessPlan.organisation))
        .order_by(BusinessPlan.organisation_id, BusinessPlan.version.desc())
    )
    latest: dict[int, BusinessPlan] = {}
    for plan in plans:
        latest.setdefault(plan.organisation_id, plan)
    return list(latest.values())


def planned_income(ccgs: list[Organisation]) -> list[rules.PlannedIncome]:
    """Planned income by CSS, customer and year from the latest submitted plans' financial
    models (income by customer). Interim: the plans' service lines are not yet tied to
    catalogue specifications, so every row has specification None until plan income by
    specification (services/plan_income.py) is merged."""
    by_code = {ccg.ods_code: ccg.id for ccg in ccgs if ccg.ods_code}
    rows = []
    for plan in _latest_submitted_plans():
        model = plan.financial_model or {}
        for year, customers in (model.get("income_by_customer") or {}).items():
            for code, amount in (customers or {}).items():
                rows.append(
                    rules.PlannedIncome(
                        plan.organisation.name,
                        by_code.get(str(code)),
                        None,
                        str(year),
                        round_money(to_decimal(amount or ZERO)),
                    )
                )
    return rows


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
        income=planned_income(ccgs),
        intentions=intentions(),
        financial_years=years,
    )
