"""Demo scenarios for the demo CCG (ccg@demo.test, NHS Coventry and Rugby CCG)."""

from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Scenario, User
from marketplace.services import scenarios as service

DEMO_CCG_USER = "ccg@demo.test"


def _lines() -> tuple[service.LineInput, ...]:
    line = service.LineInput
    return (
        line("Health needs assessment", "do", wte=Decimal("1.2"), cost_per_wte=Decimal("47500"),
             non_pay=Decimal("3000")),
        line("Service redesign", "do", wte=Decimal("2"), cost_per_wte=Decimal("52000"),
             non_pay=Decimal("4000")),
        line("Business intelligence", "buy", pricing_model="per_head", price=Decimal("0.85")),
        line("Contract monitoring", "buy", pricing_model="per_head", price=Decimal("1.60")),
        line("Procurement and market management", "buy", pricing_model="day_rate",
             price=Decimal("650"), estimated_quantity=Decimal("120")),
        line("HR and payroll", "buy", manual_amount=Decimal("310000")),
        line("Communications and engagement", "share", shared_total=Decimal("420000"),
             split_method="population", partner_ods_codes=("05H", "05R")),
        line("Continuing healthcare", "share", shared_total=Decimal("880000"),
             split_method="equal", partner_ods_codes=("05H", "05R")),
    )


def _scenarios(population: int) -> list[service.ScenarioInput]:
    return [
        service.ScenarioInput(
            name="2013/14 plan: mostly bought from Arden",
            population=population,
            financial_year="2013/14",
            fixed_costs=service.default_fixed_costs(),
            in_house=(
                service.InHouseInput("Head of commissioning", Decimal("1"), Decimal("85000")),
                service.InHouseInput("Commissioning managers", Decimal("3.6"),
                                     Decimal("52000")),
            ),
            in_house_non_pay=Decimal("60000"),
            lines=_lines(),
        ),
        service.ScenarioInput(
            name="Worked example: 175,000 people at the 2011 £20",
            population=175_000,
            financial_year="2013/14",
            allowance_per_head_override=Decimal("20.00"),
            fixed_costs=(
                service.FixedCostInput("Corporate base", Decimal("1500000")),
                service.FixedCostInput("Nurse and secondary care doctor", Decimal("111000")),
            ),
        ),
    ]


def seed_scenarios(scale: int = 1) -> None:
    user = db.session.scalar(select(User).where(User.email == DEMO_CCG_USER))
    if user is None:
        return
    for data in _scenarios(user.organisation.population):
        exists = db.session.scalar(
            select(Scenario.id).where(
                Scenario.organisation_id == user.organisation_id, Scenario.name == data.name
            )
        )
        if exists is None:
            service.create_scenario(user, data)
