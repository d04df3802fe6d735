"""Small builders for reckoner tests: form posts and saved scenarios."""

from decimal import Decimal

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Scenario, ScenarioFixedCost, ScenarioLine, User
from marketplace.services import scenarios as service

COVENTRY_POPULATION = 464_596

# The HSJ worked example (Sept 2011): 175,000 people at £20 a head, less £1.5m and £111,000.
WORKED_EXAMPLE_FORM = {
    "name": "Worked example",
    "population": "175,000",
    "financial_year": "2013/14",
    "allowance_per_head_override": "20",
    "fixed_costs-0-name": "Corporate base",
    "fixed_costs-0-amount": "1,500,000",
    "fixed_costs-1-name": "Nurse and secondary care doctor",
    "fixed_costs-1-amount": "£111,000.00",
    "in_house_non_pay": "",
}

# Three lines, one of each mode, as the form posts them.
MIXED_LINES_FORM = {
    "lines-0-service": "Contract management",
    "lines-0-mode": "do",
    "lines-0-wte": "1.5",
    "lines-0-cost_per_wte": "40000",
    "lines-0-non_pay": "5000",
    "lines-1-service": "Business intelligence",
    "lines-1-mode": "buy",
    "lines-1-pricing_model": "per_head",
    "lines-1-price": "0.85",
    "lines-2-service": "Individual funding requests",
    "lines-2-mode": "share",
    "lines-2-shared_total": "300000",
    "lines-2-partners": "05h, 05R",
    "lines-2-split_method": "population",
}


def form(**overrides) -> dict:
    data = dict(WORKED_EXAMPLE_FORM)
    data.update(overrides)
    return data


def counts() -> dict[str, int]:
    """Rows that a refused save must not have written."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Scenario, ScenarioFixedCost, ScenarioLine, AuditEvent)
    }


def scenario_input(name="Baseline", population=COVENTRY_POPULATION, lines=(), **kwargs):
    return service.ScenarioInput(
        name=name,
        population=population,
        financial_year=kwargs.pop("financial_year", "2013/14"),
        fixed_costs=kwargs.pop("fixed_costs", service.default_fixed_costs()),
        lines=tuple(lines),
        **kwargs,
    )


def make_scenario(email="ccg@demo.test", **kwargs) -> Scenario:
    actor = db.session.scalar(select(User).where(User.email == email))
    return service.create_scenario(actor, scenario_input(**kwargs))


def mixed_lines() -> list[service.LineInput]:
    return [
        service.LineInput("Contract management", "do", wte=Decimal("1.5"),
                          cost_per_wte=Decimal("40000"), non_pay=Decimal("5000")),
        service.LineInput("Business intelligence", "buy", pricing_model="per_head",
                          price=Decimal("0.85")),
        service.LineInput("Legal advice", "buy", manual_amount=Decimal("12345.67")),
        service.LineInput("Individual funding requests", "share",
                          shared_total=Decimal("300000"), split_method="population",
                          partner_ods_codes=("05H", "05R")),
    ]
