"""A plan's income as rows (plan, customer, specification, year, amount).

The rows are written from the financial model every time it is saved (``replace_for``), so
what a plan says and what the market view adds up never differ. ``planned_income`` reads
the latest submitted plan of each CSS: what the market is actually told.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Numeric, func, select, type_coerce
from sqlalchemy.orm import aliased

from marketplace.domain.business_plan import NON_CCG_CUSTOMERS
from marketplace.domain.money import ZERO, to_decimal
from marketplace.domain.plan_income import (
    LEGACY_SERVICE_LINES,
    apportion,
    plan_year,
    split_equally,
)
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    Organisation,
    OrganisationKind,
    PlanIncome,
    PlanStatus,
    ServiceSpecification,
)


@dataclass(frozen=True)
class PlannedIncome:
    plan: BusinessPlan
    ccg: Organisation | None  # None: the Board, other customers, or a code not matched
    specification: ServiceSpecification | None  # None: a line that is no specification
    year: int  # 2013 for 2013/14
    amount: Decimal


def specification_index() -> dict[str, ServiceSpecification]:
    """Every specification by its code and by its name, both upper case."""
    index: dict[str, ServiceSpecification] = {}
    for spec in db.session.scalars(select(ServiceSpecification)):
        index[spec.name.strip().upper()] = spec
    for spec in db.session.scalars(select(ServiceSpecification)):
        index[spec.code.upper()] = spec  # a code wins over a name spelt the same
    return index


def specifications_for_line(
    line: str, index: Mapping[str, ServiceSpecification]
) -> list[ServiceSpecification | None]:
    """The specifications a service line stands for; [None] when it names none."""
    found = index.get(str(line).strip().upper())
    if found is not None:
        return [found]
    legacy = LEGACY_SERVICE_LINES.get(str(line))
    if legacy and all(code in index for code in legacy):
        return [index[code] for code in legacy]
    return [None]


def rows_from_model(data: Mapping | None) -> list[PlanIncome]:
    """New (unsaved) rows for a financial model's JSON; none for a plan without one."""
    if not data:
        return []
    by_customer_table = data.get("income_by_customer") or {}
    by_line_table = data.get("income_by_service_line") or {}
    ccg_codes = {str(c) for y in data.get("years") or () for c in by_customer_table.get(y, {})}
    ccgs = {
        ccg.ods_code: ccg
        for ccg in db.session.scalars(
            select(Organisation).where(
                Organisation.kind == OrganisationKind.CCG,
                Organisation.ods_code.in_(ccg_codes - NON_CCG_CUSTOMERS),
            )
        )
    }
    index = specification_index()
    rows = []
    for year in data.get("years") or ():
        by_customer = {str(c): to_decimal(a) for c, a in by_customer_table.get(year, {}).items()}
        lines: dict[tuple[str, int], tuple[str, ServiceSpecification | None, Decimal]] = {}
        for line, amount in by_line_table.get(year, {}).items():
            specs = specifications_for_line(line, index)
            for part, (spec, share) in enumerate(
                zip(specs, split_equally(to_decimal(amount), len(specs)), strict=True)
            ):
                lines[(str(line), part)] = (str(line), spec, share)
        try:
            cells = apportion(by_customer, {key: share for key, (_l, _s, share) in lines.items()})
        except ValueError:
            # Totals that disagree (never saved by this product, but possible in older
            # data): keep each customer's income, with no specification.
            lines = {("", 0): ("", None, ZERO)}
            cells = {(c, ("", 0)): a for c, a in by_customer.items() if a}
        for (customer, key), amount in cells.items():
            line, spec, _share = lines[key]
            rows.append(
                PlanIncome(
                    customer=ccgs.get(customer),
                    specification=spec,
                    plan_year=plan_year(year),
                    amount=amount,
                    customer_code=customer,
                    service_line=line,
                )
            )
    return rows


def replace_for(plan: BusinessPlan) -> None:
    """Write the plan's income rows afresh from its financial model (in the caller's
    transaction)."""
    plan.income_rows = rows_from_model(plan.financial_model)


def latest_submitted_plan_ids():
    """A subquery: the id of each CSS's latest submitted plan."""
    newer = aliased(BusinessPlan)
    return select(BusinessPlan.id).where(
        BusinessPlan.status == PlanStatus.SUBMITTED,
        ~select(newer.id)
        .where(
            newer.organisation_id == BusinessPlan.organisation_id,
            newer.status == PlanStatus.SUBMITTED,
            newer.version > BusinessPlan.version,
        )
        .exists(),
    )


def latest_income_sums(*columns):
    """SQL: the latest submitted plans' income summed per plan, customer, specification and
    plan year (a plan's service lines may share a specification), ``columns`` first, then
    plan id, customer id, specification id, plan year and amount; in plan, year, customer
    and specification order. ``columns`` may be read through a join to BusinessPlan."""
    grouped = (PlanIncome.business_plan_id, PlanIncome.customer_id,
               PlanIncome.specification_id, PlanIncome.plan_year)
    # Summed as plain NUMERIC(14, 2): a sum of whole pennies is whole pennies, so the Money
    # column's own check of each of a thousand sums is not needed.
    amount = type_coerce(PlanIncome.amount, Numeric(14, 2, asdecimal=True))
    return (
        select(*columns, *grouped, func.sum(amount))
        .where(PlanIncome.business_plan_id.in_(latest_submitted_plan_ids()))
        .group_by(*grouped, *columns)
        .order_by(PlanIncome.business_plan_id, PlanIncome.plan_year,
                  PlanIncome.customer_id, PlanIncome.specification_id)
    )


def planned_income(year: int | None = None) -> list[PlannedIncome]:
    """Planned income of the latest submitted plan of every CSS, summed per plan, customer,
    specification and year (the rows of one plan's service lines may share a
    specification). year: 2013 for 2013/14; None for every year. Board and other
    customers' income is included with ccg None, so totals match the plans."""
    query = latest_income_sums()
    if year is not None:
        query = query.where(PlanIncome.plan_year == year)
    found = db.session.execute(query).all()
    plans = {
        p.id: p
        for p in db.session.scalars(
            select(BusinessPlan).where(BusinessPlan.id.in_({r[0] for r in found}))
        )
    }
    orgs = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_({r[1] for r in found if r[1]}))
        )
    }
    specs = {
        s.id: s
        for s in db.session.scalars(
            select(ServiceSpecification).where(
                ServiceSpecification.id.in_({r[2] for r in found if r[2]})
            )
        )
    }
    return [
        PlannedIncome(
            plans[plan_id],
            orgs.get(customer_id),
            specs.get(spec_id),
            plan_year_,
            Decimal(str(amount or ZERO)).quantize(Decimal("0.01")),
        )
        for plan_id, customer_id, spec_id, plan_year_, amount in found
    ]
