"""A CSS's four-year financial model and the checks a BDU reviewer would run on it.

The flags mirror the weaknesses the BDU reported at Checkpoint 2: income with no
year-on-year change, income not linked to what CCGs said they would buy, and workforce
profiles copied from the PCT cluster. Every flag carries the figures behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

from marketplace.domain.money import ZERO, MoneyError, format_money, round_money, to_decimal

BOARD = "board"
OTHER = "other"
NON_CCG_CUSTOMERS = frozenset({BOARD, OTHER})
_ODS_CODE = re.compile(r"^[0-9A-Z]{3}$")
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
YEARS_IN_PLAN = 4


class FinancialModelError(ValueError):
    """A financial model figure that cannot be accepted, named by its field path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        # Every problem found, this one first, so a form can show them all at once.
        self.errors: tuple[FinancialModelError, ...] = (self,)


@dataclass(frozen=True)
class Expenditure:
    pay: Decimal
    non_pay: Decimal
    overheads: Decimal

    PARTS: ClassVar[tuple[str, ...]] = ("pay", "non_pay", "overheads")

    @property
    def total(self) -> Decimal:
        return self.pay + self.non_pay + self.overheads


@dataclass(frozen=True)
class FinancialModel:
    years: tuple[str, ...]
    # year -> customer (CCG ODS code, "board" or "other") -> income
    income_by_customer: Mapping[str, Mapping[str, Decimal]]
    # year -> service line key -> income
    income_by_service_line: Mapping[str, Mapping[str, Decimal]]
    expenditure: Mapping[str, Expenditure]
    wte: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        object.__setattr__(self, "years", tuple(self.years))
        _check_years(self.years)
        errors: list[FinancialModelError] = []

        def amount(path: str, value: object) -> Decimal:
            try:
                read = to_decimal(value)
            except MoneyError as exc:
                errors.append(FinancialModelError(path, str(exc)))
                return ZERO
            if read < 0:
                errors.append(FinancialModelError(path, "must not be negative"))
            return read

        def amounts(path: str, row: Mapping[str, object]) -> Mapping[str, Decimal]:
            return MappingProxyType({key: amount(f"{path}[{key}]", v) for key, v in row.items()})

        def spending(path: str, row: Expenditure | Mapping[str, object]) -> Expenditure:
            # Accept an Expenditure or a plain mapping from a form or an uploaded template.
            parts = row if isinstance(row, Mapping) else vars(row)
            missing = [p for p in Expenditure.PARTS if parts.get(p) is None]
            errors.extend(FinancialModelError(f"{path}[{p}]", "missing") for p in missing)
            return Expenditure(
                *(amount(f"{path}[{p}]", parts.get(p, 0)) for p in Expenditure.PARTS)
            )

        for name, read_row in (
            ("income_by_customer", amounts),
            ("income_by_service_line", amounts),
            ("expenditure", spending),
            ("wte", amount),
        ):
            table = getattr(self, name)
            missing = [year for year in self.years if year not in table]
            extra = [year for year in table if year not in self.years]
            errors.extend(FinancialModelError(f"{name}[{y}]", "missing") for y in missing)
            errors.extend(
                FinancialModelError(f"{name}[{y}]", "not a year of this plan") for y in extra
            )
            if not missing and not extra:
                read = {year: read_row(f"{name}[{year}]", table[year]) for year in self.years}
                object.__setattr__(self, name, MappingProxyType(read))
        # Totals are compared only once every figure reads cleanly: one mistake, one error.
        if not errors:
            errors = _check_customers_and_totals(self)
        if errors:
            errors[0].errors = tuple(errors)
            raise errors[0]

    def income(self, year: str) -> Decimal:
        return sum(self.income_by_customer[year].values(), ZERO)


def _check_years(years: tuple[str, ...]) -> None:
    # Every other check is keyed by year, so a bad year list is the only error worth showing.
    if len(years) != YEARS_IN_PLAN:
        raise FinancialModelError("years", f"a plan covers exactly {YEARS_IN_PLAN} financial years")
    starts = []
    for year in years:
        match = _YEAR.match(str(year))
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise FinancialModelError("years", f"{year!r} is not a financial year such as 2013/14")
        starts.append(int(match[1]))
    if starts != list(range(starts[0], starts[0] + YEARS_IN_PLAN)):
        raise FinancialModelError("years", "years must be consecutive and in order")


def _check_customers_and_totals(model: FinancialModel) -> list[FinancialModelError]:
    errors = []
    for year in model.years:
        errors += [
            FinancialModelError(
                f"income_by_customer[{year}][{customer}]",
                "customer must be a CCG ODS code, 'board' or 'other'",
            )
            for customer in model.income_by_customer[year]
            if customer not in NON_CCG_CUSTOMERS and not _ODS_CODE.match(str(customer))
        ]
        by_customer = model.income(year)
        by_line = sum(model.income_by_service_line[year].values(), ZERO)
        if by_customer != by_line:
            errors.append(
                FinancialModelError(
                    f"income_by_service_line[{year}]",
                    f"total {format_money(by_line)} does not match income by customer "
                    f"{format_money(by_customer)} in {year}",
                )
            )
    return errors


# --- Analysis -------------------------------------------------------------------------


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FlagCode(StrEnum):
    DEFICIT_FINAL_YEAR = "deficit_final_year"
    INCOME_FLAT = "income_flat"
    WORKFORCE_UNCHANGED = "workforce_unchanged"
    INCOME_PER_HEAD_BELOW_RANGE = "income_per_head_below_range"
    INCOME_PER_HEAD_ABOVE_RANGE = "income_per_head_above_range"
    CUSTOMER_CONCENTRATION = "customer_concentration"
    INCOME_WITHOUT_COMMITMENT = "income_without_commitment"
    INCOME_EXCEEDS_AGREEMENT = "income_exceeds_agreement"


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    severity: Severity
    message: str
    figures: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Commitment:
    """What a CCG has put behind a CSS's planned income from it."""

    agreed_annual_value: Decimal  # annual value of signed agreements
    intends_to_buy: bool  # whether its recorded intentions include buying from this CSS


@dataclass(frozen=True)
class AnalysisSettings:
    # Planned prices seen in 2012 ran from £8 (South London) to £12 (Arden) per head.
    income_per_head_low: Decimal = Decimal("8")
    income_per_head_high: Decimal = Decimal("12")
    concentration_percent: Decimal = Decimal("40")
    # Planned income may run this far above the agreed value before we flag it.
    agreement_margin_percent: Decimal = Decimal("10")


DEFAULT_SETTINGS = AnalysisSettings()


@dataclass(frozen=True)
class YearFigures:
    year: str
    income: Decimal
    expenditure: Decimal
    surplus: Decimal  # negative for a deficit
    growth_percent: Decimal | None  # None in the first year or after a year of no income
    income_per_head: Decimal
    wte: Decimal


@dataclass(frozen=True)
class Analysis:
    years: tuple[YearFigures, ...]
    break_even_year: str | None
    largest_customer: str | None
    largest_customer_share_percent: Decimal | None
    flags: tuple[Flag, ...]

    def flag_codes(self) -> set[FlagCode]:
        return {flag.code for flag in self.flags}


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def analyse(
    model: FinancialModel,
    *,
    population_served: int,
    ccg_commitments: Mapping[str, Commitment],
    settings: AnalysisSettings = DEFAULT_SETTINGS,
) -> Analysis:
    if population_served <= 0:
        raise FinancialModelError("population_served", "must be a positive number of people")
    rows: list[YearFigures] = []
    for index, year in enumerate(model.years):
        income = model.income(year)
        previous = rows[index - 1].income if index else None
        rows.append(
            YearFigures(
                year=year,
                income=income,
                expenditure=model.expenditure[year].total,
                surplus=income - model.expenditure[year].total,
                growth_percent=_percent(income - previous, previous) if previous else None,
                income_per_head=round_money(income / population_served),
                wte=model.wte[year],
            )
        )
    break_even = next((row.year for row in rows if row.surplus >= 0), None)
    totals = _customer_totals(model)
    largest, share = _largest_customer(totals)
    flags = [
        *_trend_flags(rows),
        *_per_head_flags(rows, population_served, settings),
        *_concentration_flags(totals, largest, share, settings),
        *_commitment_flags(model, totals, ccg_commitments, settings),
    ]
    return Analysis(tuple(rows), break_even, largest, share, tuple(flags))


def _trend_flags(rows: list[YearFigures]) -> Iterator[Flag]:
    final = rows[-1]
    if final.surplus < 0:
        yield Flag(
            FlagCode.DEFICIT_FINAL_YEAR,
            Severity.HIGH,
            f"The plan still shows a deficit in {final.year}.",
            {
                "year": final.year,
                "income": format_money(final.income),
                "expenditure": format_money(final.expenditure),
                "deficit": format_money(-final.surplus),
            },
        )
    if len({row.income for row in rows}) == 1:
        yield Flag(
            FlagCode.INCOME_FLAT,
            Severity.MEDIUM,
            "Income is the same in every year, so it cannot reflect what customers intend to buy.",
            {row.year: format_money(row.income) for row in rows},
        )
    if len({row.wte for row in rows}) == 1:
        yield Flag(
            FlagCode.WORKFORCE_UNCHANGED,
            Severity.MEDIUM,
            "The workforce is the same in every year, as if copied from the PCT cluster.",
            {row.year: f"{row.wte} WTE" for row in rows},
        )


def _per_head_flags(rows, population_served: int, settings: AnalysisSettings) -> Iterator[Flag]:
    low, high = settings.income_per_head_low, settings.income_per_head_high
    below = [row for row in rows if row.income_per_head < low]
    above = [row for row in rows if row.income_per_head > high]
    for code, outside, words in (
        (FlagCode.INCOME_PER_HEAD_BELOW_RANGE, below, "below"),
        (FlagCode.INCOME_PER_HEAD_ABOVE_RANGE, above, "above"),
    ):
        if outside:
            years = ", ".join(row.year for row in outside)
            yield Flag(
                code,
                Severity.MEDIUM,
                f"Income per head of population served is {words} the range in {years}.",
                {
                    "population_served": f"{population_served:,}",
                    "range": f"{format_money(low)} to {format_money(high)} per head",
                }
                | {f"income_per_head[{r.year}]": format_money(r.income_per_head) for r in outside},
            )


def _customer_totals(model: FinancialModel) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for year in model.years:
        for customer, amount in model.income_by_customer[year].items():
            totals[customer] = totals.get(customer, ZERO) + amount
    return totals


def _largest_customer(totals: Mapping[str, Decimal]) -> tuple[str | None, Decimal | None]:
    whole = sum(totals.values(), ZERO)
    # "Other" lumps many small customers together, so it is never a concentration risk.
    named = {customer: amount for customer, amount in totals.items() if customer != OTHER}
    if not whole or not named:
        return None, None
    largest = max(named, key=lambda customer: (named[customer], customer))
    return largest, _percent(named[largest], whole)


def _concentration_flags(totals, largest, share, settings: AnalysisSettings) -> Iterator[Flag]:
    if share is not None and share > settings.concentration_percent:
        yield Flag(
            FlagCode.CUSTOMER_CONCENTRATION,
            Severity.MEDIUM,
            f"{share}% of planned income comes from one customer ({largest}).",
            {
                "customer": largest,
                "customer_income": format_money(totals[largest]),
                "total_income": format_money(sum(totals.values(), ZERO)),
                "share": f"{share}%",
                "threshold": f"{settings.concentration_percent}%",
            },
        )


def _commitment_flags(model, totals, commitments, settings) -> Iterator[Flag]:
    margin = settings.agreement_margin_percent
    for ccg, total in sorted(totals.items()):
        if ccg in NON_CCG_CUSTOMERS or not total:
            continue
        planned = {year: model.income_by_customer[year].get(ccg, ZERO) for year in model.years}
        commitment = commitments.get(ccg, Commitment(ZERO, False))
        agreed = to_decimal(commitment.agreed_annual_value)
        figures = {
            "ccg": ccg,
            "agreed_annual_value": format_money(agreed),
            "intends_to_buy": "yes" if commitment.intends_to_buy else "no",
        }
        if not agreed and not commitment.intends_to_buy:
            yield Flag(
                FlagCode.INCOME_WITHOUT_COMMITMENT,
                Severity.HIGH,
                f"Planned income from {ccg} has nothing behind it: "
                "no agreement and no intention to buy.",
                figures | {f"planned[{y}]": format_money(a) for y, a in planned.items()},
            )
            continue
        # An intention with no agreed value gives nothing to measure the plan against.
        over = {y: a for y, a in planned.items() if agreed and a > agreed * (1 + margin / 100)}
        if over:
            yield Flag(
                FlagCode.INCOME_EXCEEDS_AGREEMENT,
                Severity.MEDIUM,
                f"Planned income from {ccg} exceeds its agreed annual value by more than "
                f"{margin}% in {', '.join(over)}.",
                figures
                | {"margin": f"{margin}%"}
                | {f"planned[{y}]": format_money(a) for y, a in over.items()},
            )
