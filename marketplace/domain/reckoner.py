"""The CCG running costs ready reckoner (DH, Sept 2011): what the running cost allowance
leaves for commissioning support once fixed corporate and in-house costs are paid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from marketplace.domain.inputs import (
    MAX_ALLOWANCE_PER_HEAD,
    MAX_AMOUNT,
    UNKNOWN_YEAR,
    allowance_problem,
    money_problem,
    population_problem,
    quantity_problem,
    text_problem,
)
from marketplace.domain.money import (
    ZERO,
    MoneyError,
    format_money,
    round_money,
    to_decimal,
    to_quantity,
)

FINANCIAL_YEARS: tuple[str, ...] = ("2013/14", "2014/15", "2015/16")

# The 2011 tool's illustrative rate, used by the HSJ worked example.
ILLUSTRATIVE_ALLOWANCE_2011 = Decimal("20.00")

FIXED_COST_LINES: dict[str, str] = {
    "accountable_officer": "Accountable officer",
    "chief_finance_officer": "Chief finance officer",
    "chair": "Chair",
    "lay_members": "Lay members",
    "gp_members": "GP governing body members",
    "registered_nurse": "Registered nurse",
    "secondary_care_doctor": "Secondary care doctor",
    "other": "Other fixed costs",
}

MAX_LINES = 200


class ReckonerInputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FixedCost:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class InHouseRole:
    role: str
    wte: Decimal
    cost_per_wte: Decimal

    @property
    def annual_cost(self) -> Decimal:
        # Each role is a figure the CCG sees, so it is rounded once here and totals add it up.
        return round_money(self.wte * self.cost_per_wte)


# The HSJ example gives only the totals: a corporate base of about £1.5m and £111,000 for the
# nurse and secondary care doctor the governing body must include. The split is illustrative.
DEFAULT_FIXED_COSTS: tuple[FixedCost, ...] = (
    FixedCost("accountable_officer", Decimal("350000")),
    FixedCost("chief_finance_officer", Decimal("300000")),
    FixedCost("chair", Decimal("100000")),
    FixedCost("lay_members", Decimal("150000")),
    FixedCost("gp_members", Decimal("600000")),
    FixedCost("registered_nurse", Decimal("55500")),
    FixedCost("secondary_care_doctor", Decimal("55500")),
    FixedCost("other", Decimal("0")),
)


@dataclass(frozen=True)
class ReckonerInputs:
    population: int
    allowance_per_head: Decimal
    fixed_costs: tuple[FixedCost, ...] = DEFAULT_FIXED_COSTS
    in_house: tuple[InHouseRole, ...] = ()
    non_pay: Decimal = ZERO
    financial_year: str | None = None


@dataclass(frozen=True)
class Thresholds:
    # Average CCG spend on its CSU in 2013/14 was just over £9 per head.
    benchmark_per_head: Decimal = Decimal("9.00")
    # Share of the allowance that fixed and in-house costs may take before we warn.
    overheads_share: Decimal = Decimal("0.5")


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class ReckonerWarning:
    code: str  # "negative_headroom" | "below_benchmark" | "overheads_share"
    message: str


@dataclass(frozen=True)
class ReckonerResult:
    population: int
    allowance_per_head: Decimal
    financial_year: str | None
    running_cost_allowance: Decimal
    fixed_costs_total: Decimal
    in_house_total: Decimal
    commissioning_support_budget: Decimal
    commissioning_support_per_head: Decimal
    warnings: tuple[ReckonerWarning, ...]

    @property
    def is_affordable(self) -> bool:
        return self.commissioning_support_budget >= 0

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(warning.code for warning in self.warnings)


def running_cost_allowance(population: int, allowance_per_head: Decimal) -> Decimal:
    return round_money(population * allowance_per_head)


def allowance_for_year(financial_year: str, allowances: Mapping[str, Decimal]) -> Decimal:
    """``allowances``: financial year to allowance per head, as an administrator keeps them
    (the financial_year_allowance rows); the domain holds no copy of its own."""
    try:
        return allowances[financial_year]
    except KeyError:
        known = ", ".join(allowances) or "none"
        raise ReckonerInputError(
            "financial_year", f"{UNKNOWN_YEAR} ({known})"
        ) from None


def _totals(inputs: ReckonerInputs) -> tuple[Decimal, Decimal, Decimal]:
    """The running cost allowance, the fixed costs and the in-house costs, each in pennies."""
    allowance = running_cost_allowance(inputs.population, inputs.allowance_per_head)
    fixed_total = round_money(sum((cost.amount for cost in inputs.fixed_costs), ZERO))
    in_house_total = round_money(
        sum((role.annual_cost for role in inputs.in_house), ZERO) + inputs.non_pay
    )
    return allowance, fixed_total, in_house_total


def commissioning_support_budget(inputs: ReckonerInputs) -> Decimal:
    """``compute(inputs).commissioning_support_budget`` alone (the headroom), without the
    per-head figure and the warnings: what a page of every CCG's headroom reads."""
    allowance, fixed_total, in_house_total = _totals(inputs)
    return allowance - fixed_total - in_house_total


# The default structure's fixed and in-house costs, added up once (they are the same for
# every CCG; only the allowance depends on the population).
_DEFAULT_FIXED, _DEFAULT_IN_HOUSE = _totals(
    ReckonerInputs(population=0, allowance_per_head=ZERO)
)[1:]


def default_commissioning_support_budget(population: int, allowance_per_head: Decimal) -> Decimal:
    """``commissioning_support_budget(ReckonerInputs(population, allowance_per_head))``: the
    headroom at the reckoner's default structure, for a page of every CCG that has no plan."""
    return (
        running_cost_allowance(population, allowance_per_head) - _DEFAULT_FIXED - _DEFAULT_IN_HOUSE
    )


def compute(inputs: ReckonerInputs, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ReckonerResult:
    allowance, fixed_total, in_house_total = _totals(inputs)
    # Every term is already whole pennies, so the headroom needs no rounding of its own.
    budget = allowance - fixed_total - in_house_total
    per_head = round_money(budget / inputs.population)
    return ReckonerResult(
        population=inputs.population,
        allowance_per_head=inputs.allowance_per_head,
        financial_year=inputs.financial_year,
        running_cost_allowance=allowance,
        fixed_costs_total=fixed_total,
        in_house_total=in_house_total,
        commissioning_support_budget=budget,
        commissioning_support_per_head=per_head,
        warnings=_warnings(allowance, fixed_total + in_house_total, budget, per_head, thresholds),
    )


def _warnings(
    allowance: Decimal, overheads: Decimal, budget: Decimal, per_head: Decimal, limits: Thresholds
) -> tuple[ReckonerWarning, ...]:
    warnings = []
    if budget < 0:
        warnings.append(
            ReckonerWarning(
                "negative_headroom",
                f"Not affordable: fixed and in-house costs exceed the running cost allowance "
                f"by {format_money(-budget)}, leaving nothing for commissioning support.",
            )
        )
    elif per_head < limits.benchmark_per_head:
        warnings.append(
            ReckonerWarning(
                "below_benchmark",
                f"{format_money(per_head)} per head is left for commissioning support, below "
                f"the {format_money(limits.benchmark_per_head)} per head benchmark.",
            )
        )
    if overheads > allowance * limits.overheads_share:
        share = f"{overheads / allowance:.0%}" if allowance else "all"
        warnings.append(
            ReckonerWarning(
                "overheads_share",
                f"Fixed and in-house costs of {format_money(overheads)} take {share} of the "
                f"running cost allowance, above the {limits.overheads_share:.0%} guide.",
            )
        )
    return tuple(warnings)


# --- reading a JSON-like request -------------------------------------------------------------

_REQUEST_FIELDS = frozenset(
    "population financial_year allowance_per_head fixed_costs in_house non_pay".split()
)


def _money(value, field: str, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    if value is None:
        raise ReckonerInputError(field, "Enter an amount of money")
    if isinstance(value, float):
        raise ReckonerInputError(
            field, 'Enter money as a decimal string, for example "1500.00", not a JSON number'
        )
    try:
        amount = to_decimal(value)
    except MoneyError:
        raise ReckonerInputError(field, "Enter an amount of money, for example 1500.00") from None
    if problem := money_problem(amount, maximum):
        raise ReckonerInputError(field, problem)
    return amount


def _population(value) -> int:
    if problem := population_problem(value):
        raise ReckonerInputError("population", problem)
    return value


def _text(value, field: str) -> str:
    if problem := text_problem(value if isinstance(value, str) else None, "a name", 100):
        raise ReckonerInputError(field, problem)
    return value.strip()


def _wte(value, field: str) -> Decimal:
    message = "Enter the whole-time equivalents as a number"
    if isinstance(value, bool):
        raise ReckonerInputError(field, message)
    try:
        wte = to_quantity(value)
    except MoneyError:
        raise ReckonerInputError(field, message) from None
    if problem := quantity_problem(wte):
        raise ReckonerInputError(field, problem)
    return wte


def _items(data: Mapping, field: str) -> list[Mapping]:
    items = data[field]
    if not isinstance(items, list):
        raise ReckonerInputError(field, "Give a list")
    if len(items) > MAX_LINES:
        raise ReckonerInputError(field, f"Give at most {MAX_LINES} lines")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ReckonerInputError(f"{field}[{index}]", "Give an object")
    return items


def _allowance_per_head(data: Mapping, allowances: Mapping[str, Decimal]) -> Decimal:
    has_year = data.get("financial_year") is not None
    has_rate = data.get("allowance_per_head") is not None
    if has_year and has_rate:
        raise ReckonerInputError(
            "allowance_per_head", "Give either a financial year or an allowance per head, not both"
        )
    if has_rate:
        rate = _money(data["allowance_per_head"], "allowance_per_head", MAX_ALLOWANCE_PER_HEAD)
        if problem := allowance_problem(rate):
            raise ReckonerInputError("allowance_per_head", problem)
        return rate
    if not has_year:
        raise ReckonerInputError("financial_year", "Choose a financial year")
    if not isinstance(data["financial_year"], str):
        raise ReckonerInputError("financial_year", "Choose a financial year, for example 2013/14")
    return allowance_for_year(data["financial_year"], allowances)


def parse_reckoner_request(data: Mapping, allowances: Mapping[str, Decimal]) -> ReckonerInputs:
    """Check a JSON-like request; ReckonerInputError names the first field at fault.

    Leaving out fixed_costs means the default corporate structure; an empty list means none.
    """
    if not isinstance(data, Mapping):
        raise ReckonerInputError("request", "Send a JSON object")
    unknown = sorted(str(key) for key in data if key not in _REQUEST_FIELDS)
    if unknown:
        # An empty key still needs a field name the client can act on.
        raise ReckonerInputError(
            unknown[0] or "request", f"{unknown[0]!r} is not a ready reckoner input"
        )

    population = _population(data.get("population"))
    allowance_per_head = _allowance_per_head(data, allowances)

    fixed_costs = DEFAULT_FIXED_COSTS
    if "fixed_costs" in data:
        fixed_costs = tuple(
            FixedCost(
                name=_text(item.get("name"), f"fixed_costs[{index}].name"),
                amount=_money(item.get("amount"), f"fixed_costs[{index}].amount"),
            )
            for index, item in enumerate(_items(data, "fixed_costs"))
        )
    in_house: tuple[InHouseRole, ...] = ()
    if "in_house" in data:
        in_house = tuple(
            InHouseRole(
                role=_text(item.get("role"), f"in_house[{index}].role"),
                wte=_wte(item.get("wte"), f"in_house[{index}].wte"),
                cost_per_wte=_money(item.get("cost_per_wte"), f"in_house[{index}].cost_per_wte"),
            )
            for index, item in enumerate(_items(data, "in_house"))
        )
    non_pay = ZERO if data.get("non_pay") is None else _money(data["non_pay"], "non_pay")

    return ReckonerInputs(
        population=population,
        allowance_per_head=allowance_per_head,
        fixed_costs=fixed_costs,
        in_house=in_house,
        non_pay=non_pay,
        financial_year=data.get("financial_year"),
    )
