"""The checks a BDU reviewer runs on a CSS's four-year financial model.

Each flag has a stable code (the API and tests key on it), the figures behind it, each with
a label in plain words, and a sentence a reviewer can read out. The weaknesses are those the
BDU reported at Checkpoint 2 (flat income, income not linked to what customers intend to
buy, surpluses the CSS may not keep, workforce copied from the PCT cluster) and the risks a
hosted CSS carries into a market where customers' running cost allowances fall and service
level agreements break after 18 months.

Every tolerance is a ``Thresholds`` field: the BDU keeps the values as data (see
THRESHOLD_SPECS), and a review records the values it was judged against.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

from marketplace.domain.business_plan import NON_CCG_CUSTOMERS, OTHER, FinancialModel
from marketplace.domain.checkpoints import GatewayRating, HostingPolicy
from marketplace.domain.money import ZERO, format_money
from marketplace.domain.plan_income import apportion

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
MONTHS_IN_YEAR = 12


# --- thresholds ---------------------------------------------------------------------------


class ThresholdKind(StrEnum):
    PERCENT = "percent"
    MONEY = "money"
    MONTHS = "months"
    COUNT = "count"
    RATING = "rating"


@dataclass(frozen=True)
class ThresholdSpec:
    """One value the BDU may change: its words, the range a form accepts, its default."""

    key: str
    label: str
    hint: str
    kind: ThresholdKind
    default: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    group: str = "Business plan checks"

    def read(self, value: object) -> Decimal | int | GatewayRating:
        """The typed value; ValueError with words a form can show."""
        if self.kind is ThresholdKind.RATING:
            try:
                return GatewayRating(str(value))
            except ValueError:
                raise ValueError("Choose a rating from the list") from None
        text = str(value).strip()
        # Decimal() would read "٣" or "²" as digits; a threshold is typed in ASCII.
        if not text.isascii():
            raise ValueError("Enter a number")
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise ValueError("Enter a number") from None
        if not number.is_finite():
            raise ValueError("Enter a number")
        if self.minimum is not None and number < self.minimum or (
            self.maximum is not None and number > self.maximum
        ):
            raise ValueError(f"Enter a value from {self.minimum} to {self.maximum}")
        if self.kind in (ThresholdKind.MONTHS, ThresholdKind.COUNT):
            if number != number.to_integral_value():
                raise ValueError("Enter a whole number")
            return int(number)
        return number


HOSTING_GROUP = "Checkpoint 3 hosting policy"

THRESHOLD_SPECS: tuple[ThresholdSpec, ...] = (
    ThresholdSpec(
        "flat_income_tolerance_percent", "Near-flat income (% change a year)",
        "Income is flagged as flat when every year-on-year change is within this percentage.",
        ThresholdKind.PERCENT, "1.0", Decimal(0), Decimal(20)),
    ThresholdSpec(
        "allowance_growth_tolerance_percent",
        "Income growth from CCGs allowed while their allowances fall (%)",
        "Flagged when income from CCGs grows by more than this over years in which their "
        "running cost allowance per head falls.",
        ThresholdKind.PERCENT, "0.0", Decimal(0), Decimal(50)),
    ThresholdSpec(
        "cost_per_wte_min", "Lowest plausible pay cost per WTE (£)",
        "Pay divided by whole-time equivalent staff below this is flagged.",
        ThresholdKind.MONEY, "25000", Decimal(0), Decimal(1_000_000)),
    ThresholdSpec(
        "cost_per_wte_max", "Highest plausible pay cost per WTE (£)",
        "Pay divided by whole-time equivalent staff above this is flagged.",
        ThresholdKind.MONEY, "75000", Decimal(0), Decimal(1_000_000)),
    ThresholdSpec(
        "cost_per_wte_change_percent", "Change in pay cost per WTE in a year (%)",
        "Flagged when pay per WTE moves by more than this from one year to the next: pay "
        "changing without the headcount to match.",
        ThresholdKind.PERCENT, "5.0", Decimal(0), Decimal(100)),
    ThresholdSpec(
        "workforce_match_tolerance_percent", "Match with the PCT cluster workforce (%)",
        "Flagged as copied when WTE and pay are within this percentage of the PCT cluster "
        "baseline in every year.",
        ThresholdKind.PERCENT, "2.0", Decimal(0), Decimal(50)),
    ThresholdSpec(
        "concentration_percent", "Share of income from one customer (%)",
        "Flagged when the largest customer brings more than this share of four-year income.",
        ThresholdKind.PERCENT, "40.0", Decimal(0), Decimal(100)),
    ThresholdSpec(
        "agreement_break_months", "Months to the next agreement break",
        "The stress test removes the largest customer's income from this many months after "
        "the start of the plan (Board guidance: agreements of at most 18 months).",
        ThresholdKind.MONTHS, "18", Decimal(1), Decimal(48)),
    ThresholdSpec(
        "stress_cost_saving_percent", "Costs saved when a customer leaves (% of its income)",
        "In the stress test, the share of the lost income the CSS saves by cutting costs "
        "after the break.",
        ThresholdKind.PERCENT, "50.0", Decimal(0), Decimal(100)),
    ThresholdSpec(
        "stress_deficit_percent", "Deficit after losing the largest customer (% of income)",
        "Flagged when the four-year position without the largest customer is a deficit of "
        "more than this share of four-year income.",
        ThresholdKind.PERCENT, "10.0", Decimal(0), Decimal(100)),
    ThresholdSpec(
        "unbacked_income_tolerance_percent",
        "Planned income above intentions and agreements (%)",
        "Flagged when planned income from a CCG runs more than this percentage above what "
        "it has stated it intends to spend or has agreed.",
        ThresholdKind.PERCENT, "10.0", Decimal(0), Decimal(100)),
    ThresholdSpec(
        "host_if_all_at_least", "Host without conditions when every test is at least",
        "Every Checkpoint 3 test at this rating or better gives a recommendation to host.",
        ThresholdKind.RATING, GatewayRating.AMBER_GREEN.value, group=HOSTING_GROUP),
    ThresholdSpec(
        "do_not_host_if_any_at", "Do not host when any test is at or below",
        "Any Checkpoint 3 test at this rating or worse gives a recommendation not to host.",
        ThresholdKind.RATING, GatewayRating.RED.value, group=HOSTING_GROUP),
    ThresholdSpec(
        "do_not_host_if_amber_red_count", "Do not host when this many tests are Amber/Red or "
        "worse", "A count of Checkpoint 3 tests.",
        ThresholdKind.COUNT, "2", Decimal(1), Decimal(4), group=HOSTING_GROUP),
)
SPECS_BY_KEY: Mapping[str, ThresholdSpec] = MappingProxyType(
    {spec.key: spec for spec in THRESHOLD_SPECS}
)


@dataclass(frozen=True)
class Thresholds:
    flat_income_tolerance_percent: Decimal = Decimal("1.0")
    allowance_growth_tolerance_percent: Decimal = Decimal("0.0")
    cost_per_wte_min: Decimal = Decimal("25000")
    cost_per_wte_max: Decimal = Decimal("75000")
    cost_per_wte_change_percent: Decimal = Decimal("5.0")
    workforce_match_tolerance_percent: Decimal = Decimal("2.0")
    concentration_percent: Decimal = Decimal("40.0")
    agreement_break_months: int = 18
    stress_cost_saving_percent: Decimal = Decimal("50.0")
    stress_deficit_percent: Decimal = Decimal("10.0")
    unbacked_income_tolerance_percent: Decimal = Decimal("10.0")
    host_if_all_at_least: GatewayRating = GatewayRating.AMBER_GREEN
    do_not_host_if_any_at: GatewayRating = GatewayRating.RED
    do_not_host_if_amber_red_count: int = 2

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> Thresholds:
        """From stored strings (a snapshot or the table); missing or unreadable keys keep
        their defaults, so an old snapshot still reads after a threshold is added."""
        read = {}
        for spec in THRESHOLD_SPECS:
            if spec.key in values:
                try:
                    read[spec.key] = spec.read(values[spec.key])
                except ValueError:
                    continue
        return cls(**read)

    def values(self) -> dict[str, str]:
        """Every value as a string: the snapshot a review keeps."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    @property
    def hosting_policy(self) -> HostingPolicy:
        return HostingPolicy(self.host_if_all_at_least, self.do_not_host_if_any_at,
                             self.do_not_host_if_amber_red_count)


DEFAULT_THRESHOLDS = Thresholds()


def describe_threshold(key: str, value: str) -> str:
    """A stored value as a reader sees it: '40.0%', '£25,000.00', 'Amber/Green'."""
    spec = SPECS_BY_KEY[key]
    if spec.kind is ThresholdKind.PERCENT:
        return f"{value}%"
    if spec.kind is ThresholdKind.MONEY:
        return format_money(Decimal(value))
    if spec.kind is ThresholdKind.MONTHS:
        return f"{value} months"
    if spec.kind is ThresholdKind.RATING:
        return GatewayRating(value).label
    return value


# --- inputs beyond the financial model -----------------------------------------------------


@dataclass(frozen=True)
class WorkforceBaseline:
    """The PCT cluster's workforce the plan says it starts from."""

    wte: Decimal
    pay: Decimal


@dataclass(frozen=True)
class Backing:
    """What one CCG has put behind one specification: a stated intention to buy (with its
    annual budget when stated) and the value of signed agreements in each plan year."""

    intends_to_buy: bool = False
    intended_annual: Decimal = ZERO  # zero when the intention states no budget
    agreed: Mapping[str, Decimal] = field(default_factory=dict)  # year -> agreed value

    def amount(self, year: str) -> Decimal:
        return max(self.intended_annual if self.intends_to_buy else ZERO,
                   self.agreed.get(year, ZERO))

    @property
    def has_any(self) -> bool:
        return self.intends_to_buy or any(value > 0 for value in self.agreed.values())


@dataclass(frozen=True)
class PlanInputs:
    model: FinancialModel
    # Financial year -> running cost allowance per head (the reckoner's table).
    allowances_per_head: Mapping[str, Decimal] = field(default_factory=dict)
    # (CCG ODS code, specification key) -> what stands behind it.
    backing: Mapping[tuple[str, str], Backing] = field(default_factory=dict)
    pct_baseline: WorkforceBaseline | None = None
    # Year -> surplus the plan assumes the CSS keeps to spend later.
    retained_surplus: Mapping[str, Decimal] = field(default_factory=dict)
    # The catalogue's specifications, code -> name: service lines keyed otherwise cannot be
    # linked to intentions, so they are not checked. None: check every line.
    specifications: Mapping[str, str] | None = None
    # CCG ODS code -> name, for sentences and tables in words.
    customers: Mapping[str, str] = field(default_factory=dict)


# --- results -------------------------------------------------------------------------------


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return f"{self.value.capitalize()} concern"

    @property
    def colour(self) -> str:
        return {"high": "red", "medium": "orange", "low": "yellow"}[self.value]


class CheckCode(StrEnum):
    INCOME_FLAT = "income_flat"
    INCOME_GROWTH_AGAINST_ALLOWANCE = "income_growth_against_allowance"
    DEFICIT_IN_YEAR = "deficit_in_year"
    CUMULATIVE_DEFICIT = "cumulative_deficit"
    SURPLUS_RETENTION = "surplus_retention"
    COST_PER_WTE_IMPLAUSIBLE = "cost_per_wte_implausible"
    PAY_APART_FROM_WTE = "pay_apart_from_wte"
    WORKFORCE_COPIED = "workforce_copied"
    CUSTOMER_CONCENTRATION = "customer_concentration"
    LARGEST_CUSTOMER_EXIT = "largest_customer_exit"
    INCOME_WITHOUT_BACKING = "income_without_backing"
    SERVICE_LINE_WITHOUT_BACKING = "service_line_without_backing"


class Unit(StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    WTE = "wte"
    MONTHS = "months"
    TEXT = "text"


@dataclass(frozen=True)
class Figure:
    key: str  # stable, for the API; never shown
    label: str  # plain words, for screens and PDFs
    value: Decimal | str
    unit: Unit = Unit.MONEY

    @property
    def text(self) -> str:
        if self.unit is Unit.MONEY:
            return format_money(self.value)
        if self.unit is Unit.PERCENT:
            return f"{self.value}%"
        if self.unit is Unit.WTE:
            return f"{self.value} WTE"
        if self.unit is Unit.MONTHS:
            return f"{self.value} months"
        return str(self.value)


@dataclass(frozen=True)
class Flag:
    code: CheckCode
    severity: Severity
    message: str
    figures: tuple[Figure, ...] = ()

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


@dataclass(frozen=True)
class YearPosition:
    year: str
    income: Decimal
    expenditure: Decimal
    surplus: Decimal  # negative for a deficit
    cumulative: Decimal
    growth_percent: Decimal | None  # None in the first year or after a year of no income
    pay: Decimal
    wte: Decimal
    cost_per_wte: Decimal | None  # None without staff


@dataclass(frozen=True)
class StressYear:
    year: str
    income_lost: Decimal
    costs_saved: Decimal
    surplus: Decimal
    cumulative: Decimal


@dataclass(frozen=True)
class StressTest:
    customer: str
    break_months: int
    years: tuple[StressYear, ...]

    @property
    def cumulative(self) -> Decimal:
        return self.years[-1].cumulative


@dataclass(frozen=True)
class CustomerLine:
    """One CCG and one specification: the plan's income from it in each year, the CCG's
    stated intention to buy it (and its budget a year, when stated) and the value of
    signed agreements falling in each year. The plan states income by customer and by
    service line apart, so its income here is each customer's income spread over the
    lines pro rata (marketplace/domain/plan_income.apportion)."""

    customer: str  # ODS code
    customer_name: str
    specification: str  # specification code, or "other"
    specification_name: str
    planned: Mapping[str, Decimal]
    intends_to_buy: bool
    intended_annual: Decimal | None  # None: no intention, or one that states no budget
    agreed: Mapping[str, Decimal]

    def backed(self, year: str) -> Decimal:
        """The larger of the stated budget and the agreed value: what the income can rest on."""
        return max(self.intended_annual or ZERO, self.agreed.get(year, ZERO))

    @property
    def intention(self) -> str:
        if not self.intends_to_buy:
            return "No intention to buy stated"
        if self.intended_annual is None:
            return "Intends to buy (no budget stated)"
        return f"Intends to buy, budget {format_money(self.intended_annual)} a year"

    @property
    def has_backing(self) -> bool:
        return self.intends_to_buy or any(value > 0 for value in self.agreed.values())


@dataclass(frozen=True)
class PlanCheckResult:
    years: tuple[YearPosition, ...]
    break_even_year: str | None
    largest_customer: str | None
    largest_customer_share_percent: Decimal | None
    stress_test: StressTest | None
    flags: tuple[Flag, ...]
    thresholds: Thresholds
    # Per CCG and specification: income against intention and agreement.
    lines: tuple[CustomerLine, ...] = ()

    @property
    def cumulative(self) -> Decimal:
        return self.years[-1].cumulative

    def codes(self) -> set[CheckCode]:
        return {flag.code for flag in self.flags}


# --- the checks -----------------------------------------------------------------------------


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """part as a percentage of whole, to one place, half-up (for display only)."""
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def _change(new: Decimal, old: Decimal) -> Decimal:
    """Exact percentage change; thresholds compare exact values, display rounds."""
    return (new - old) * HUNDRED / old


def _shown(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def check_plan(inputs: PlanInputs, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PlanCheckResult:
    model = inputs.model
    names = inputs.customers
    rows = _positions(model)
    totals = _customer_totals(model)
    largest, share = _largest_customer(totals)
    stress = _stress_test(model, rows, largest, thresholds) if largest else None
    lines = connected_lines(model, inputs.backing, inputs.customers, inputs.specifications)
    flags = [
        *_flat_income(rows, thresholds),
        *_growth_against_allowance(model, inputs.allowances_per_head, thresholds),
        *_deficits(rows),
        *_surplus_retention(rows, inputs.retained_surplus),
        *_pay_against_wte(rows, thresholds),
        *_workforce_copied(rows, inputs.pct_baseline, thresholds),
        *_concentration(totals, largest, share, thresholds, names),
        *_stress_flag(stress, rows, thresholds, names),
        *_customer_backing(model, lines, thresholds, inputs.specifications),
        *_service_line_backing(model, inputs.backing, inputs.specifications),
    ]
    break_even = next((row.year for row in rows if row.surplus >= 0), None)
    return PlanCheckResult(tuple(rows), break_even, largest, share, stress, tuple(flags),
                           thresholds, lines)


def _positions(model: FinancialModel) -> list[YearPosition]:
    rows: list[YearPosition] = []
    cumulative = ZERO
    for index, year in enumerate(model.years):
        income = model.income(year)
        spend = model.expenditure[year]
        surplus = income - spend.total
        cumulative += surplus
        previous = rows[index - 1].income if index else None
        wte = model.wte[year]
        rows.append(YearPosition(
            year=year, income=income, expenditure=spend.total, surplus=surplus,
            cumulative=cumulative,
            growth_percent=percent(income - previous, previous) if previous else None,
            pay=spend.pay, wte=wte,
            cost_per_wte=(spend.pay / wte).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if wte else None,
        ))
    return rows


def _year_figures(key: str, label: str, values: Mapping[str, Decimal],
                  unit: Unit = Unit.MONEY) -> tuple[Figure, ...]:
    return tuple(Figure(f"{key}[{year}]", f"{label}, {year}", value, unit)
                 for year, value in values.items())


def _flat_income(rows: list[YearPosition], thresholds: Thresholds) -> Iterator[Flag]:
    tolerance = thresholds.flat_income_tolerance_percent
    steps = list(zip(rows, rows[1:], strict=False))
    if any(not before.income for before, _ in steps):
        return
    changes = [_change(after.income, before.income) for before, after in steps]
    if all(abs(change) <= tolerance for change in changes):
        largest = max(abs(change) for change in changes)
        yield Flag(
            CheckCode.INCOME_FLAT, Severity.MEDIUM,
            "Income hardly changes from year to year (never by more than "
            f"{tolerance}%), so it cannot reflect what customers intend to buy.",
            _year_figures("income", "Income", {row.year: row.income for row in rows})
            + (Figure("largest_change_percent", "Largest change in a year", _shown(largest),
                      Unit.PERCENT),
               Figure("tolerance_percent", "Flat within", tolerance, Unit.PERCENT)),
        )


def ccg_income(model: FinancialModel, year: str) -> Decimal:
    return sum((amount for customer, amount in model.income_by_customer[year].items()
                if customer not in NON_CCG_CUSTOMERS), ZERO)


def _growth_against_allowance(model: FinancialModel, allowances: Mapping[str, Decimal],
                              thresholds: Thresholds) -> Iterator[Flag]:
    # Compare over the plan years for which an allowance is published: CCGs can pay a CSS
    # only out of their running cost allowance, which fell 11.7% a head 2013/14 to 2015/16.
    covered = [year for year in model.years if year in allowances]
    if len(covered) < 2:
        return
    first, last = covered[0], covered[-1]
    allowance_change = _change(allowances[last], allowances[first])
    before, after = ccg_income(model, first), ccg_income(model, last)
    if allowance_change >= 0 or not before:
        return
    growth = _change(after, before)
    tolerance = thresholds.allowance_growth_tolerance_percent
    if growth > tolerance:
        yield Flag(
            CheckCode.INCOME_GROWTH_AGAINST_ALLOWANCE, Severity.HIGH,
            f"Income from CCGs grows {_shown(growth)}% from {first} to {last} while their "
            f"running cost allowance falls {_shown(-allowance_change)}% a head "
            f"({format_money(allowances[first])} to {format_money(allowances[last])}).",
            (Figure(f"ccg_income[{first}]", f"Income from CCGs, {first}", before),
             Figure(f"ccg_income[{last}]", f"Income from CCGs, {last}", after),
             Figure("ccg_income_growth_percent", "Growth in income from CCGs", _shown(growth),
                    Unit.PERCENT))
            + _year_figures("allowance_per_head", "Running cost allowance a head",
                            {y: allowances[y] for y in covered})
            + (Figure("allowance_change_percent", "Change in allowance a head",
                      _shown(allowance_change), Unit.PERCENT),
               Figure("tolerance_percent", "Growth allowed", tolerance, Unit.PERCENT)),
        )


def _deficits(rows: list[YearPosition]) -> Iterator[Flag]:
    in_deficit = [row for row in rows if row.surplus < 0]
    if in_deficit:
        years = ", ".join(row.year for row in in_deficit)
        yield Flag(
            CheckCode.DEFICIT_IN_YEAR,
            Severity.HIGH if in_deficit[-1] is rows[-1] else Severity.MEDIUM,
            f"The plan shows a deficit in {years}; the position over all four years is "
            f"{_position_words(rows[-1].cumulative)}.",
            _year_figures("deficit", "Deficit", {row.year: -row.surplus for row in in_deficit})
            + (Figure("cumulative", "Position over the four years", rows[-1].cumulative),),
        )
    if rows[-1].cumulative < 0:
        yield Flag(
            CheckCode.CUMULATIVE_DEFICIT, Severity.HIGH,
            f"Over the four years the plan loses {format_money(-rows[-1].cumulative)}: "
            "it does not pay its way.",
            _year_figures("cumulative", "Position at the end of",
                          {row.year: row.cumulative for row in rows}),
        )


def _position_words(amount: Decimal) -> str:
    if amount < 0:
        return f"a deficit of {format_money(-amount)}"
    return f"a surplus of {format_money(amount)}"


def _surplus_retention(rows: list[YearPosition],
                       retained: Mapping[str, Decimal]) -> Iterator[Flag]:
    # A hosted CSS's surpluses belong to the Board: a plan may not keep one to spend later.
    stated = {year: amount for year, amount in retained.items() if amount > 0}
    carried = []
    for before, row in zip(rows, rows[1:], strict=False):
        # A deficit paid for out of earlier years' surpluses.
        if row.surplus < 0 and before.cumulative > 0:
            carried.append((row, min(-row.surplus, before.cumulative)))
    if not stated and not carried:
        return
    parts = []
    if stated:
        parts.append(f"keeps surpluses of {format_money(sum(stated.values(), ZERO))} "
                     f"({', '.join(stated)})")
    if carried:
        parts.append("pays for its deficit in " + ", ".join(row.year for row, _ in carried)
                     + " out of earlier years' surpluses")
    yield Flag(
        CheckCode.SURPLUS_RETENTION, Severity.HIGH,
        f"The plan {' and '.join(parts)}; a CSS hosted by the Board has no right to keep "
        "surpluses from one year to the next.",
        _year_figures("retained_surplus", "Surplus kept", stated)
        + _year_figures("covered_from_surplus", "Deficit paid from earlier surpluses",
                        {row.year: amount for row, amount in carried}),
    )


def _pay_against_wte(rows: list[YearPosition], thresholds: Thresholds) -> Iterator[Flag]:
    low, high = thresholds.cost_per_wte_min, thresholds.cost_per_wte_max
    outside = {}
    for row in rows:
        if row.wte == 0 and row.pay > 0:
            outside[row.year] = "pay with no staff"
        elif row.wte and not low <= row.pay / row.wte <= high:
            outside[row.year] = format_money(row.cost_per_wte)
    if outside:
        yield Flag(
            CheckCode.COST_PER_WTE_IMPLAUSIBLE, Severity.MEDIUM,
            f"Pay per whole-time equivalent is outside {format_money(low)} to "
            f"{format_money(high)} in {', '.join(outside)}, so pay and staffing do not "
            "describe the same workforce.",
            tuple(Figure(f"cost_per_wte[{year}]", f"Pay per WTE, {year}", text, Unit.TEXT)
                  for year, text in outside.items())
            + (Figure("cost_per_wte_min", "Lowest plausible", low),
               Figure("cost_per_wte_max", "Highest plausible", high)),
        )
    limit = thresholds.cost_per_wte_change_percent
    drifts = []
    for before, after in zip(rows, rows[1:], strict=False):
        if not (before.wte and after.wte and before.pay):
            continue
        change = _change(after.pay / after.wte, before.pay / before.wte)
        if abs(change) > limit:
            drifts.append((before, after, change))
    if drifts:
        figures: list[Figure] = []
        for before, after, change in drifts:
            step = f"{before.year} to {after.year}"
            figures += [
                Figure(f"pay_change_percent[{after.year}]", f"Change in pay, {step}",
                       percent(after.pay - before.pay, before.pay), Unit.PERCENT),
                Figure(f"wte_change_percent[{after.year}]", f"Change in WTE, {step}",
                       percent(after.wte - before.wte, before.wte), Unit.PERCENT),
                Figure(f"cost_per_wte_change_percent[{after.year}]",
                       f"Change in pay per WTE, {step}", _shown(change), Unit.PERCENT),
            ]
        figures.append(Figure("limit_percent", "Change allowed in a year", limit, Unit.PERCENT))
        years = ", ".join(f"{b.year} to {a.year}" for b, a, _ in drifts)
        yield Flag(
            CheckCode.PAY_APART_FROM_WTE, Severity.MEDIUM,
            f"Pay and staff numbers move apart ({years}): pay per WTE changes by more than "
            f"{limit}% in a year without the headcount to match.",
            tuple(figures),
        )


def _within(value: Decimal, baseline: Decimal, tolerance: Decimal) -> bool:
    if not baseline:
        return not value
    return abs(_change(value, baseline)) <= tolerance


def _workforce_copied(rows: list[YearPosition], baseline: WorkforceBaseline | None,
                      thresholds: Thresholds) -> Iterator[Flag]:
    if baseline is None:
        return
    tolerance = thresholds.workforce_match_tolerance_percent
    if all(_within(row.wte, baseline.wte, tolerance) and _within(row.pay, baseline.pay, tolerance)
           for row in rows):
        yield Flag(
            CheckCode.WORKFORCE_COPIED, Severity.MEDIUM,
            "The workforce in every year is within "
            f"{tolerance}% of the PCT cluster's ({baseline.wte} WTE costing "
            f"{format_money(baseline.pay)}), as if copied from it rather than built for the "
            "services customers intend to buy.",
            (Figure("baseline_wte", "PCT cluster WTE", baseline.wte, Unit.WTE),
             Figure("baseline_pay", "PCT cluster pay", baseline.pay))
            + _year_figures("wte", "WTE", {row.year: row.wte for row in rows}, Unit.WTE)
            + _year_figures("pay", "Pay", {row.year: row.pay for row in rows})
            + (Figure("tolerance_percent", "Match within", tolerance, Unit.PERCENT),),
        )


def _customer_totals(model: FinancialModel) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for year in model.years:
        for customer, amount in model.income_by_customer[year].items():
            totals[customer] = totals.get(customer, ZERO) + amount
    return totals


def customer_name(code: str, names: Mapping[str, str] | None = None) -> str:
    """A customer in words: the CCG's name with its ODS code, the Board, other customers."""
    if code in (names or {}):
        return f"{names[code]} ({code})"
    return {"board": "the NHS Commissioning Board", OTHER: "other customers"}.get(code, code)


def _largest_customer(totals: Mapping[str, Decimal]) -> tuple[str | None, Decimal | None]:
    whole = sum(totals.values(), ZERO)
    # "Other" lumps many small customers together, so it is never a concentration risk.
    named = {customer: amount for customer, amount in totals.items()
             if customer != OTHER and amount > 0}
    if not whole or not named:
        return None, None
    largest = max(named, key=lambda customer: (named[customer], customer))
    return largest, percent(named[largest], whole)


def _concentration(totals, largest, share, thresholds: Thresholds,
                   names: Mapping[str, str] | None = None) -> Iterator[Flag]:
    if largest is None:
        return
    whole = sum(totals.values(), ZERO)
    limit = thresholds.concentration_percent
    if totals[largest] * HUNDRED > limit * whole:
        yield Flag(
            CheckCode.CUSTOMER_CONCENTRATION, Severity.MEDIUM,
            f"{share}% of planned income over the four years comes from one customer "
            f"({customer_name(largest, names)}).",
            (Figure("customer", "Customer", largest, Unit.TEXT),
             Figure("customer_income", "Income from this customer", totals[largest]),
             Figure("total_income", "Income from all customers", whole),
             Figure("share_percent", "Share of income", share, Unit.PERCENT),
             Figure("limit_percent", "Share allowed", limit, Unit.PERCENT)),
        )


def _stress_test(model: FinancialModel, rows: list[YearPosition], customer: str,
                 thresholds: Thresholds) -> StressTest:
    # The customer leaves at the break, counted from the start of the plan's first year;
    # the CSS then saves only part of what it loses, because most of its costs are staff
    # it cannot shed the day a customer goes.
    months = thresholds.agreement_break_months
    saving = thresholds.stress_cost_saving_percent
    years = []
    cumulative = ZERO
    for index, row in enumerate(rows):
        months_after_break = min(max((index + 1) * MONTHS_IN_YEAR - months, 0), MONTHS_IN_YEAR)
        income = model.income_by_customer[row.year].get(customer, ZERO)
        lost = (income * months_after_break / MONTHS_IN_YEAR).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        saved = (lost * saving / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        surplus = row.surplus - lost + saved
        cumulative += surplus
        years.append(StressYear(row.year, lost, saved, surplus, cumulative))
    return StressTest(customer, months, tuple(years))


def _stress_flag(stress: StressTest | None, rows: list[YearPosition],
                 thresholds: Thresholds, names: Mapping[str, str] | None = None
                 ) -> Iterator[Flag]:
    if stress is None:
        return
    income = sum((row.income for row in rows), ZERO)
    limit = thresholds.stress_deficit_percent
    deficit = -stress.cumulative
    if deficit > 0 and income and deficit * HUNDRED > limit * income:
        yield Flag(
            CheckCode.LARGEST_CUSTOMER_EXIT, Severity.HIGH,
            f"If {customer_name(stress.customer, names)} left at the break after "
            f"{stress.break_months} months, the plan would lose "
            f"{format_money(deficit)} over the four years ({percent(deficit, income)}% of "
            "its income).",
            (Figure("customer", "Customer", stress.customer, Unit.TEXT),
             Figure("break_months", "Break after", Decimal(stress.break_months), Unit.MONTHS))
            + _year_figures("income_lost", "Income lost",
                            {y.year: y.income_lost for y in stress.years})
            + _year_figures("costs_saved", "Costs saved",
                            {y.year: y.costs_saved for y in stress.years})
            + _year_figures("stressed_surplus", "Surplus (deficit) without the customer",
                            {y.year: y.surplus for y in stress.years})
            + (Figure("stressed_cumulative", "Position over the four years", stress.cumulative),
               Figure("limit_percent", "Deficit allowed, share of income", limit,
                      Unit.PERCENT)),
        )


def connected_lines(model: FinancialModel, backing: Mapping[tuple[str, str], Backing],
                    customers: Mapping[str, str] | None = None,
                    specifications: Mapping[str, str] | None = None
                    ) -> tuple[CustomerLine, ...]:
    """Per CCG and specification, the plan's income against what the CCG intends to buy
    and has agreed; a CCG's intention or agreement with no income in the plan is a line
    too (income the plan may be missing)."""
    planned: dict[tuple[str, str], dict[str, Decimal]] = {}
    for year in model.years:
        cells = _spread(model.income_by_customer[year], model.income_by_service_line[year])
        for (customer, line), amount in cells.items():
            if customer not in NON_CCG_CUSTOMERS:
                planned.setdefault((customer, line), {})[year] = amount
    names, specs = customers or {}, specifications or {}
    lines = []
    for key in sorted(set(planned) | {k for k, b in backing.items() if b.has_any}):
        customer, spec = key
        found = backing.get(key, Backing())
        lines.append(CustomerLine(
            customer=customer, customer_name=names.get(customer, customer),
            specification=spec,
            specification_name="Other income" if spec == OTHER else specs.get(spec, spec),
            planned=MappingProxyType({y: planned.get(key, {}).get(y, ZERO)
                                      for y in model.years}),
            intends_to_buy=found.intends_to_buy,
            intended_annual=found.intended_annual if found.intends_to_buy
            and found.intended_annual else None,
            agreed=MappingProxyType({y: found.agreed.get(y, ZERO) for y in model.years}),
        ))
    return tuple(lines)


def _spread(by_customer: Mapping[str, Decimal], by_line: Mapping[str, Decimal]
            ) -> dict[tuple[str, str], Decimal]:
    """Pro rata to the penny as the stored rows are; exactly, for figures finer than pence
    (a model checked without the product's pence rule)."""
    try:
        return apportion(by_customer, by_line)
    except ValueError:
        total = sum(by_line.values(), ZERO)
        if not total:
            return {}
        return {(c, s): a * share / total for c, a in by_customer.items()
                for s, share in by_line.items() if a and share}


def _customer_backing(model: FinancialModel, lines: tuple[CustomerLine, ...],
                      thresholds: Thresholds, specifications: Mapping[str, str] | None = None
                      ) -> Iterator[Flag]:
    """Income with no intention or agreement behind it, judged per CCG and specification
    and reported once per CCG: a CCG with nothing behind any of its income; otherwise the
    specifications whose income has nothing behind it (high) or runs past its backing by
    more than the margin (medium), each with its figures."""
    tolerance = thresholds.unbacked_income_tolerance_percent
    by_customer: dict[str, list[CustomerLine]] = {}
    for line in lines:
        by_customer.setdefault(line.customer, []).append(line)
    for ccg, found in by_customer.items():
        earning = [line for line in found if any(line.planned.values())]
        if not earning:
            continue
        who = f"{found[0].customer_name} ({ccg})" if found[0].customer_name != ccg else ccg
        planned = {y: sum((line.planned[y] for line in earning), ZERO) for y in model.years}
        if not any(line.has_backing for line in found):
            yield Flag(
                CheckCode.INCOME_WITHOUT_BACKING, Severity.HIGH,
                f"Planned income from {who} has nothing behind it: the CCG has stated no "
                "intention to buy and signed no agreement.",
                (Figure("customer", "CCG (ODS code)", ccg, Unit.TEXT),)
                + _year_figures("planned", "Planned income", planned)
                + (Figure("specifications", "Specifications the plan expects it to buy",
                          ", ".join(line.specification_name for line in earning), Unit.TEXT),),
            )
            continue
        # Income the plan ties to no catalogue specification cannot be matched to an
        # intention; the CCG-wide flag above still catches a CCG with nothing behind it.
        checked = [line for line in earning if line.specification != OTHER and (
            specifications is None or line.specification in specifications)]
        bare = [line for line in checked if not line.has_backing]
        over = []
        for line in checked:
            if not line.has_backing or (line.intends_to_buy and line.intended_annual is None
                                and not any(line.agreed.values())):
                continue  # a budgetless intention gives nothing to measure against
            years = {y: planned_ - line.backed(y) for y, planned_ in line.planned.items()
                     if planned_ * HUNDRED > line.backed(y) * (HUNDRED + tolerance)}
            if years:
                over.append((line, years))
        if bare or over:
            yield _backing_flag(ccg, who, bare, over, tolerance)


def _backing_flag(ccg: str, who: str, bare: list[CustomerLine],
                  over: list[tuple[CustomerLine, dict[str, Decimal]]], tolerance: Decimal
                  ) -> Flag:
    sentences = []
    if bare:
        sentences.append(
            f"The plan expects income from {who} for "
            f"{_and_list([f'“{line.specification_name}”' for line in bare])}, but the CCG "
            "has neither stated an intention to buy nor signed an agreement for "
            f"{'it' if len(bare) == 1 else 'them'}.")
    if over:
        parts = [f"“{line.specification_name}” in {', '.join(years)}"
                 for line, years in over]
        whom = "It also expects more from the CCG" if bare else f"The plan expects more from {who}"
        sentences.append(f"{whom} than the CCG intends to spend or has agreed, by more than "
                         f"{tolerance}%, for {_and_list(parts)}.")
    figures: tuple[Figure, ...] = (Figure("customer", "CCG (ODS code)", ccg, Unit.TEXT),)
    for line in bare:
        figures += _year_figures(
            f"planned[{line.specification}]", f"{line.specification_name}: planned income",
            {y: v for y, v in line.planned.items() if v})
    for line, years in over:
        key, name = line.specification, line.specification_name
        figures += _year_figures(f"planned[{key}]", f"{name}: planned income",
                                 {y: line.planned[y] for y in years})
        if line.intended_annual is not None:
            figures += (Figure(f"intended_annual[{key}]", f"{name}: budget the CCG states a "
                               "year", line.intended_annual),)
        figures += _year_figures(f"agreed[{key}]", f"{name}: signed agreements",
                                 {y: line.agreed[y] for y in years})
        figures += _year_figures(f"unbacked[{key}]", f"{name}: without backing", years)
    if over:
        figures += (Figure("tolerance_percent", "Margin allowed", tolerance, Unit.PERCENT),)
    return Flag(CheckCode.INCOME_WITHOUT_BACKING, Severity.HIGH if bare else Severity.MEDIUM,
                " ".join(sentences), figures)


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _service_line_backing(model: FinancialModel, backing: Mapping[tuple[str, str], Backing],
                          specifications: Mapping[str, str] | None) -> Iterator[Flag]:
    # Service-line income includes the Board's and other customers', so only a line that no
    # CCG intends to buy or has agreed is certain to lack backing.
    backed_specs = {spec for (_customer, spec), b in backing.items() if b.has_any}
    lines = sorted({s for y in model.years for s in model.income_by_service_line[y]})
    for line in lines:
        planned = {y: model.income_by_service_line[y].get(line, ZERO) for y in model.years}
        if line in backed_specs or not any(planned.values()) or (
            specifications is not None and line not in specifications
        ):
            continue
        name = specifications.get(line, line) if specifications else line
        shown = f"“{name}” ({line})" if name != line else f"“{line}”"
        yield Flag(
            CheckCode.SERVICE_LINE_WITHOUT_BACKING, Severity.MEDIUM,
            f"No CCG has stated an intention to buy, or agreed to buy, the specification "
            f"{shown}, yet the plan takes income from it.",
            (Figure("specification", "Specification", line, Unit.TEXT),)
            + _year_figures("planned", "Planned income", planned),
        )
