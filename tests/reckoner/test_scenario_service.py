"""The scenario service: one transaction per change, refusals before anything is written."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.demo import seed_demo
from marketplace.extensions import db
from marketplace.models import AuditEvent, Scenario
from marketplace.services import scenarios as service
from marketplace.services.errors import Conflict, PermissionDenied, ServiceError

from ..conftest import user
from ..factories import make_scenario, mixed_lines, scenario_counts, scenario_input


def test_the_worked_example_to_the_penny(app_context):
    scenario = make_scenario(
        population=175_000,
        allowance_per_head_override=Decimal("20"),
        fixed_costs=(service.FixedCostInput("Corporate base", Decimal("1500000")),
                     service.FixedCostInput("Nurse and doctor", Decimal("111000"))),
    )
    headline = service.outcome(scenario).headline.reckoner
    assert headline.running_cost_allowance == Decimal("3500000.00")
    assert headline.commissioning_support_budget == Decimal("1889000.00")
    assert headline.commissioning_support_per_head == Decimal("10.79")


def test_three_years_use_each_years_allowance(app_context):
    years = service.outcome(make_scenario()).years
    assert [(y.financial_year, y.reckoner.running_cost_allowance) for y in years] == [
        ("2013/14", Decimal("11614900.00")),
        ("2014/15", Decimal("11489459.08")),
        ("2015/16", Decimal("10253633.72")),
    ]


def test_money_comes_back_as_decimal(app_context):
    scenario = make_scenario(lines=mixed_lines())
    db.session.expire_all()
    saved = db.session.get(Scenario, scenario.id)
    assert isinstance(saved.fixed_costs[0].amount, Decimal)
    assert saved.lines[0].wte == Decimal("1.50")
    assert saved.lines[1].price == Decimal("0.85")


@pytest.mark.parametrize("email", ["bdu@demo.test", "css@demo.test", "admin@demo.test"])
def test_only_ccg_users_create_scenarios(app_context, email):
    with pytest.raises(PermissionDenied):
        service.create_scenario(user(email), scenario_input())


def test_one_ccg_cannot_change_anothers_scenario(app_context):
    scenario = make_scenario()
    other = user("ccg2@demo.test")
    before = scenario_counts()
    for change in (lambda: service.update_scenario(other, scenario, scenario_input()),
                   lambda: service.copy_scenario(other, scenario),
                   lambda: service.delete_scenario(other, scenario),
                   lambda: service.finalise_scenario(other, scenario)):
        with pytest.raises(PermissionDenied):
            change()
    assert scenario_counts() == before


def test_a_final_scenario_is_kept(app_context):
    scenario = make_scenario()
    owner = user("ccg@demo.test")
    service.finalise_scenario(owner, scenario)
    with pytest.raises(Conflict):
        service.delete_scenario(owner, scenario)
    with pytest.raises(Conflict):
        service.update_scenario(owner, scenario, scenario_input(name="Changed"))
    assert service.copy_scenario(owner, scenario).is_draft


def test_a_final_scenario_keeps_the_figures_it_was_finalised_with(app_context):
    scenario = make_scenario()
    owner, admin = user("ccg@demo.test"), user("admin@demo.test")
    service.finalise_scenario(owner, scenario)
    draft = make_scenario()
    finalised = [y.reckoner.running_cost_allowance for y in service.outcome(scenario).years]
    assert finalised == [Decimal("11614900.00"), Decimal("11489459.08"),
                         Decimal("10253633.72")]

    row = next(r for r in service.allowance_rows() if r.financial_year == "2014/15")
    service.update_allowance(admin, row, Decimal("20.00"))
    db.session.expire_all()

    kept = db.session.get(Scenario, scenario.id)
    assert [y.reckoner.running_cost_allowance for y in service.outcome(kept).years] == finalised
    assert kept.final_figures["allowances"]["2014/15"] == "24.73"
    # A draft follows the allowance as it is now; a copy of the final one is a draft too.
    assert service.outcome(db.session.get(Scenario, draft.id)).years[1].reckoner \
        .running_cost_allowance == Decimal("9291920.00")
    copy = service.copy_scenario(owner, kept)
    assert copy.final_figures is None
    assert service.outcome(copy).years[1].reckoner.running_cost_allowance == Decimal(
        "9291920.00")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"population": 0}, "population"),
        ({"population": 10_000_001}, "population"),
        ({"population": True}, "population"),
        ({"financial_year": "2016/17"}, "financial_year"),
        ({"in_house": (service.InHouseInput("a", Decimal("1000.01"), Decimal("1")),)},
         "in_house-0-wte"),
        ({"fixed_costs": (service.FixedCostInput("a", Decimal("-0.01")),)},
         "fixed_costs-0-amount"),
        ({"lines": (service.LineInput("x", "buy", pricing_model="per_case",
                                      price=Decimal("10")),)}, "lines-0-estimated_quantity"),
        ({"lines": (service.LineInput("x", "share", shared_total=Decimal("10"),
                                      split_method="population"),)}, "lines-0-partners"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(app_context, changes, field):
    before = scenario_counts()
    with pytest.raises(ServiceError) as raised:
        service.create_scenario(user("ccg@demo.test"), scenario_input(**changes))
    db.session.rollback()
    assert raised.value.field == field
    assert scenario_counts() == before


def test_every_change_writes_one_audit_event(app_context):
    owner = user("ccg@demo.test")
    scenario = make_scenario()
    service.update_scenario(owner, scenario, scenario_input(name="Renamed"))
    copy = service.copy_scenario(owner, scenario)
    service.delete_scenario(owner, copy)
    actions = list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "Scenario")
        .order_by(AuditEvent.id)))
    assert actions == ["scenario.created", "scenario.updated", "scenario.copied",
                       "scenario.deleted"]


def test_demo_scenarios_are_seeded_once(app_context):
    seed_demo()
    seed_demo()
    names = list(db.session.scalars(select(Scenario.name).order_by(Scenario.name)))
    # Coventry and Rugby's and Ealing's 2013/14 plans, and the worked example.
    assert len(names) == 3 and names[2].startswith("Worked example")
    count = db.session.scalar(select(func.count()).select_from(Scenario))
    assert count == 3
    worked = db.session.scalar(select(Scenario).where(Scenario.name == names[2]))
    assert service.outcome(worked).headline.reckoner.commissioning_support_budget == Decimal(
        "1889000.00")


def test_the_headroom_alone_is_the_outcomes_to_the_penny(app_context):
    """headroom_by_year (what a page of every CCG's headroom reads, without the lines) gives
    each year's commissioning support budget exactly as the outcome does: a draft at today's
    allowances, one with its own rate and in-house costs, and a final one at the figures it
    was finalised with."""
    owner, admin = user("ccg@demo.test"), user("admin@demo.test")
    draft = make_scenario(lines=mixed_lines())
    own_rate = make_scenario(
        name="Own rate", population=175_003, lines=mixed_lines(),
        allowance_per_head_override=Decimal("20.37"), in_house_non_pay=Decimal("1234.56"),
        in_house=(service.InHouseInput("Analyst", Decimal("1.33"), Decimal("33333.33")),))
    final = make_scenario(name="Final", lines=mixed_lines())
    service.finalise_scenario(owner, final)
    row = next(r for r in service.allowance_rows() if r.financial_year == "2014/15")
    service.update_allowance(admin, row, Decimal("20.01"))
    db.session.expire_all()
    for scenario_id in (draft.id, own_rate.id, final.id):
        scenario = db.session.get(Scenario, scenario_id)
        expected = {year.financial_year: year.reckoner.commissioning_support_budget
                    for year in service.outcome(scenario).years}
        assert service.headroom_by_year(scenario) == expected
        assert service.headroom_by_year(scenario, service.allowances()) == expected
    assert service.headroom_by_year(db.session.get(Scenario, final.id))["2014/15"] != \
        service.headroom_by_year(db.session.get(Scenario, draft.id))["2014/15"]
