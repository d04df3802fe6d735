"""A plan's income as rows per customer, specification and year, and the market's sum."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.demo.specifications import seed_specifications
from marketplace.extensions import db
from marketplace.models import FrozenRecordError, PlanIncome, PlanStatus
from marketplace.services import plan_income

from .. import factories as build


def _by(rows, key):
    totals: dict = {}
    for row in rows:
        totals[key(row)] = totals.get(key(row), Decimal(0)) + row.amount
    return totals


def test_a_saved_plan_has_rows_that_add_up_to_its_model(app_context):
    seed_specifications()
    plan = build.plan()
    model = plan.financial_model
    rows = list(
        db.session.scalars(select(PlanIncome).where(PlanIncome.business_plan_id == plan.id))
    )
    for year in model["years"]:
        start = int(year[:4])
        for customer, amount in model["income_by_customer"][year].items():
            assert _by(rows, lambda r: (r.plan_year, r.customer_code))[
                (start, customer)
            ] == Decimal(amount)
        for line, amount in model["income_by_service_line"][year].items():
            assert _by(rows, lambda r: (r.plan_year, r.service_line))[(start, line)] == Decimal(
                amount
            )
    ccg_rows = [r for r in rows if r.customer_code not in ("board", "other")]
    assert ccg_rows and all(r.customer.ods_code == r.customer_code for r in ccg_rows)
    assert all(r.customer_id is None for r in rows if r.customer_code in ("board", "other"))
    # Every line names a specification.
    assert all(r.specification.code == r.service_line for r in rows)


def test_the_old_templates_lines_map_to_the_catalogue(app_context):
    seed_specifications()
    years = ["2013/14", "2014/15", "2015/16", "2016/17"]
    rows = plan_income.rows_from_model(
        {
            "years": years,
            "income_by_customer": {y: {"05A": "300.00"} for y in years},
            "income_by_service_line": {
                y: {"business_support": "200.00", "bi-dss": "100.00"} for y in years
            },
        }
    )
    first = {r.specification.code: r.amount for r in rows if r.plan_year == 2013}
    assert first == {
        "BUS-FIN": Decimal("66.67"),
        "BUS-HR": Decimal("66.67"),
        "BUS-IMT": Decimal("66.66"),
        "BI-DSS": Decimal("100.00"),
    }


def test_without_the_catalogue_the_demo_plans_income_is_other(app_context):
    plan = build.plan()
    assert plan.income_rows and all(r.specification_id is None for r in plan.income_rows)
    assert {r.service_line for r in plan.income_rows} == {"other"}


def test_planned_income_reads_the_latest_submitted_plan_of_each_css(app_context):
    seed_specifications()
    first = build.plan(version=1, submitted=True)
    second = build.plan(version=2, submitted=True)
    build.plan(version=3)  # a draft: not what the market is told
    gem = build.plan(build.GEM, submitted=True)
    rows = plan_income.planned_income()
    assert {r.plan.id for r in rows} == {second.id, gem.id}
    assert first.id not in {r.plan.id for r in rows}
    for plan in (second, gem):
        model = plan.financial_model
        for year in model["years"]:
            stated = sum(Decimal(a) for a in model["income_by_customer"][year].values())
            assert (
                sum(r.amount for r in rows if r.plan.id == plan.id and r.year == int(year[:4]))
                == stated
            )
    only = plan_income.planned_income(2014)
    assert only and {r.year for r in only} == {2014}
    assert {r.ccg.kind for r in rows if r.ccg is not None} == {"ccg"}


def test_rows_follow_a_saved_model_and_go_with_their_plan(app_context):
    plan = build.plan()
    leader = build.person("css@demo.test")
    assert plan.status == PlanStatus.DRAFT
    data = dict(plan.financial_model)
    years = data["years"]
    data["income_by_customer"] = {y: {"board": "100.00"} for y in years}
    data["income_by_service_line"] = {y: {"other": "100.00"} for y in years}
    from marketplace.services.business_plans import set_financial_model

    set_financial_model(leader, plan, data, source="test")
    db.session.refresh(plan)
    assert [
        (r.customer_code, r.service_line, r.plan_year, r.amount, r.specification_id)
        for r in plan.income_rows
    ] == [("board", "other", int(y[:4]), Decimal("100.00"), None) for y in years]
    db.session.delete(plan)
    db.session.commit()
    assert db.session.scalar(select(PlanIncome.id)) is None


def test_a_submitted_plans_income_rows_cannot_change(app_context):
    plan = build.plan(submitted=True)
    row = plan.income_rows[0]
    row.amount += 1
    with pytest.raises(FrozenRecordError, match="its income cannot change"):
        db.session.flush()
    db.session.rollback()
    plan.income_rows.append(
        PlanIncome(plan_year=2013, amount=Decimal("1"), customer_code="other", service_line="other")
    )
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()
