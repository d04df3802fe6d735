"""Do, buy or share: what a CCG's chosen mix of commissioning support costs, set against the
headroom the ready reckoner leaves, one year or three."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from marketplace.domain import pricing
from marketplace.domain.money import PENNY, ZERO, round_money
from marketplace.domain.reckoner import (
    DEFAULT_FIXED_COSTS,
    DEFAULT_THRESHOLDS,
    FINANCIAL_YEARS,
    FixedCost,
    InHouseRole,
    ReckonerInputs,
    ReckonerResult,
    Thresholds,
    allowance_for_year,
    compute,
)

DO, BUY, SHARE = "do", "buy", "share"
MODES: tuple[str, ...] = (DO, SHARE, BUY)
SPLIT_METHODS = ("population", "equal")

# Checkpoint 2 customer survey, spring 2012 (approximate): "almost a third" of services to be
# in-house, 15% shared, the rest bought. It counted services, not spend.
SURVEY_SPLIT_2012: dict[str, Decimal] = {
    DO: Decimal("32"),
    SHARE: Decimal("15"),
    BUY: Decimal("53"),
}


class SourcingError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DoLine:
    service: str
    wte: Decimal
    cost_per_wte: Decimal
    non_pay: Decimal = ZERO
    mode: ClassVar[str] = DO


@dataclass(frozen=True)
class BuyLine:
    """Either an offer's price (pricing model, price, estimated quantity) or a manual amount."""

    service: str
    pricing_model: str | None = None
    price: Decimal | None = None
    estimated_quantity: Decimal | None = None
    manual_amount: Decimal | None = None
    offer_id: str | int | None = None
    mode: ClassVar[str] = BUY


@dataclass(frozen=True)
class ShareLine:
    """A team serving several CCGs; partners are (CCG key, registered population), self included."""

    service: str
    shared_total: Decimal
    partners: tuple[tuple[str, int], ...]
    method: str = "population"
    mode: ClassVar[str] = SHARE


Line = DoLine | BuyLine | ShareLine


@dataclass(frozen=True)
class CostedLine:
    service: str
    mode: str
    annual_cost: Decimal


@dataclass(frozen=True)
class Scenario:
    ccg_key: str
    population: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ScenarioResult:
    lines: tuple[CostedLine, ...]
    do_total: Decimal
    share_total: Decimal
    buy_total: Decimal
    total_spend: Decimal
    commissioning_support_budget: Decimal
    balance: Decimal  # budget minus spend: a surplus when positive, a shortfall when negative
    spend_split_percent: Mapping[str, Decimal]
    service_split_percent: Mapping[str, Decimal]
    survey_split_percent: Mapping[str, Decimal] = field(
        default_factory=lambda: dict(SURVEY_SPLIT_2012)
    )

    @property
    def totals_by_mode(self) -> dict[str, Decimal]:
        return {DO: self.do_total, SHARE: self.share_total, BUY: self.buy_total}

    @property
    def surplus(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def shortfall(self) -> Decimal:
        return max(-self.balance, ZERO)


def split_shared_cost(
    total: Decimal, partners: Sequence[tuple[str, int]], method: str = "population"
) -> dict[str, Decimal]:
    """Each partner's share in pennies, adding up exactly to the (penny-rounded) total.

    Largest remainder: everyone gets the floor of their exact share, then the pennies left go
    one each to the largest fractional remainders. Ties go in key order, not list order, so
    every partner computing the same team gets the same answer however it lists the others.
    """
    if method not in SPLIT_METHODS:
        raise SourcingError("method", "Split by population or equally")
    if not partners:
        raise SourcingError("partners", "Name at least one partner CCG")
    keys = [key for key, _ in partners]
    if len(set(keys)) != len(keys):
        raise SourcingError("partners", "Name each partner CCG once")
    if total < 0:
        raise SourcingError("shared_total", "The shared cost cannot be negative")
    if method == "equal":
        weights = [1] * len(partners)
    else:
        weights = [population for _, population in partners]
        if any(isinstance(w, bool) or not isinstance(w, int) or w < 0 for w in weights):
            raise SourcingError("partners", "Give each partner's population as a whole number")
        if sum(weights) == 0:
            raise SourcingError("partners", "The partners' populations add up to nothing")

    # Integer pennies and integer weights keep every step exact.
    pennies = int(round_money(total) / PENNY)
    whole = sum(weights)
    floors = [pennies * weight // whole for weight in weights]
    remainders = [pennies * weight % whole for weight in weights]
    left_over = pennies - sum(floors)
    by_claim = sorted(range(len(partners)), key=lambda i: (-remainders[i], keys[i]))
    for index in by_claim[:left_over]:
        floors[index] += 1
    return {key: Decimal(share) * PENNY for key, share in zip(keys, floors, strict=True)}


def line_cost(line: Line, ccg_key: str, population: int) -> Decimal:
    """A line's annual cost to this CCG, to the penny (each line is a figure the CCG sees)."""
    if isinstance(line, DoLine):
        if min(line.wte, line.cost_per_wte, line.non_pay) < 0:
            raise SourcingError("wte", f"Costs and WTE cannot be negative for {line.service}")
        return round_money(line.wte * line.cost_per_wte + line.non_pay)
    if isinstance(line, BuyLine):
        if line.manual_amount is not None:
            if line.manual_amount < 0:
                raise SourcingError("manual_amount", "The amount cannot be negative")
            return round_money(line.manual_amount)
        if line.pricing_model is None or line.price is None:
            raise SourcingError("price", f"Choose an offer or enter an amount for {line.service}")
        return pricing.annual_cost(
            line.pricing_model, line.price, population, line.estimated_quantity
        )
    shares = split_shared_cost(line.shared_total, line.partners, line.method)
    if ccg_key not in shares:
        raise SourcingError("partners", f"Include this CCG among the partners for {line.service}")
    return shares[ccg_key]


def _percentages(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    whole = sum(amounts.values(), ZERO)
    if whole == 0:
        return {mode: ZERO for mode in amounts}
    tenth = Decimal("0.1")
    return {
        mode: (amount * 100 / whole).quantize(tenth, rounding=ROUND_HALF_UP)
        for mode, amount in amounts.items()
    }


def compute_scenario(scenario: Scenario, commissioning_support_budget: Decimal) -> ScenarioResult:
    services = [line.service for line in scenario.lines]
    if len(set(services)) != len(services):
        raise SourcingError("lines", "Give each service specification one line")
    costed = tuple(
        CostedLine(line.service, line.mode, line_cost(line, scenario.ccg_key, scenario.population))
        for line in scenario.lines
    )
    totals = {mode: ZERO for mode in MODES}
    counts = {mode: Decimal(0) for mode in MODES}
    for line in costed:
        totals[line.mode] += line.annual_cost
        counts[line.mode] += 1
    total_spend = sum(totals.values(), ZERO)
    return ScenarioResult(
        lines=costed,
        do_total=totals[DO],
        share_total=totals[SHARE],
        buy_total=totals[BUY],
        total_spend=total_spend,
        commissioning_support_budget=commissioning_support_budget,
        balance=commissioning_support_budget - total_spend,
        spend_split_percent=_percentages(totals),
        service_split_percent=_percentages(counts),
    )


@dataclass(frozen=True)
class MultiYearScenario:
    """One CCG over several years; population fixed, lines the same each year unless a year's
    override replaces (by service) or adds lines."""

    ccg_key: str
    population: int
    lines: tuple[Line, ...]
    fixed_costs: tuple[FixedCost, ...] = DEFAULT_FIXED_COSTS
    in_house: tuple[InHouseRole, ...] = ()
    non_pay: Decimal = ZERO
    line_overrides: Mapping[str, tuple[Line, ...]] = field(default_factory=dict)
    financial_years: tuple[str, ...] = FINANCIAL_YEARS


@dataclass(frozen=True)
class YearResult:
    financial_year: str
    reckoner: ReckonerResult
    sourcing: ScenarioResult


def lines_for_year(scenario: MultiYearScenario, financial_year: str) -> tuple[Line, ...]:
    overrides = {line.service: line for line in scenario.line_overrides.get(financial_year, ())}
    lines = [overrides.pop(line.service, line) for line in scenario.lines]
    return tuple(lines) + tuple(overrides.values())


def compute_multi_year(
    scenario: MultiYearScenario,
    allowances: Mapping[str, Decimal],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[YearResult, ...]:
    unknown = set(scenario.line_overrides) - set(scenario.financial_years)
    if unknown:
        raise SourcingError("line_overrides", f"No such year in this scenario: {min(unknown)}")
    results = []
    for year in scenario.financial_years:
        reckoner = compute(
            ReckonerInputs(
                population=scenario.population,
                allowance_per_head=allowance_for_year(year, allowances),
                fixed_costs=scenario.fixed_costs,
                in_house=scenario.in_house,
                non_pay=scenario.non_pay,
                financial_year=year,
            ),
            thresholds,
        )
        sourcing = compute_scenario(
            Scenario(scenario.ccg_key, scenario.population, lines_for_year(scenario, year)),
            reckoner.commissioning_support_budget,
        )
        results.append(YearResult(year, reckoner, sourcing))
    return tuple(results)
