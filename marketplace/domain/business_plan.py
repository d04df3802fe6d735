"""A CSS's four-year financial model, as the XLSX template and the API describe it.

The checks a BDU reviewer runs on it are in plan_checks.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import ClassVar

from marketplace.domain.inputs import MAX_AMOUNT, MAX_PLAN_WTE
from marketplace.domain.money import ZERO, MoneyError, format_money, to_decimal

BOARD = "board"
OTHER = "other"
NON_CCG_CUSTOMERS = frozenset({BOARD, OTHER})
_ODS_CODE = re.compile(r"[0-9A-Z]{3}")
# [0-9], not \d: \d also matches "٢٠١٣", which int() reads as 2013.
_YEAR = re.compile(r"([0-9]{4})/([0-9]{2})")
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

        def amount(path: str, value: object, maximum: Decimal = MAX_AMOUNT,
                   shown=format_money) -> Decimal:
            try:
                read = to_decimal(value)
            except MoneyError as exc:
                errors.append(FinancialModelError(path, str(exc)))
                return ZERO
            # Bounded before anything adds or rounds it: 1e30 pounds would pass every other
            # check and then fail the penny rounding of every page that shows the plan.
            if read < 0:
                errors.append(FinancialModelError(path, "must not be negative"))
            elif read > maximum:
                errors.append(FinancialModelError(path, f"must be at most {shown(maximum)}"))
                return ZERO
            return read

        def workforce(path: str, value: object) -> Decimal:
            return amount(path, value, MAX_PLAN_WTE, lambda wte: f"{wte:,} WTE")

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
            ("wte", workforce),
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
        match = _YEAR.fullmatch(str(year))
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
            if customer not in NON_CCG_CUSTOMERS and not _ODS_CODE.fullmatch(str(customer))
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
