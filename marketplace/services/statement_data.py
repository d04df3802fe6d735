"""What a procurement reads from its statement of requirements.

Kept small and in one place: the statements work (services/statements.py) will own these
figures (``statement_budget``), and these functions then become calls to it.
"""

from collections import defaultdict
from decimal import Decimal

from marketplace.domain.money import round_money
from marketplace.models import (
    ServiceSpecification,
    Statement,
    StatementLine,
)


def bought_lines(statement: Statement) -> list[StatementLine]:
    """The lines a provider is asked to supply: those the CCGs chose to buy."""
    return statement.bought_lines


def specifications(statement: Statement) -> list[ServiceSpecification]:
    found = {line.specification_id: line.specification for line in bought_lines(statement)}
    return sorted(found.values(), key=lambda spec: (spec.name, spec.id))


def statement_budget(statement: Statement) -> Decimal | None:
    """The annual budget of the bought lines; None when no line has one."""
    budgets = [line.budget_annual for line in bought_lines(statement)
               if line.budget_annual is not None]
    return round_money(sum(budgets, Decimal(0))) if budgets else None


def populations(statement: Statement) -> dict[int, int]:
    """Specification id → the population the buyers need it for, added up over the CCGs
    (each line's population covered, or its CCG's registered population)."""
    totals: dict[int, int] = defaultdict(int)
    for line in bought_lines(statement):
        totals[line.specification_id] += line.population_covered or line.ccg.population or 0
    return dict(totals)


def quantities(statement: Statement) -> dict[int, dict[str, Decimal]]:
    """Specification id → the days and cases a year the CCGs stated, added up, as a guide
    for providers pricing by the day or the case."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for line in bought_lines(statement):
        for key, value in (("days", line.days_per_year), ("cases", line.activity_per_year)):
            if value is not None:
                totals[line.specification_id][key] = (
                    totals[line.specification_id].get(key, Decimal(0)) + value)
    return dict(totals)


def party_ccg_ids(statement: Statement) -> set[int]:
    """The lead CCG and every partner that confirmed its lines."""
    return statement.party_ccg_ids
