"""The affordability gate: can a CCG pay for all its agreements, year by year, out of what
the ready reckoner leaves it for commissioning support as the running cost allowance falls
(£25.00, £24.73, £22.07 a head over 2013/14 to 2015/16)?

An agreement costs a financial year its annual value for the days of the year it runs:
annual value × days inside the year ÷ days in the year, rounded once, half-up, per agreement
and year (each is a figure the CCG sees; the year's total adds them up). Committed cost
exactly equal to the headroom fits; a penny more does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO, format_money, round_money
from .reckoner import FINANCIAL_YEARS


def year_bounds(financial_year: str) -> tuple[date, date]:
    """'2013/14' → 1 April 2013 to 31 March 2014, both days included."""
    first = int(financial_year[:4])
    return date(first, 4, 1), date(first + 1, 3, 31)


def days_in(start: date, end: date) -> int:
    return (end - start).days + 1 if end >= start else 0


def cost_in_year(annual_value: Decimal, start: date, end: date, financial_year: str) -> Decimal:
    """What an agreement running from ``start`` to ``end`` (inclusive) costs in the year."""
    year_start, year_end = year_bounds(financial_year)
    overlap = days_in(max(start, year_start), min(end, year_end))
    if overlap == 0:
        return ZERO.quantize(Decimal("0.01"))
    return round_money(annual_value * overlap / days_in(year_start, year_end))


@dataclass(frozen=True)
class Commitment:
    """One agreement as the gate costs it. ``subject``: the agreement being signed or varied."""

    reference: str
    provider: str
    start_date: date
    end_date: date
    annual_value: Decimal
    subject: bool = False


@dataclass(frozen=True)
class CommitmentCost:
    commitment: Commitment
    cost: Decimal


@dataclass(frozen=True)
class YearPosition:
    financial_year: str
    headroom: Decimal  # what the reckoner leaves for commissioning support this year
    costs: tuple[CommitmentCost, ...]

    @property
    def committed(self) -> Decimal:
        return sum((line.cost for line in self.costs), ZERO)

    @property
    def left(self) -> Decimal:
        """Headroom less the committed cost; negative when the agreements do not fit."""
        return self.headroom - self.committed

    @property
    def fits(self) -> bool:
        return self.left >= 0

    @property
    def in_words(self) -> str:
        if self.fits:
            return (
                f"Fits: {format_money(self.committed)} of agreements against "
                f"{format_money(self.headroom)}, leaving {format_money(self.left)}."
            )
        return (
            f"Does not fit: {format_money(self.committed)} of agreements is "
            f"{format_money(-self.left)} more than the {format_money(self.headroom)} "
            "left for commissioning support."
        )


@dataclass(frozen=True)
class Affordability:
    years: tuple[YearPosition, ...]

    @property
    def fits(self) -> bool:
        return all(year.fits for year in self.years)

    @property
    def years_over(self) -> tuple[YearPosition, ...]:
        return tuple(year for year in self.years if not year.fits)

    @property
    def warning(self) -> str | None:
        """A sentence for the warning callout, or None when every year fits."""
        over = self.years_over
        if not over:
            return None
        parts = [f"in {year.financial_year} by {format_money(-year.left)}" for year in over]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return (
            "Your CCG's agreements cost more than the running cost allowance leaves for "
            f"commissioning support {listed}. The allowance falls each year, so an agreement "
            "that fits in 2013/14 may not fit later: check the figures before you go on."
        )

    def as_record(self) -> dict:
        """The figures as plain strings, for an audit event."""
        return {
            year.financial_year: {
                "headroom": str(year.headroom),
                "committed": str(year.committed),
                "left": str(year.left),
            }
            for year in self.years
        }


def assess(
    commitments: Iterable[Commitment],
    headroom: Mapping[str, Decimal],
    financial_years: Iterable[str] = FINANCIAL_YEARS,
) -> Affordability:
    """Cost every commitment in each financial year we hold a headroom for."""
    listed = tuple(commitments)
    return Affordability(
        tuple(
            YearPosition(
                year,
                headroom[year],
                tuple(
                    CommitmentCost(
                        item, cost_in_year(item.annual_value, item.start_date, item.end_date, year)
                    )
                    for item in listed
                ),
            )
            for year in financial_years
            if year in headroom
        )
    )
